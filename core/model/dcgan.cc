#include "core/model/dcgan.h"

namespace dcgan {

int DcganUpsamplingLayers(int image_size) {
  int layers = 0;
  for (int side = 4; side < image_size; side *= 2) ++layers;
  return layers;
}

DcganGeneratorImpl::DcganGeneratorImpl(int image_size, int channels, int latent_dim, int width,
                                       TransposedConvAlgorithm algorithm) {
  const int up = DcganUpsamplingLayers(image_size);
  int64_t in = latent_dim;
  int64_t out = int64_t{width} << (up - 1);
  for (int i = 0; i <= up; ++i) {
    const bool first = i == 0;
    const bool last = i == up;
    if (last) out = channels;
    auto options = TransposedConv2dOptions(in, out, 4)
                       .stride(first ? 1 : 2)
                       .padding(first ? 0 : 1)
                       .algorithm(algorithm);
    convs_.push_back(register_module("conv" + std::to_string(i), TransposedConv2d(options)));
    if (!last) {
      norms_.push_back(register_module("bn" + std::to_string(i), torch::nn::BatchNorm2d(out)));
    }
    in = out;
    out /= 2;
  }
}

torch::Tensor DcganGeneratorImpl::forward(const torch::Tensor& z) {
  torch::Tensor h = z.view({z.size(0), z.size(1), 1, 1});
  for (size_t i = 0; i < convs_.size(); ++i) {
    h = convs_[i]->forward(h);
    if (i < norms_.size()) {
      h = norms_[i]->forward(h).relu_();
    }
  }
  return torch::tanh(h);
}

DcganDiscriminatorImpl::DcganDiscriminatorImpl(int image_size, int channels, int width) {
  const int down = DcganUpsamplingLayers(image_size);
  int64_t in = channels;
  int64_t out = width;
  for (int i = 0; i < down; ++i) {
    convs_.push_back(register_module(
        "conv" + std::to_string(i),
        torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 4).stride(2).padding(1).bias(false))));
    if (i > 0) {
      norms_.push_back(register_module("bn" + std::to_string(i), torch::nn::BatchNorm2d(out)));
    }
    in = out;
    out *= 2;
  }
  convs_.push_back(register_module(
      "conv" + std::to_string(down),
      torch::nn::Conv2d(torch::nn::Conv2dOptions(in, 1, 4).stride(1).padding(0).bias(false))));
}

torch::Tensor DcganDiscriminatorImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = x;
  const size_t hidden = convs_.size() - 1;
  for (size_t i = 0; i < hidden; ++i) {
    h = convs_[i]->forward(h);
    if (i > 0) h = norms_[i - 1]->forward(h);
    h = torch::leaky_relu_(h, 0.2);
  }
  return convs_[hidden]->forward(h).view({-1});
}

}  // namespace dcgan
