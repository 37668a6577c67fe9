#include "core/data/dataset.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/data/fashion_mnist.h"
#include "core/data/image_folder.h"

namespace dcgan {

absl::StatusOr<std::unique_ptr<Dataset>> OpenDataset(const std::string& name, int image_size,
                                                     int channels, const DatasetOptions& options) {
  constexpr absl::string_view kFolder = "image-folder:";
  if (name == "fashion-mnist") {
    return OpenFashionMnist(options.fashion_mnist_dir, image_size, channels, options.max_examples);
  }
  if (absl::StartsWith(name, kFolder)) {
    return OpenImageFolder(options.data_root, name.substr(kFolder.size()), image_size, channels,
                           options.max_examples);
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown dataset \"", name, "\""));
}

}  // namespace dcgan
