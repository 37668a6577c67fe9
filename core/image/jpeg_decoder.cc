#include "core/image/jpeg_decoder.h"

#include <csetjmp>
#include <cstdio>
// jpeglib.h needs FILE and size_t declared first.
#include <jpeglib.h>

#include "absl/strings/str_cat.h"

namespace dcgan {
namespace {

struct ErrorManager {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void OnError(j_common_ptr info) {
  auto* manager = reinterpret_cast<ErrorManager*>(info->err);
  (*info->err->format_message)(info, manager->message);
  std::longjmp(manager->jump, 1);
}

void OnMessage(j_common_ptr, int) {}  // warnings are not worth a log line

}  // namespace

absl::StatusOr<Image> DecodeJpeg(absl::string_view bytes, int channels) {
  jpeg_decompress_struct info;
  ErrorManager errors;
  info.err = jpeg_std_error(&errors.base);
  errors.base.error_exit = &OnError;
  errors.base.emit_message = &OnMessage;
  // Declared before setjmp so a longjmp cannot skip its construction.
  Image image;
  if (setjmp(errors.jump)) {
    jpeg_destroy_decompress(&info);
    return absl::InvalidArgumentError(absl::StrCat("corrupt JPEG: ", errors.message));
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, reinterpret_cast<const unsigned char*>(bytes.data()),
               static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&info, TRUE);
  info.out_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  if (info.image_width > 16384 || info.image_height > 16384) {
    jpeg_destroy_decompress(&info);
    return absl::InvalidArgumentError("JPEG larger than 16384 pixels a side");
  }
  jpeg_start_decompress(&info);
  image =
      Image(static_cast<int>(info.output_width), static_cast<int>(info.output_height), channels);
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = image.row(static_cast<int>(info.output_scanline));
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return image;
}

}  // namespace dcgan
