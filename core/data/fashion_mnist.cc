#include "core/data/fashion_mnist.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "core/data/idx_reader.h"
#include "core/data/pixels.h"
#include "core/image/image_ops.h"
#include "core/util/status_macros.h"

namespace dcgan {
namespace {

constexpr int kSide = 28;

class FashionMnist : public Dataset {
 public:
  FashionMnist(IdxArray images, int64_t count, int image_size, int channels)
      : images_(std::move(images)), count_(count), image_size_(image_size), channels_(channels) {}

  int64_t size() const override { return count_; }
  int image_size() const override { return image_size_; }
  int channels() const override { return channels_; }
  std::string name() const override { return "fashion-mnist"; }

  absl::Status GetExample(int64_t index, float* out) const override {
    Image image(kSide, kSide, 1);
    std::copy_n(images_.data.data() + index * kSide * kSide, kSide * kSide, image.pixels.begin());
    if (image_size_ >= kSide && image_size_ < 2 * kSide) {
      image = PadToSquare(image, image_size_, 0);
    } else {
      image = Resize(image, image_size_, image_size_);
    }
    WriteChwInUnitRange(image, channels_, out);
    return absl::OkStatus();
  }

 private:
  const IdxArray images_;
  const int64_t count_;
  const int image_size_;
  const int channels_;
};

}  // namespace

absl::StatusOr<std::string> FindFashionMnistImages(const std::string& dir) {
  for (const char* name : {"/train-images-idx3-ubyte.gz", "/train-images-idx3-ubyte"}) {
    std::string path = absl::StrCat(dir, name);
    if (std::filesystem::exists(path)) return path;
  }
  return absl::NotFoundError(
      absl::StrCat("Fashion-MNIST not found in ", dir,
                   " (install Debian's dataset-fashion-mnist: deploy/install-deps.sh does)"));
}

absl::StatusOr<std::unique_ptr<Dataset>> OpenFashionMnist(const std::string& dir, int image_size,
                                                          int channels, int64_t max_examples) {
  ASSIGN_OR_RETURN(const std::string path, FindFashionMnistImages(dir));
  ASSIGN_OR_RETURN(IdxArray images, ReadIdxFile(path));
  if (images.dims.size() != 3 || images.dims[1] != kSide || images.dims[2] != kSide) {
    return absl::DataLossError(absl::StrCat(path, ": expected N x 28 x 28 images"));
  }
  int64_t count = images.dims[0];
  if (max_examples > 0) count = std::min(count, max_examples);
  return std::make_unique<FashionMnist>(std::move(images), count, image_size, channels);
}

}  // namespace dcgan
