#include "core/data/dataset.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/data/fashion_mnist.h"
#include "core/data/image_folder.h"

namespace dcgan {
namespace {

constexpr absl::string_view kFashionMnist = "fashion-mnist";
constexpr absl::string_view kImageFolder = "image-folder:";

absl::Status UnknownDataset(const std::string& name) {
  return absl::InvalidArgumentError(absl::StrCat("unknown dataset \"", name, "\""));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Dataset>> OpenDataset(const std::string& name, int image_size,
                                                     int channels, const DatasetOptions& options) {
  if (name == kFashionMnist) {
    return OpenFashionMnist(options.fashion_mnist_dir, image_size, channels, options.max_examples);
  }
  if (absl::StartsWith(name, kImageFolder)) {
    return OpenImageFolder(options.data_root, name.substr(kImageFolder.size()), image_size,
                           channels, options.max_examples);
  }
  return UnknownDataset(name);
}

absl::Status CheckDatasetAvailable(const std::string& name, const DatasetOptions& options) {
  if (name == kFashionMnist) return FindFashionMnistImages(options.fashion_mnist_dir).status();
  if (absl::StartsWith(name, kImageFolder)) {
    return ResolveImageFolder(options.data_root, name.substr(kImageFolder.size())).status();
  }
  return UnknownDataset(name);
}

}  // namespace dcgan
