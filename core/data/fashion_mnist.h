#ifndef DCGAN_CORE_DATA_FASHION_MNIST_H_
#define DCGAN_CORE_DATA_FASHION_MNIST_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/data/dataset.h"

namespace dcgan {

// Fashion-MNIST's 60,000 28x28 training images (train-images-idx3-ubyte,
// gzip or raw, in `dir`), fitted to `image_size`: centred on a black canvas
// when the target is between 28 and 55 pixels (32 keeps every pixel), else
// resampled. With 3 channels the gray value is repeated.
// The training-images file in `dir` (gzip preferred, else raw); NOT_FOUND,
// saying which Debian package provides it, if neither is there.
absl::StatusOr<std::string> FindFashionMnistImages(const std::string& dir);

absl::StatusOr<std::unique_ptr<Dataset>> OpenFashionMnist(const std::string& dir, int image_size,
                                                          int channels, int64_t max_examples);

}  // namespace dcgan

#endif  // DCGAN_CORE_DATA_FASHION_MNIST_H_
