#include "image/quality.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace glimpse::image {
namespace {

void require_same_shape(const Pixels& a, const Pixels& b, const char* what) {
  if (a.width != b.width || a.height != b.height || a.channels != b.channels ||
      a.data.size() != b.data.size()) {
    throw std::invalid_argument(std::string(what) + ": images differ in size or channels");
  }
}

// BT.601 luma (what JPEG's YCbCr uses), as doubles; gray input is its own luma.
std::vector<double> luma(const Pixels& p) {
  const size_t n = static_cast<size_t>(p.width) * p.height;
  std::vector<double> y(n);
  if (p.channels == 1) {
    for (size_t i = 0; i < n; ++i) y[i] = p.data[i];
  } else {
    for (size_t i = 0; i < n; ++i) {
      const uint8_t* px = &p.data[i * p.channels];
      y[i] = 0.299 * px[0] + 0.587 * px[1] + 0.114 * px[2];
    }
  }
  return y;
}

// Summed-area table with a zero first row and column: (w+1) x (h+1).
std::vector<double> integral(const std::vector<double>& v, int w, int h) {
  std::vector<double> s(static_cast<size_t>(w + 1) * (h + 1), 0.0);
  for (int y = 0; y < h; ++y) {
    double row = 0;
    for (int x = 0; x < w; ++x) {
      row += v[static_cast<size_t>(y) * w + x];
      s[static_cast<size_t>(y + 1) * (w + 1) + x + 1] =
          s[static_cast<size_t>(y) * (w + 1) + x + 1] + row;
    }
  }
  return s;
}

double box(const std::vector<double>& s, int w, int x, int y, int n) {
  const size_t stride = static_cast<size_t>(w) + 1;
  return s[(y + n) * stride + x + n] - s[y * stride + x + n] - s[(y + n) * stride + x] +
         s[y * stride + x];
}

// 1-D area-resampling weights: output sample i covers input [i*r, (i+1)*r).
struct Tap {
  int first;
  std::vector<double> weights;
};

std::vector<Tap> area_taps(int in, int out) {
  std::vector<Tap> taps(out);
  const double r = static_cast<double>(in) / out;
  for (int i = 0; i < out; ++i) {
    const double lo = i * r, hi = std::min<double>((i + 1) * r, in);
    Tap& t = taps[i];
    t.first = static_cast<int>(std::floor(lo));
    for (int j = t.first; j < hi; ++j) {
      const double cover = std::min<double>(j + 1, hi) - std::max<double>(j, lo);
      t.weights.push_back(cover / r);
    }
  }
  return taps;
}

}  // namespace

double psnr(const Pixels& a, const Pixels& b) {
  require_same_shape(a, b, "psnr");
  if (a.data.empty()) return std::numeric_limits<double>::infinity();
  double sse = 0;
  for (size_t i = 0; i < a.data.size(); ++i) {
    const double d = static_cast<double>(a.data[i]) - b.data[i];
    sse += d * d;
  }
  if (sse == 0) return std::numeric_limits<double>::infinity();
  const double mse = sse / a.data.size();
  return 10.0 * std::log10(255.0 * 255.0 / mse);
}

// Uniform 8x8 windows at every position (stride 1), computed with summed-area
// tables so the cost is linear in pixels. Images smaller than a window use
// one window over the whole image.
double ssim(const Pixels& a, const Pixels& b) {
  require_same_shape(a, b, "ssim");
  const int w = a.width, h = a.height;
  if (w <= 0 || h <= 0) return 1.0;
  const std::vector<double> ya = luma(a), yb = luma(b);
  std::vector<double> aa(ya.size()), bb(ya.size()), ab(ya.size());
  for (size_t i = 0; i < ya.size(); ++i) {
    aa[i] = ya[i] * ya[i];
    bb[i] = yb[i] * yb[i];
    ab[i] = ya[i] * yb[i];
  }
  const auto sa = integral(ya, w, h), sb = integral(yb, w, h);
  const auto saa = integral(aa, w, h), sbb = integral(bb, w, h), sab = integral(ab, w, h);

  constexpr double c1 = (0.01 * 255) * (0.01 * 255);
  constexpr double c2 = (0.03 * 255) * (0.03 * 255);
  const int n = std::min({8, w, h});
  const double count = static_cast<double>(n) * n;
  // Unbiased (co)variances, as in Wang et al.'s reference implementation.
  const double var_norm = count > 1 ? count / (count - 1) : 1.0;
  double total = 0;
  long windows = 0;
  for (int y = 0; y + n <= h; ++y) {
    for (int x = 0; x + n <= w; ++x) {
      const double ma = box(sa, w, x, y, n) / count, mb = box(sb, w, x, y, n) / count;
      const double va = (box(saa, w, x, y, n) / count - ma * ma) * var_norm;
      const double vb = (box(sbb, w, x, y, n) / count - mb * mb) * var_norm;
      const double cov = (box(sab, w, x, y, n) / count - ma * mb) * var_norm;
      total += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
      ++windows;
    }
  }
  return total / windows;
}

Pixels area_downscale(const Pixels& p, int max_edge) {
  const int longest = std::max(p.width, p.height);
  if (max_edge <= 0 || longest <= max_edge) return p;
  const double s = static_cast<double>(max_edge) / longest;
  const int ow = std::max(1, static_cast<int>(std::lround(p.width * s)));
  const int oh = std::max(1, static_cast<int>(std::lround(p.height * s)));
  const int c = p.channels;
  const auto tx = area_taps(p.width, ow), ty = area_taps(p.height, oh);

  // Horizontal pass into doubles, then vertical pass into bytes.
  std::vector<double> rows(static_cast<size_t>(ow) * p.height * c, 0.0);
  for (int y = 0; y < p.height; ++y) {
    const uint8_t* in = &p.data[static_cast<size_t>(y) * p.width * c];
    double* out = &rows[static_cast<size_t>(y) * ow * c];
    for (int x = 0; x < ow; ++x) {
      const Tap& t = tx[x];
      for (size_t k = 0; k < t.weights.size(); ++k) {
        const uint8_t* px = in + static_cast<size_t>(t.first + k) * c;
        for (int ch = 0; ch < c; ++ch) out[x * c + ch] += t.weights[k] * px[ch];
      }
    }
  }
  Pixels r;
  r.width = ow;
  r.height = oh;
  r.channels = c;
  r.data.resize(static_cast<size_t>(ow) * oh * c);
  std::vector<double> acc(static_cast<size_t>(ow) * c);
  for (int y = 0; y < oh; ++y) {
    std::fill(acc.begin(), acc.end(), 0.0);
    const Tap& t = ty[y];
    for (size_t k = 0; k < t.weights.size(); ++k) {
      const double* row = &rows[static_cast<size_t>(t.first + k) * ow * c];
      for (size_t i = 0; i < acc.size(); ++i) acc[i] += t.weights[k] * row[i];
    }
    uint8_t* out = &r.data[static_cast<size_t>(y) * ow * c];
    for (size_t i = 0; i < acc.size(); ++i) {
      out[i] = static_cast<uint8_t>(std::clamp(std::lround(acc[i]), 0l, 255l));
    }
  }
  return r;
}

double display_ssim(const Pixels& shown, const Pixels& final_picture, int screen_edge) {
  require_same_shape(shown, final_picture, "display_ssim");
  return ssim(area_downscale(shown, screen_edge), area_downscale(final_picture, screen_edge));
}

}  // namespace glimpse::image
