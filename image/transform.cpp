// Pixel-level transforms a re-encode needs: EXIF orientation and CMYK -> RGB.
#include "image/codec.hpp"

namespace glimpse::image::detail {

Pixels apply_orientation(const Pixels& in, int orientation) {
  if (orientation < 2 || orientation > 8) return in;
  const int w = in.width, h = in.height, ch = in.channels;
  const bool swap = orientation >= 5;
  Pixels out;
  out.width = swap ? h : w;
  out.height = swap ? w : h;
  out.channels = ch;
  out.data.resize(in.data.size());
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      int sx = x, sy = y;
      switch (orientation) {
        case 2:
          sx = w - 1 - x;
          break;  // mirror left-right
        case 3:
          sx = w - 1 - x;
          sy = h - 1 - y;
          break;  // rotate 180
        case 4:
          sy = h - 1 - y;
          break;  // mirror top-bottom
        case 5:
          sx = y;
          sy = x;
          break;  // transpose
        case 6:
          sx = y;
          sy = h - 1 - x;
          break;  // rotate 90 clockwise
        case 7:
          sx = w - 1 - y;
          sy = h - 1 - x;
          break;  // transverse
        case 8:
          sx = w - 1 - y;
          sy = x;
          break;  // rotate 90 counter-clockwise
      }
      const uint8_t* src = &in.data[(static_cast<size_t>(sy) * w + sx) * ch];
      uint8_t* dst = &out.data[(static_cast<size_t>(y) * out.width + x) * ch];
      for (int c = 0; c < ch; ++c) dst[c] = src[c];
    }
  }
  return out;
}

Pixels cmyk_to_rgb(const uint8_t* cmyk, int width, int height, bool inverted) {
  Pixels out;
  out.width = width;
  out.height = height;
  out.channels = 3;
  const size_t n = static_cast<size_t>(width) * height;
  out.data.resize(n * 3);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* p = cmyk + i * 4;
    // Adobe (Photoshop) CMYK JPEGs store inverted ink values.
    const unsigned k = inverted ? p[3] : 255 - p[3];
    for (int c = 0; c < 3; ++c) {
      const unsigned v = inverted ? p[c] : 255 - p[c];
      out.data[i * 3 + c] = static_cast<uint8_t>((v * k + 127) / 255);
    }
  }
  return out;
}

}  // namespace glimpse::image::detail
