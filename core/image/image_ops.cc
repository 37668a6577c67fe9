#include "core/image/image_ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace dcgan {
namespace {

// Per output index: the first input index and the normalised weights.
struct Taps {
  std::vector<int> first;
  std::vector<std::vector<float>> weights;
};

Taps ComputeTaps(int in_size, int out_size) {
  const double scale = double(in_size) / out_size;
  const double support = std::max(scale, 1.0);
  Taps taps;
  taps.first.resize(out_size);
  taps.weights.resize(out_size);
  for (int o = 0; o < out_size; ++o) {
    const double center = (o + 0.5) * scale - 0.5;
    const int lo = std::max(0, int(std::floor(center - support)) + 1);
    const int hi = std::min(in_size - 1, int(std::ceil(center + support)) - 1);
    double total = 0;
    std::vector<float>& w = taps.weights[o];
    for (int i = lo; i <= hi; ++i) {
      const double t = 1.0 - std::abs(i - center) / support;
      w.push_back(float(std::max(t, 0.0)));
      total += w.back();
    }
    if (total <= 0) {  // centre outside the image: nearest edge pixel
      const int nearest = std::clamp(int(std::lround(center)), 0, in_size - 1);
      taps.first[o] = nearest;
      w.assign(1, 1.0f);
      continue;
    }
    for (float& v : w) v = float(v / total);
    taps.first[o] = lo;
  }
  return taps;
}

uint8_t ToByte(float v) { return uint8_t(std::clamp(std::lround(v), 0L, 255L)); }

}  // namespace

Image CenterCropSquare(const Image& image) {
  const int side = std::min(image.width, image.height);
  const int x0 = (image.width - side) / 2;
  const int y0 = (image.height - side) / 2;
  Image out(side, side, image.channels);
  for (int y = 0; y < side; ++y) {
    std::memcpy(out.row(y), image.row(y0 + y) + size_t(x0) * image.channels,
                size_t(side) * image.channels);
  }
  return out;
}

Image Resize(const Image& image, int width, int height) {
  if (image.width == width && image.height == height) return image;
  const int c = image.channels;
  const Taps horizontal = ComputeTaps(image.width, width);
  const Taps vertical = ComputeTaps(image.height, height);
  // Horizontal pass into floats, then vertical pass into bytes.
  std::vector<float> wide(size_t(image.height) * width * c);
  for (int y = 0; y < image.height; ++y) {
    const uint8_t* in = image.row(y);
    float* out = wide.data() + size_t(y) * width * c;
    for (int x = 0; x < width; ++x) {
      const std::vector<float>& w = horizontal.weights[x];
      for (int ch = 0; ch < c; ++ch) {
        float sum = 0;
        for (size_t k = 0; k < w.size(); ++k) sum += w[k] * in[(horizontal.first[x] + k) * c + ch];
        out[x * c + ch] = sum;
      }
    }
  }
  Image result(width, height, c);
  const size_t stride = size_t(width) * c;
  for (int y = 0; y < height; ++y) {
    const std::vector<float>& w = vertical.weights[y];
    uint8_t* out = result.row(y);
    for (size_t i = 0; i < stride; ++i) {
      float sum = 0;
      for (size_t k = 0; k < w.size(); ++k)
        sum += w[k] * wide[(vertical.first[y] + k) * stride + i];
      out[i] = ToByte(sum);
    }
  }
  return result;
}

Image PadToSquare(const Image& image, int size, uint8_t fill) {
  Image out(size, size, image.channels);
  std::fill(out.pixels.begin(), out.pixels.end(), fill);
  const int x0 = (size - image.width) / 2;
  const int y0 = (size - image.height) / 2;
  for (int y = 0; y < image.height; ++y) {
    std::memcpy(out.row(y0 + y) + size_t(x0) * image.channels, image.row(y),
                size_t(image.width) * image.channels);
  }
  return out;
}

Image TileGrid(const std::vector<Image>& tiles, int columns, int padding, uint8_t fill) {
  if (tiles.empty()) return Image();
  const int n = int(tiles.size());
  columns = std::max(1, std::min(columns, n));
  const int rows = (n + columns - 1) / columns;
  const int w = tiles[0].width, h = tiles[0].height, c = tiles[0].channels;
  Image grid(columns * (w + padding) + padding, rows * (h + padding) + padding, c);
  std::fill(grid.pixels.begin(), grid.pixels.end(), fill);
  for (int i = 0; i < n; ++i) {
    const int gx = padding + (i % columns) * (w + padding);
    const int gy = padding + (i / columns) * (h + padding);
    for (int y = 0; y < h; ++y) {
      std::memcpy(grid.row(gy + y) + size_t(gx) * c, tiles[i].row(y), size_t(w) * c);
    }
  }
  return grid;
}

}  // namespace dcgan
