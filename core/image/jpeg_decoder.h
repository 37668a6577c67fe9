#ifndef DCGAN_CORE_IMAGE_JPEG_DECODER_H_
#define DCGAN_CORE_IMAGE_JPEG_DECODER_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/image/image.h"

namespace dcgan {

// Decodes a JPEG with libjpeg-turbo into 8-bit gray (channels 1) or RGB
// (channels 3). INVALID_ARGUMENT if the bytes are not a valid JPEG.
absl::StatusOr<Image> DecodeJpeg(absl::string_view bytes, int channels);

}  // namespace dcgan

#endif  // DCGAN_CORE_IMAGE_JPEG_DECODER_H_
