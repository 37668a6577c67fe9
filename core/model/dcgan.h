#ifndef DCGAN_CORE_MODEL_DCGAN_H_
#define DCGAN_CORE_MODEL_DCGAN_H_

#include "core/model/networks.h"

namespace dcgan {

// Radford, Metz & Chintala 2015, generalised over image size S = 2^n
// (16..128): G projects z to 4x4 with a transposed convolution, then doubles
// the side with stride-2 4x4 transposed convolutions, halving the width from
// ngf * 2^(n-3) to ngf, and ends in a tanh layer with `channels` outputs. D
// mirrors it with stride-2 4x4 convolutions and a final 4x4 valid
// convolution to one logit. Batch norm after every layer but G's output and
// D's input; ReLU in G, LeakyReLU(0.2) in D; no pooling, no fully connected
// hidden layers, no biases (batch norm makes them redundant).
class DcganGeneratorImpl : public GeneratorModule {
 public:
  DcganGeneratorImpl(int image_size, int channels, int latent_dim, int width,
                     TransposedConvAlgorithm algorithm);
  torch::Tensor forward(const torch::Tensor& z) override;

 private:
  std::vector<TransposedConv2d> convs_;
  std::vector<torch::nn::BatchNorm2d> norms_;  // one per conv but the last
};

class DcganDiscriminatorImpl : public DiscriminatorModule {
 public:
  DcganDiscriminatorImpl(int image_size, int channels, int width);
  torch::Tensor forward(const torch::Tensor& x) override;

 private:
  std::vector<torch::nn::Conv2d> convs_;
  std::vector<torch::nn::BatchNorm2d> norms_;  // for convs 1 .. n-2
};

// Number of stride-2 layers for a side of `image_size` (4 for 64x64).
int DcganUpsamplingLayers(int image_size);

}  // namespace dcgan

#endif  // DCGAN_CORE_MODEL_DCGAN_H_
