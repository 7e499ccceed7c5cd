// make_test_photo OUT.jpg [WIDTH HEIGHT]: writes a synthetic, photo-like
// baseline JPEG (sky, sun, hills, buildings, textured ground; EXIF with
// orientation 1 and a GPS position) for demos and benchmarks without a corpus.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "image/image.hpp"
#include "tests/image/test_images.hpp"

namespace {

using glimpse::image::Pixels;

double lattice(int x, int y, unsigned seed) {
  unsigned h = static_cast<unsigned>(x) * 374761393u + static_cast<unsigned>(y) * 668265263u +
               seed * 2246822519u;
  h = (h ^ (h >> 13)) * 1274126177u;
  return ((h ^ (h >> 16)) & 0xFFFF) / 65535.0;
}

// Smooth value noise in [0, 1), several octaves.
double noise(double x, double y, unsigned seed) {
  double sum = 0, amp = 0.5, norm = 0;
  for (int octave = 0; octave < 5; ++octave) {
    const int xi = static_cast<int>(std::floor(x)), yi = static_cast<int>(std::floor(y));
    const double fx = x - xi, fy = y - yi;
    const double sx = fx * fx * (3 - 2 * fx), sy = fy * fy * (3 - 2 * fy);
    const double a = lattice(xi, yi, seed + octave), b = lattice(xi + 1, yi, seed + octave);
    const double c = lattice(xi, yi + 1, seed + octave), d = lattice(xi + 1, yi + 1, seed + octave);
    sum += amp * ((a + (b - a) * sx) * (1 - sy) + (c + (d - c) * sx) * sy);
    norm += amp;
    amp *= 0.5;
    x *= 2.03;
    y *= 2.03;
  }
  return sum / norm;
}

unsigned char clamp8(double v) {
  return static_cast<unsigned char>(v < 0 ? 0 : v > 255 ? 255 : v + 0.5);
}

Pixels make_photo(int w, int h) {
  Pixels p;
  p.width = w;
  p.height = h;
  p.channels = 3;
  p.data.resize(static_cast<size_t>(w) * h * 3);
  const double scale = 1600.0 / w;
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const double u = x * scale, v = y * scale;  // 1600-wide design coordinates
      const double horizon = 520 + 90 * noise(u / 300, 0.5, 7) - 40 * std::sin(u / 170);
      double r, g, b;
      if (v < horizon) {  // sky with clouds and a sun
        const double t = v / horizon;
        const double cloud = std::max(0.0, noise(u / 180, v / 90, 3) - 0.55) * 2.2;
        r = 90 + 90 * t + 160 * cloud;
        g = 140 + 70 * t + 150 * cloud;
        b = 230 - 20 * t + 25 * cloud;
        const double sun = std::hypot(u - 1220, v - 210);
        if (sun < 70)
          r = 255, g = 245, b = 200;
        else if (sun < 160) {
          const double k = (160 - sun) / 90;
          r += 80 * k;
          g += 60 * k;
          b -= 20 * k;
        }
      } else {  // ground: grass texture with a path
        const double tex = noise(u / 6, v / 6, 11), big = noise(u / 120, v / 120, 5);
        r = 60 + 50 * big + 50 * tex;
        g = 100 + 60 * big + 45 * tex;
        b = 40 + 20 * big + 25 * tex;
        if (std::fabs(u - 800 - (v - 1200) * 0.6) < (v - horizon) * 0.25) {
          r = 170 + 40 * tex;
          g = 150 + 35 * tex;
          b = 120 + 30 * tex;
        }
      }
      // Buildings: hard edges, windows.
      for (int k = 0; k < 5; ++k) {
        const double left = 120 + k * 190, width = 120 + 25 * (k % 3),
                     top = 380 - 60 * ((k * 7) % 4);
        if (u >= left && u < left + width && v >= top && v < horizon + 30) {
          const double shade = 0.6 + 0.08 * k;
          r = 150 * shade;
          g = 140 * shade;
          b = 135 * shade;
          const bool window = std::fmod(u - left, 24) > 8 && std::fmod(v - top, 30) > 10;
          if (window) {
            r = 40;
            g = 50 + 20 * (k % 2);
            b = 70;
            if (((int(u) / 24 + int(v) / 30 + k) % 5) == 0) r = 240, g = 220, b = 140;
          }
        }
      }
      unsigned char* px = &p.data[(static_cast<size_t>(y) * w + x) * 3];
      px[0] = clamp8(r);
      px[1] = clamp8(g);
      px[2] = clamp8(b);
    }
  }
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2 && argc != 4) {
    std::fprintf(stderr, "usage: make_test_photo OUT.jpg [WIDTH HEIGHT]   (default 1600 1200)\n");
    return 2;
  }
  const int w = argc == 4 ? std::atoi(argv[2]) : 1600, h = argc == 4 ? std::atoi(argv[3]) : 1200;
  if (w < 16 || h < 16 || w > 20000 || h > 20000) {
    std::fprintf(stderr, "make_test_photo: size must be 16..20000 on each side\n");
    return 2;
  }
  glimpse::image::test::JpegSpec spec;
  spec.quality = 92;
  const std::string jpeg = glimpse::image::test::insert_after_soi(
      glimpse::image::test::make_jpeg(make_photo(w, h), spec),
      glimpse::image::test::exif_segment(1, true));
  auto written = glimpse::image::write_file_atomic(argv[1], jpeg);
  if (!written) {
    std::fprintf(stderr, "make_test_photo: %s: %s\n", argv[1], written.error().message.c_str());
    return 1;
  }
  std::printf("make_test_photo: wrote %s (%dx%d, %zu bytes)\n", argv[1], w, h, jpeg.size());
  return 0;
}
