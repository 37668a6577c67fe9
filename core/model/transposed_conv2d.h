#ifndef DCGAN_CORE_MODEL_TRANSPOSED_CONV2D_H_
#define DCGAN_CORE_MODEL_TRANSPOSED_CONV2D_H_

#include <torch/torch.h>

#include "core/model/transposed_conv_algorithm.h"

namespace dcgan {

// y = conv_transpose2d(x, weight, stride, padding), no bias, no groups,
// dilation 1, through `algorithm`. weight: [in, out, k, k]. Differentiable.
torch::Tensor TransposedConvolution(const torch::Tensor& x, const torch::Tensor& weight,
                                    int64_t stride, int64_t padding,
                                    TransposedConvAlgorithm algorithm);

struct TransposedConv2dOptions {
  TransposedConv2dOptions(int64_t in, int64_t out, int64_t kernel)
      : in_channels_(in), out_channels_(out), kernel_size_(kernel) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, out_channels);
  TORCH_ARG(int64_t, kernel_size);
  TORCH_ARG(int64_t, stride) = 1;
  TORCH_ARG(int64_t, padding) = 0;
  TORCH_ARG(TransposedConvAlgorithm, algorithm) = TransposedConvAlgorithm::kConvolutionGradient;
};

// A bias-free ConvTranspose2d whose parameter has the same name and layout
// as torch::nn::ConvTranspose2d's ("weight", [in, out, k, k]).
class TransposedConv2dImpl : public torch::nn::Cloneable<TransposedConv2dImpl> {
 public:
  explicit TransposedConv2dImpl(const TransposedConv2dOptions& options);
  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);

  TransposedConv2dOptions options;
  torch::Tensor weight;
};
TORCH_MODULE(TransposedConv2d);

}  // namespace dcgan

#endif  // DCGAN_CORE_MODEL_TRANSPOSED_CONV2D_H_
