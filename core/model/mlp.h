#ifndef DCGAN_CORE_MODEL_MLP_H_
#define DCGAN_CORE_MODEL_MLP_H_

#include "core/model/networks.h"

namespace dcgan {

// Goodfellow et al. 2014's fully connected GAN. G: two ReLU hidden layers of
// `width` units and a tanh output layer of channels * S * S. D: two maxout
// hidden layers of `width` units with `pieces` pieces each (pieces == 1 means
// LeakyReLU(0.2) instead), dropout 0.5 after each, and a linear logit.
class MlpGeneratorImpl : public GeneratorModule {
 public:
  MlpGeneratorImpl(int image_size, int channels, int latent_dim, int width);
  torch::Tensor forward(const torch::Tensor& z) override;

 private:
  int image_size_, channels_;
  torch::nn::Linear fc0_{nullptr}, fc1_{nullptr}, out_{nullptr};
};

class MlpDiscriminatorImpl : public DiscriminatorModule {
 public:
  MlpDiscriminatorImpl(int image_size, int channels, int width, int pieces);
  torch::Tensor forward(const torch::Tensor& x) override;
  void set_dropout_generator(c10::optional<at::Generator> generator) override {
    dropout_generator_ = std::move(generator);
  }

 private:
  torch::Tensor Hidden(torch::nn::Linear layer, const torch::Tensor& x);
  torch::Tensor Dropout(const torch::Tensor& x);

  int width_, pieces_;
  torch::nn::Linear fc0_{nullptr}, fc1_{nullptr}, out_{nullptr};
  c10::optional<at::Generator> dropout_generator_;
};

}  // namespace dcgan

#endif  // DCGAN_CORE_MODEL_MLP_H_
