#ifndef DCGAN_CORE_DATA_PIXELS_H_
#define DCGAN_CORE_DATA_PIXELS_H_

#include "core/image/image.h"

namespace dcgan {

// Writes an 8-bit image as CHW floats scaled to [-1, 1] (0 -> -1, 255 -> 1),
// as DCGAN's tanh generator produces. A gray image is repeated into 3
// channels; an RGB one is averaged (ITU-R 601 luma) into 1.
void WriteChwInUnitRange(const Image& image, int channels, float* out);

}  // namespace dcgan

#endif  // DCGAN_CORE_DATA_PIXELS_H_
