#include "core/image/png_codec.h"

#include <png.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace dcgan {
namespace {

png_uint_32 FormatFor(int channels) { return channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB; }

}  // namespace

absl::StatusOr<std::string> EncodePng(const Image& image) {
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() != size_t(image.width) * image.height * image.channels) {
    return absl::InvalidArgumentError("PNG: image size does not match its pixels");
  }
  return EncodePng(image.width, image.height, image.channels, image.pixels.data());
}

absl::StatusOr<std::string> EncodePng(int width, int height, int channels, const uint8_t* pixels) {
  if (channels != 1 && channels != 3) {
    return absl::InvalidArgumentError(absl::StrCat("PNG: unsupported channels ", channels));
  }
  if (width <= 0 || height <= 0) return absl::InvalidArgumentError("PNG: empty image");
  png_image png;
  std::memset(&png, 0, sizeof(png));
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(width);
  png.height = static_cast<png_uint_32>(height);
  png.format = FormatFor(channels);
  // One pass into a buffer of the worst-case size (compressing twice, once
  // to size the buffer, doubled the cost of small images).
  png_alloc_size_t size = PNG_IMAGE_PNG_SIZE_MAX(png);
  std::string out(size, '\0');
  if (!png_image_write_to_memory(&png, out.data(), &size, 0, pixels, 0, nullptr)) {
    return absl::InternalError(absl::StrCat("PNG encode failed: ", png.message));
  }
  out.resize(size);
  return out;
}

absl::StatusOr<Image> DecodePng(absl::string_view bytes, int channels) {
  png_image png;
  std::memset(&png, 0, sizeof(png));
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&png, bytes.data(), bytes.size())) {
    return absl::InvalidArgumentError(absl::StrCat("not a valid PNG: ", png.message));
  }
  constexpr png_uint_32 kMaxSide = 16384;
  if (png.width > kMaxSide || png.height > kMaxSide) {
    png_image_free(&png);
    return absl::InvalidArgumentError(
        absl::StrCat("PNG is ", png.width, "x", png.height, ", larger than ", kMaxSide));
  }
  png.format = FormatFor(channels);
  Image image(static_cast<int>(png.width), static_cast<int>(png.height), channels);
  png_color black{0, 0, 0};
  if (!png_image_finish_read(&png, &black, image.pixels.data(), 0, nullptr)) {
    return absl::InvalidArgumentError(absl::StrCat("corrupt PNG: ", png.message));
  }
  return image;
}

}  // namespace dcgan
