#include "image/quality.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

namespace glimpse::image {
namespace {

Pixels make(int w, int h, int channels, uint8_t (*f)(int x, int y, int c)) {
  Pixels p;
  p.width = w;
  p.height = h;
  p.channels = channels;
  p.data.resize(static_cast<size_t>(w) * h * channels);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < channels; ++c)
        p.data[(static_cast<size_t>(y) * w + x) * channels + c] = f(x, y, c);
  return p;
}

uint8_t texture(int x, int y, int c) {
  return static_cast<uint8_t>((x * 7 + y * 13 + c * 50 + (x * y) % 31) & 0xff);
}
uint8_t flat_gray(int, int, int) { return 128; }

TEST(Psnr, IdenticalImagesAreInfinite) {
  Pixels a = make(16, 9, 3, texture);
  EXPECT_TRUE(std::isinf(psnr(a, a)));
}

TEST(Psnr, MatchesTheFormulaForAUniformError) {
  Pixels a = make(10, 10, 3, flat_gray);
  Pixels b = a;
  for (auto& v : b.data) v += 5;  // MSE 25
  EXPECT_NEAR(psnr(a, b), 10 * std::log10(255.0 * 255.0 / 25.0), 1e-9);
}

TEST(Psnr, RejectsImagesOfDifferentSizes) {
  EXPECT_THROW(psnr(make(4, 4, 1, flat_gray), make(4, 5, 1, flat_gray)), std::invalid_argument);
}

TEST(Ssim, IdenticalImagesScoreOne) {
  Pixels a = make(40, 30, 3, texture);
  EXPECT_NEAR(ssim(a, a), 1.0, 1e-12);
}

TEST(Ssim, MatchesTheFormulaOnOneWindow) {
  // An 8x8 pair is exactly one window: check against Wang et al.'s formula
  // with unbiased (co)variances, computed here directly.
  Pixels a = make(8, 8, 1, texture);
  Pixels b = make(8, 8, 1, [](int x, int y, int) { return static_cast<uint8_t>(x * 20 + y); });
  double ma = 0, mb = 0;
  for (int i = 0; i < 64; ++i) {
    ma += a.data[i] / 64.0;
    mb += b.data[i] / 64.0;
  }
  double va = 0, vb = 0, cov = 0;
  for (int i = 0; i < 64; ++i) {
    va += (a.data[i] - ma) * (a.data[i] - ma) / 63.0;
    vb += (b.data[i] - mb) * (b.data[i] - mb) / 63.0;
    cov += (a.data[i] - ma) * (b.data[i] - mb) / 63.0;
  }
  const double c1 = 6.5025, c2 = 58.5225;
  const double expected =
      ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
  EXPECT_NEAR(ssim(a, b), expected, 1e-9);
}

TEST(Ssim, IsSymmetricAndDropsWithDistortion) {
  Pixels a = make(64, 48, 1, texture);
  Pixels small_noise = a, big_noise = a;
  for (size_t i = 0; i < a.data.size(); ++i) {
    const int n = static_cast<int>((i * 2654435761u) % 9) - 4;
    small_noise.data[i] = static_cast<uint8_t>(std::clamp(a.data[i] + n, 0, 255));
    big_noise.data[i] = static_cast<uint8_t>(std::clamp(a.data[i] + 8 * n, 0, 255));
  }
  const double s_small = ssim(a, small_noise), s_big = ssim(a, big_noise);
  EXPECT_NEAR(s_small, ssim(small_noise, a), 1e-12);
  EXPECT_LT(s_small, 1.0);
  EXPECT_LT(s_big, s_small);
  EXPECT_GT(s_big, -1.0);
}

TEST(Ssim, ScoresRgbByItsLuma) {
  // An RGB image with R = G = B has luma equal to that value: it must score
  // exactly as the gray image does.
  auto distorted = [](int x, int y, int) {
    return static_cast<uint8_t>(texture(x, y, 0) / 2 + 40);
  };
  auto original = [](int x, int y, int) { return texture(x, y, 0); };
  const double gray = ssim(make(32, 32, 1, original), make(32, 32, 1, distorted));
  const double rgb = ssim(make(32, 32, 3, original), make(32, 32, 3, distorted));
  EXPECT_LT(gray, 1.0);
  EXPECT_NEAR(rgb, gray, 1e-9);
}

TEST(Ssim, HandlesImagesSmallerThanAWindow) {
  Pixels a = make(3, 5, 1, texture);
  EXPECT_NEAR(ssim(a, a), 1.0, 1e-12);
}

TEST(AreaDownscale, NeverUpscales) {
  Pixels a = make(100, 50, 3, texture);
  Pixels r = area_downscale(a, 1080);
  EXPECT_EQ(r.width, 100);
  EXPECT_EQ(r.height, 50);
  EXPECT_EQ(r.data, a.data);
}

TEST(AreaDownscale, HalvingAveragesTwoByTwoBlocks) {
  Pixels a = make(8, 6, 1, [](int x, int y, int) { return static_cast<uint8_t>(x * 10 + y * 20); });
  Pixels r = area_downscale(a, 4);
  ASSERT_EQ(r.width, 4);
  ASSERT_EQ(r.height, 3);
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 4; ++x)
      EXPECT_EQ(r.data[y * 4 + x], (2 * x * 10 + 5) + (2 * y * 20 + 10)) << x << "," << y;
}

TEST(AreaDownscale, KeepsAspectAndFlatColour) {
  Pixels a = make(2560, 1600, 3, [](int, int, int c) { return static_cast<uint8_t>(40 + 60 * c); });
  Pixels r = area_downscale(a, 1080);
  EXPECT_EQ(r.width, 1080);
  EXPECT_EQ(r.height, 675);
  EXPECT_EQ(r.channels, 3);
  for (size_t i = 0; i < r.data.size(); ++i) ASSERT_EQ(r.data[i], 40 + 60 * (i % 3));
}

TEST(DisplaySsim, EqualsSsimWhenAlreadyScreenSized) {
  Pixels a = make(60, 40, 3, texture);
  Pixels b = a;
  for (size_t i = 0; i < b.data.size(); i += 7) b.data[i] ^= 0x10;
  EXPECT_DOUBLE_EQ(display_ssim(a, b), ssim(a, b));
}

TEST(DisplaySsim, ScalingHidesFineNoise) {
  Pixels a = make(400, 300, 1, flat_gray);
  Pixels b = a;
  for (size_t i = 0; i < b.data.size(); ++i)
    b.data[i] = static_cast<uint8_t>(128 + ((i + i / 400) % 2 ? 20 : -20));
  EXPECT_GT(display_ssim(b, a, 100), ssim(b, a));
}

}  // namespace
}  // namespace glimpse::image
