#ifndef DCGAN_CORE_IMAGE_PNG_CODEC_H_
#define DCGAN_CORE_IMAGE_PNG_CODEC_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/image/image.h"

namespace dcgan {

// Encodes an 8-bit gray or RGB image as PNG with libpng. The bytes depend only
// on the pixels (no timestamps), so equal images give equal files.
absl::StatusOr<std::string> EncodePng(const Image& image);
// The same from pixels held elsewhere (HWC, rows packed), without a copy.
absl::StatusOr<std::string> EncodePng(int width, int height, int channels, const uint8_t* pixels);

// Decodes any PNG into 8-bit gray (channels 1) or RGB (channels 3), whichever
// is asked for; alpha is composited onto black. INVALID_ARGUMENT if the bytes
// are not a valid PNG.
absl::StatusOr<Image> DecodePng(absl::string_view bytes, int channels);

}  // namespace dcgan

#endif  // DCGAN_CORE_IMAGE_PNG_CODEC_H_
