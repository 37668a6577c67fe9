#ifndef DCGAN_CORE_IMAGE_IMAGE_OPS_H_
#define DCGAN_CORE_IMAGE_IMAGE_OPS_H_

#include <vector>

#include "core/image/image.h"

namespace dcgan {

// The largest centred square of `image`.
Image CenterCropSquare(const Image& image);

// Resamples to width x height with a triangle (bilinear) filter that widens
// when shrinking, so downscaling averages instead of aliasing (as PIL does).
Image Resize(const Image& image, int width, int height);

// Centres `image` on a size x size canvas of `fill`; `image` must fit.
Image PadToSquare(const Image& image, int size, uint8_t fill);

// Tiles equally sized images into a grid of `columns` (the last row may be
// short), with `padding` pixels of `fill` between and around tiles.
Image TileGrid(const std::vector<Image>& tiles, int columns, int padding, uint8_t fill);

}  // namespace dcgan

#endif  // DCGAN_CORE_IMAGE_IMAGE_OPS_H_
