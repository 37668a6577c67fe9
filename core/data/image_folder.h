#ifndef DCGAN_CORE_DATA_IMAGE_FOLDER_H_
#define DCGAN_CORE_DATA_IMAGE_FOLDER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/data/dataset.h"

namespace dcgan {

// Every .png, .jpg and .jpeg file under `folder` (recursively, in sorted path
// order so indices are stable), each decoded on demand, centre-cropped to a
// square and resampled to image_size. `folder` is resolved under `data_root`;
// files that resolve outside it (symlinks out) are refused when listed.
// The canonical path of `folder` under `data_root`: INVALID_ARGUMENT if it
// escapes the root or is not a folder, NOT_FOUND if it does not exist.
absl::StatusOr<std::string> ResolveImageFolder(const std::string& data_root,
                                               const std::string& folder);

absl::StatusOr<std::unique_ptr<Dataset>> OpenImageFolder(const std::string& data_root,
                                                         const std::string& folder, int image_size,
                                                         int channels, int64_t max_examples);

}  // namespace dcgan

#endif  // DCGAN_CORE_DATA_IMAGE_FOLDER_H_
