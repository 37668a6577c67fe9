#include "core/data/pixels.h"

namespace dcgan {

void WriteChwInUnitRange(const Image& image, int channels, float* out) {
  const size_t plane = size_t(image.width) * image.height;
  const uint8_t* p = image.pixels.data();
  auto scale = [](float v) { return v * (2.0f / 255.0f) - 1.0f; };
  if (image.channels == channels) {
    for (int c = 0; c < channels; ++c) {
      for (size_t i = 0; i < plane; ++i) out[c * plane + i] = scale(p[i * channels + c]);
    }
  } else if (image.channels == 1) {  // gray -> RGB
    for (size_t i = 0; i < plane; ++i) {
      const float v = scale(p[i]);
      for (int c = 0; c < channels; ++c) out[c * plane + i] = v;
    }
  } else {  // RGB -> gray
    for (size_t i = 0; i < plane; ++i) {
      const float luma = 0.299f * p[3 * i] + 0.587f * p[3 * i + 1] + 0.114f * p[3 * i + 2];
      out[i] = scale(luma);
    }
  }
}

}  // namespace dcgan
