#ifndef DCGAN_CORE_SAMPLE_IMAGE_TENSOR_H_
#define DCGAN_CORE_SAMPLE_IMAGE_TENSOR_H_

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/image/image.h"

namespace dcgan {

// Latent vectors [count, latent_dim] for a sampling seed. Row i depends only
// on (seed, i), so asking for more images keeps the first ones unchanged and
// requests can be split or merged without changing any image.
torch::Tensor LatentsForSeed(uint64_t seed, int64_t count, int64_t latent_dim);

// Generator output [N, C, H, W] in [-1, 1] -> 8-bit pixels [N, H, W, C],
// contiguous (x -> round((x + 1) * 127.5), clamped): image i's bytes are
// the i-th H*W*C run, ready for a PNG encoder.
torch::Tensor ToPixels(const torch::Tensor& images);

// Pixels [N, H, W, C] (ToPixels' output), copied out into one Image each.
std::vector<Image> PixelsToImages(const torch::Tensor& pixels);

// PixelsToImages(ToPixels(images)).
std::vector<Image> TensorToImages(const torch::Tensor& images);

// One PNG of the images tiled in a near-square grid with 2-pixel gaps.
absl::StatusOr<std::string> EncodeGridPng(const std::vector<Image>& images);

}  // namespace dcgan

#endif  // DCGAN_CORE_SAMPLE_IMAGE_TENSOR_H_
