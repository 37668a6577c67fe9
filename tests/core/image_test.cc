#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <jpeglib.h>

#include <csetjmp>
#include <cstdio>

#include "core/image/image_ops.h"
#include "core/image/jpeg_decoder.h"
#include "core/image/png_codec.h"

namespace dcgan {
namespace {

Image Gradient(int w, int h, int c) {
  Image image(w, h, c);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int ch = 0; ch < c; ++ch)
        image.row(y)[x * c + ch] = uint8_t((x * 7 + y * 13 + ch * 50) % 256);
  return image;
}

// A real JPEG, made with libjpeg's encoder, for the decoder to read.
std::string EncodeJpeg(const Image& image) {
  jpeg_compress_struct info;
  jpeg_error_mgr errors;
  info.err = jpeg_std_error(&errors);
  jpeg_create_compress(&info);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&info, &buffer, &size);
  info.image_width = image.width;
  info.image_height = image.height;
  info.input_components = image.channels;
  info.in_color_space = image.channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&info);
  jpeg_set_quality(&info, 95, TRUE);
  jpeg_start_compress(&info, TRUE);
  while (info.next_scanline < info.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(image.row(int(info.next_scanline)));
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  std::string out(reinterpret_cast<char*>(buffer), size);
  jpeg_destroy_compress(&info);
  free(buffer);
  return out;
}

TEST(PngTest, RoundTripsGrayAndRgb) {
  for (int c : {1, 3}) {
    const Image image = Gradient(37, 21, c);
    auto png = EncodePng(image);
    ASSERT_TRUE(png.ok()) << png.status();
    EXPECT_EQ(png->substr(1, 3), "PNG");
    auto back = DecodePng(*png, c);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->width, 37);
    EXPECT_EQ(back->height, 21);
    EXPECT_EQ(back->pixels, image.pixels);
  }
}

TEST(PngTest, SamePixelsSameBytes) {
  EXPECT_EQ(*EncodePng(Gradient(8, 8, 3)), *EncodePng(Gradient(8, 8, 3)));
}

TEST(PngTest, ConvertsBetweenGrayAndRgb) {
  auto png = EncodePng(Gradient(4, 4, 1));
  auto rgb = DecodePng(*png, 3);
  ASSERT_TRUE(rgb.ok());
  EXPECT_EQ(rgb->channels, 3);
  EXPECT_EQ(rgb->pixels[0], rgb->pixels[1]);
}

TEST(PngTest, GarbageAndTruncationAreErrors) {
  EXPECT_EQ(DecodePng("definitely not a png", 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto png = EncodePng(Gradient(64, 64, 3));
  EXPECT_FALSE(DecodePng(png->substr(0, png->size() / 2), 3).ok());
  EXPECT_FALSE(EncodePng(Image(0, 0, 1)).ok());
  EXPECT_FALSE(EncodePng(Image(2, 2, 2)).ok());
}

TEST(JpegTest, DecodesRealJpeg) {
  Image image(40, 30, 3);  // smooth, as photographs are: JPEG's best case
  for (int y = 0; y < 30; ++y)
    for (int x = 0; x < 40; ++x)
      for (int c = 0; c < 3; ++c) image.row(y)[x * 3 + c] = uint8_t(x * 4 + y * 2 + c * 20);
  auto decoded = DecodeJpeg(EncodeJpeg(image), 3);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->width, 40);
  EXPECT_EQ(decoded->height, 30);
  // Lossy, but close: mean absolute error of a few levels.
  double error = 0;
  for (size_t i = 0; i < image.pixels.size(); ++i)
    error += std::abs(image.pixels[i] - decoded->pixels[i]);
  EXPECT_LT(error / image.pixels.size(), 8.0);
  auto gray = DecodeJpeg(EncodeJpeg(image), 1);
  ASSERT_TRUE(gray.ok());
  EXPECT_EQ(gray->channels, 1);
}

TEST(JpegTest, CorruptJpegIsAnError) {
  EXPECT_EQ(DecodeJpeg("\xff\xd8 not really", 3).status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::string jpeg = EncodeJpeg(Gradient(32, 32, 3));
  EXPECT_FALSE(DecodeJpeg(jpeg.substr(0, 20), 3).ok());
}

TEST(ImageOpsTest, CenterCropResizePad) {
  const Image wide = Gradient(30, 10, 3);
  const Image square = CenterCropSquare(wide);
  EXPECT_EQ(square.width, 10);
  EXPECT_EQ(square.height, 10);
  EXPECT_EQ(square.row(0)[0], wide.row(0)[10 * 3]);

  Image flat(28, 28, 1);
  std::fill(flat.pixels.begin(), flat.pixels.end(), 200);
  for (int size : {16, 64, 128}) {
    const Image resized = Resize(flat, size, size);
    EXPECT_EQ(resized.width, size);
    for (uint8_t v : resized.pixels) ASSERT_EQ(v, 200);  // a flat image stays flat
  }
  const Image padded = PadToSquare(flat, 32, 0);
  EXPECT_EQ(padded.row(0)[0], 0);
  EXPECT_EQ(padded.row(2)[2], 200);
  EXPECT_EQ(padded.row(29)[29], 200);
  EXPECT_EQ(padded.row(30)[30], 0);
}

TEST(ImageOpsTest, DownscaleAverages) {
  Image checker(4, 4, 1);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) checker.row(y)[x] = ((x + y) % 2) ? 255 : 0;
  const Image small = Resize(checker, 2, 2);
  // Point sampling would give 0 or 255; the widened filter gives a mid gray.
  for (uint8_t v : small.pixels) EXPECT_NEAR(v, 128, 10);
}

TEST(ImageOpsTest, TileGridLayout) {
  std::vector<Image> tiles(5, Gradient(4, 3, 1));
  const Image grid = TileGrid(tiles, 3, 1, 9);
  EXPECT_EQ(grid.width, 3 * 5 + 1);
  EXPECT_EQ(grid.height, 2 * 4 + 1);
  EXPECT_EQ(grid.row(0)[0], 9);
  EXPECT_EQ(grid.row(1)[1], tiles[0].row(0)[0]);
}

}  // namespace
}  // namespace dcgan
