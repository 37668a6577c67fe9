#ifndef DCGAN_CORE_IMAGE_IMAGE_H_
#define DCGAN_CORE_IMAGE_IMAGE_H_

#include <cstdint>
#include <vector>

namespace dcgan {

// An 8-bit image, rows top to bottom, pixels interleaved (HWC): 1 channel is
// gray, 3 is RGB. A plain value type; no torch.
struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::vector<uint8_t> pixels;  // width * height * channels bytes

  Image() = default;
  Image(int w, int h, int c) : width(w), height(h), channels(c), pixels(size_t(w) * h * c) {}
  uint8_t* row(int y) { return pixels.data() + size_t(y) * width * channels; }
  const uint8_t* row(int y) const { return pixels.data() + size_t(y) * width * channels; }
};

}  // namespace dcgan

#endif  // DCGAN_CORE_IMAGE_IMAGE_H_
