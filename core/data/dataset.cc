#include "core/data/dataset.h"

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/data/fashion_mnist.h"
#include "core/data/image_folder.h"
#include "core/data/safe_path.h"

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

absl::Status CheckDatasetAvailable(const std::string& name, const DatasetOptions& options) {
  constexpr absl::string_view kFolder = "image-folder:";
  if (name == "fashion-mnist") {
    const std::string base = options.fashion_mnist_dir + "/train-images-idx3-ubyte";
    if (std::filesystem::exists(base + ".gz") || std::filesystem::exists(base)) {
      return absl::OkStatus();
    }
    return absl::NotFoundError(absl::StrCat("Fashion-MNIST not found in ",
                                            options.fashion_mnist_dir,
                                            " (Debian package dataset-fashion-mnist)"));
  }
  if (absl::StartsWith(name, kFolder)) {
    absl::StatusOr<std::string> path =
        ResolveUnderRoot(options.data_root, name.substr(kFolder.size()));
    if (!path.ok()) return path.status();
    if (!std::filesystem::is_directory(*path)) {
      return absl::InvalidArgumentError(absl::StrCat(name, " is not a folder"));
    }
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown dataset \"", name, "\""));
}

}  // namespace dcgan
