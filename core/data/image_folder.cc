#include "core/data/image_folder.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "core/data/pixels.h"
#include "core/data/safe_path.h"
#include "core/image/image_ops.h"
#include "core/image/jpeg_decoder.h"
#include "core/image/png_codec.h"
#include "core/util/file_util.h"
#include "core/util/status_macros.h"

namespace dcgan {
namespace {

namespace fs = std::filesystem;

enum class Format { kPng, kJpeg };

class ImageFolder : public Dataset {
 public:
  ImageFolder(std::string folder, std::vector<std::pair<std::string, Format>> files, int image_size,
              int channels)
      : folder_(std::move(folder)),
        files_(std::move(files)),
        image_size_(image_size),
        channels_(channels) {}

  int64_t size() const override { return static_cast<int64_t>(files_.size()); }
  int image_size() const override { return image_size_; }
  int channels() const override { return channels_; }
  std::string name() const override { return absl::StrCat("image-folder:", folder_); }

  absl::Status GetExample(int64_t index, float* out) const override {
    const auto& [path, format] = files_[static_cast<size_t>(index)];
    ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
    absl::StatusOr<Image> decoded =
        format == Format::kPng ? DecodePng(bytes, channels_) : DecodeJpeg(bytes, channels_);
    if (!decoded.ok()) {
      return absl::DataLossError(absl::StrCat(path, ": ", decoded.status().message()));
    }
    Image image = Resize(CenterCropSquare(*decoded), image_size_, image_size_);
    WriteChwInUnitRange(image, channels_, out);
    return absl::OkStatus();
  }

 private:
  const std::string folder_;
  const std::vector<std::pair<std::string, Format>> files_;
  const int image_size_;
  const int channels_;
};

}  // namespace

absl::StatusOr<std::string> ResolveImageFolder(const std::string& data_root,
                                               const std::string& folder) {
  ASSIGN_OR_RETURN(std::string resolved, ResolveUnderRoot(data_root, folder));
  if (!fs::is_directory(resolved)) {
    return absl::InvalidArgumentError(absl::StrCat("image-folder:", folder, " is not a folder"));
  }
  return resolved;
}

absl::StatusOr<std::unique_ptr<Dataset>> OpenImageFolder(const std::string& data_root,
                                                         const std::string& folder, int image_size,
                                                         int channels, int64_t max_examples) {
  ASSIGN_OR_RETURN(const std::string resolved, ResolveImageFolder(data_root, folder));
  const std::string root = fs::canonical(data_root).string();
  std::vector<std::pair<std::string, Format>> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(resolved, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const std::string ext = absl::AsciiStrToLower(it->path().extension().string());
    if (ext != ".png" && ext != ".jpg" && ext != ".jpeg") continue;
    const std::string real = fs::canonical(it->path(), ec).string();
    if (ec || !IsWithin(root, real)) {
      return absl::InvalidArgumentError(
          absl::StrCat(it->path().string(), " links outside the data root ", data_root));
    }
    files.emplace_back(real, ext == ".png" ? Format::kPng : Format::kJpeg);
  }
  if (ec) return absl::InternalError(absl::StrCat("cannot list ", resolved, ": ", ec.message()));
  if (files.empty()) {
    return absl::NotFoundError(absl::StrCat("no .png or .jpg images under image-folder:", folder));
  }
  std::sort(files.begin(), files.end());
  if (max_examples > 0 && int64_t(files.size()) > max_examples) files.resize(max_examples);
  return std::make_unique<ImageFolder>(folder, std::move(files), image_size, channels);
}

}  // namespace dcgan
