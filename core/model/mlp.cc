#include "core/model/mlp.h"

namespace dcgan {

constexpr double kDropout = 0.5;

MlpGeneratorImpl::MlpGeneratorImpl(int image_size, int channels, int latent_dim, int width)
    : image_size_(image_size), channels_(channels) {
  fc0_ = register_module("fc0", torch::nn::Linear(latent_dim, width));
  fc1_ = register_module("fc1", torch::nn::Linear(width, width));
  out_ =
      register_module("out", torch::nn::Linear(width, int64_t{channels} * image_size * image_size));
}

torch::Tensor MlpGeneratorImpl::forward(const torch::Tensor& z) {
  torch::Tensor h = torch::relu(fc0_->forward(z));
  h = torch::relu(fc1_->forward(h));
  return torch::tanh(out_->forward(h)).view({z.size(0), channels_, image_size_, image_size_});
}

MlpDiscriminatorImpl::MlpDiscriminatorImpl(int image_size, int channels, int width, int pieces)
    : width_(width), pieces_(pieces) {
  const int64_t in = int64_t{channels} * image_size * image_size;
  fc0_ = register_module("fc0", torch::nn::Linear(in, int64_t{width} * pieces));
  fc1_ = register_module("fc1", torch::nn::Linear(width, int64_t{width} * pieces));
  out_ = register_module("out", torch::nn::Linear(width, 1));
}

torch::Tensor MlpDiscriminatorImpl::Hidden(torch::nn::Linear layer, const torch::Tensor& x) {
  torch::Tensor h = layer->forward(x);
  if (pieces_ == 1) return torch::leaky_relu(h, 0.2);
  return std::get<0>(h.view({x.size(0), width_, pieces_}).max(2));  // maxout
}

torch::Tensor MlpDiscriminatorImpl::Dropout(const torch::Tensor& x) {
  if (!is_training()) return x;
  // Inverted dropout with our own generator, not the process-global one.
  torch::Tensor keep = torch::empty_like(x).bernoulli_(1 - kDropout, dropout_generator_);
  return x * keep / (1 - kDropout);
}

torch::Tensor MlpDiscriminatorImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = Dropout(Hidden(fc0_, x.flatten(1)));
  h = Dropout(Hidden(fc1_, h));
  return out_->forward(h).view({-1});
}

}  // namespace dcgan
