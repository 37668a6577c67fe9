#include "core/sample/image_tensor.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>

#include "core/image/image_ops.h"
#include "core/image/png_codec.h"
#include "core/util/seed_mix.h"

namespace dcgan {

torch::Tensor LatentsForSeed(uint64_t seed, int64_t count, int64_t latent_dim) {
  torch::Tensor latents = torch::empty({count, latent_dim});
  for (int64_t i = 0; i < count; ++i) {
    at::Generator generator =
        at::make_generator<at::CPUGeneratorImpl>(MixSeed(seed, kSampleStream, uint64_t(i)));
    latents[i].normal_(0, 1, generator);
  }
  return latents;
}

torch::Tensor ToPixels(const torch::Tensor& images) {
  return images.detach()
      .add(1.0)
      .mul_(127.5)
      .round_()
      .clamp_(0, 255)
      .to(torch::kUInt8)
      .permute({0, 2, 3, 1})  // NCHW -> NHWC
      .contiguous();
}

std::vector<Image> TensorToImages(const torch::Tensor& images) {
  return PixelsToImages(ToPixels(images));
}

std::vector<Image> PixelsToImages(const torch::Tensor& pixels) {
  const torch::Tensor bytes = pixels.contiguous();
  const int64_t n = bytes.size(0);
  const int h = int(bytes.size(1)), w = int(bytes.size(2)), c = int(bytes.size(3));
  std::vector<Image> out;
  out.reserve(size_t(n));
  const uint8_t* data = bytes.data_ptr<uint8_t>();
  const size_t each = size_t(h) * w * c;
  for (int64_t i = 0; i < n; ++i) {
    Image image(w, h, c);
    std::copy_n(data + i * each, each, image.pixels.begin());
    out.push_back(std::move(image));
  }
  return out;
}

absl::StatusOr<std::string> EncodeGridPng(const std::vector<Image>& images) {
  if (images.empty()) return absl::InvalidArgumentError("no images to tile");
  const int columns = int(std::ceil(std::sqrt(double(images.size()))));
  return EncodePng(TileGrid(images, columns, /*padding=*/2, /*fill=*/0));
}

}  // namespace dcgan
