// decode_prefix() and scan_index(): any prefix of a progressive JPEG shows its complete scans.
#include <gtest/gtest.h>

#include <cmath>

#include "image/image.hpp"
#include "image/quality.hpp"
#include "tests/image/test_images.hpp"

namespace glimpse::image {
namespace {

Prepared small_progressive(int channels = 3, int width = 64, int height = 48) {
  Result<Prepared> p = prepare(test::make_jpeg(test::make_picture(width, height, channels), {}));
  EXPECT_TRUE(p.ok());
  return p.value();
}

TEST(DecodePrefix, EveryPrefixLengthDecodesOrSaysNoCompleteScan) {
  const Prepared p = small_progressive();
  const Result<Pixels> final_picture = decode(p.jpeg);
  ASSERT_TRUE(final_picture.ok());
  int last_scans = 0;
  for (size_t n = 0; n <= p.jpeg.size(); ++n) {
    Result<Decoded> d = decode_prefix(std::string_view(p.jpeg).substr(0, n));
    if (n < p.scan_ends.front()) {
      ASSERT_FALSE(d.ok()) << "prefix " << n << " decoded before the first scan was complete";
      EXPECT_TRUE(d.error().kind == ErrorKind::truncated ||
                  d.error().kind == ErrorKind::not_an_image)
          << n << ": " << d.error().message;
      continue;
    }
    ASSERT_TRUE(d.ok()) << "prefix " << n << ": " << d.error().message;
    EXPECT_EQ(d->pixels.width, p.width);
    EXPECT_EQ(d->pixels.height, p.height);
    EXPECT_GE(d->scans, last_scans) << n;
    last_scans = d->scans;
    // A prefix shows exactly the scans that end within it; the last scan's end
    // counts its EOI, which a decoder does not need.
    int expected = 0;
    while (expected < static_cast<int>(p.scan_ends.size()) && p.scan_ends[expected] <= n)
      ++expected;
    if (n + 2 >= p.jpeg.size()) expected = static_cast<int>(p.scan_ends.size());
    EXPECT_EQ(d->scans, expected) << "prefix " << n;
  }
  EXPECT_EQ(last_scans, static_cast<int>(p.scan_ends.size()));
}

TEST(DecodePrefix, ProgressiveWithRestartMarkersDecodesAtEveryLength) {
  test::JpegSpec spec;
  spec.progressive = true;
  spec.restart_interval = 2;
  const std::string jpeg = test::make_jpeg(test::make_picture(48, 40), spec);
  ASSERT_TRUE(test::contains(jpeg, "\xFF\xD0"));
  Result<std::vector<uint64_t>> ends = scan_index(jpeg);
  ASSERT_TRUE(ends.ok());
  ASSERT_EQ(ends->size(), 10u);
  int last_scans = 0;
  for (size_t n = ends->front(); n <= jpeg.size(); ++n) {
    Result<Decoded> d = decode_prefix(std::string_view(jpeg).substr(0, n));
    ASSERT_TRUE(d.ok()) << "prefix " << n << ": " << d.error().message;
    EXPECT_GE(d->scans, last_scans);
    last_scans = d->scans;
  }
  EXPECT_EQ(last_scans, 10);
  EXPECT_TRUE(decode_prefix(jpeg)->pixels.data == decode(jpeg)->data);
}

TEST(DecodePrefix, FullLengthDecodesToExactlyTheFinalPixels) {
  const Prepared p = small_progressive();
  Result<Decoded> d = decode_prefix(p.jpeg);
  Result<Pixels> full = decode(p.jpeg);
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(full.ok());
  EXPECT_TRUE(d->pixels.data == full->data);
}

TEST(DecodePrefix, QualityGrowsFromTheFirstScanToTheLast) {
  const Prepared p = small_progressive(3, 160, 120);
  const Result<Pixels> final_picture = decode(p.jpeg);
  ASSERT_TRUE(final_picture.ok());
  std::vector<double> db;
  for (uint64_t end : p.scan_ends) {
    Result<Decoded> d = decode_prefix(std::string_view(p.jpeg).substr(0, end));
    ASSERT_TRUE(d.ok()) << d.error().message;
    db.push_back(psnr(d->pixels, final_picture.value()));
  }
  EXPECT_TRUE(std::isinf(db.back()));
  EXPECT_GT(db[db.size() - 2], db.front() + 5) << "second-to-last scan barely beats the first";
  EXPECT_GT(db.front(), 15) << "the first picture should already resemble the photo";
}

TEST(DecodePrefix, GrayProgressiveDecodesAtEveryScanEnd) {
  const Prepared p = small_progressive(1);
  for (size_t i = 0; i < p.scan_ends.size(); ++i) {
    Result<Decoded> d = decode_prefix(std::string_view(p.jpeg).substr(0, p.scan_ends[i]));
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(d->pixels.channels, 1);
    EXPECT_EQ(d->scans, static_cast<int>(i) + 1);
  }
}

TEST(DecodePrefix, ScaleDenomShrinksTheOutput) {
  const Prepared p = small_progressive(3, 160, 120);
  for (int denom : {2, 4, 8}) {
    DecodeOptions options;
    options.scale_denom = denom;
    Result<Decoded> d = decode_prefix(std::string_view(p.jpeg).substr(0, p.scan_ends[1]), options);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->pixels.width, 160 / denom);
    EXPECT_EQ(d->pixels.height, 120 / denom);
  }
  DecodeOptions bad;
  bad.scale_denom = 3;
  Result<Decoded> d = decode_prefix(p.jpeg, bad);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().kind, ErrorKind::invalid_argument);
}

TEST(DecodePrefix, ScanCountAboveTheGuardIsRefused) {
  const Prepared p = small_progressive();
  DecodeOptions options;
  options.max_scans = static_cast<int>(p.scan_ends.size()) - 1;
  Result<Decoded> d = decode_prefix(p.jpeg, options);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().kind, ErrorKind::too_large);
  options.max_scans = static_cast<int>(p.scan_ends.size());
  EXPECT_TRUE(decode_prefix(p.jpeg, options).ok());
}

TEST(DecodePrefix, PrefixInsideTheSignatureIsTruncated) {
  EXPECT_EQ(decode_prefix("\xFF").error().kind, ErrorKind::truncated);
  EXPECT_EQ(decode_prefix("\xFF\xD8").error().kind, ErrorKind::truncated);
}

TEST(DecodePrefix, PixelLimitIsRefused) {
  const Prepared p = small_progressive();
  DecodeOptions options;
  options.max_pixels = 64 * 48 - 1;
  Result<Decoded> d = decode_prefix(p.jpeg, options);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().kind, ErrorKind::too_large);
}

TEST(DecodePrefix, BlockSmoothingChangesOnlyIncompletePictures) {
  const Prepared p = small_progressive(3, 160, 120);
  DecodeOptions plain;
  plain.block_smoothing = false;
  const std::string_view first = std::string_view(p.jpeg).substr(0, p.scan_ends[0]);
  Result<Decoded> smooth = decode_prefix(first);
  Result<Decoded> blocky = decode_prefix(first, plain);
  ASSERT_TRUE(smooth.ok());
  ASSERT_TRUE(blocky.ok());
  EXPECT_FALSE(smooth->pixels.data == blocky->pixels.data);
  EXPECT_TRUE(decode_prefix(p.jpeg)->pixels.data == decode_prefix(p.jpeg, plain)->pixels.data);
}

TEST(DecodePrefix, BaselineInputIsOneScan) {
  const std::string jpeg = test::make_jpeg(test::make_picture(64, 48), {});
  Result<std::vector<uint64_t>> ends = scan_index(jpeg);
  ASSERT_TRUE(ends.ok());
  ASSERT_EQ(ends->size(), 1u);
  EXPECT_EQ(ends->back(), jpeg.size());
  Result<Decoded> d = decode_prefix(jpeg);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->scans, 1);
  Result<Decoded> half = decode_prefix(std::string_view(jpeg).substr(0, jpeg.size() / 2));
  ASSERT_FALSE(half.ok());
  EXPECT_EQ(half.error().kind, ErrorKind::truncated);
}

TEST(ScanIndex, TruncatedFileListsOnlyCompleteScans) {
  const Prepared p = small_progressive();
  for (size_t i = 0; i + 1 < p.scan_ends.size(); ++i) {
    const uint64_t mid = (p.scan_ends[i] + p.scan_ends[i + 1]) / 2;
    Result<std::vector<uint64_t>> ends = scan_index(std::string_view(p.jpeg).substr(0, mid));
    ASSERT_TRUE(ends.ok());
    EXPECT_EQ(ends.value(),
              std::vector<uint64_t>(p.scan_ends.begin(), p.scan_ends.begin() + i + 1));
  }
}

TEST(ScanIndex, NonJpegIsRefused) {
  EXPECT_EQ(scan_index("").error().kind, ErrorKind::not_an_image);
  EXPECT_EQ(scan_index("hello").error().kind, ErrorKind::not_an_image);
}

TEST(FrameSize, ReadsTheFrameHeaderOfAnyPrefixThatHoldsIt) {
  const std::string jpeg = test::make_jpeg(test::make_picture(97, 41), {});
  Result<FrameSize> size = frame_size(jpeg);
  ASSERT_TRUE(size.ok()) << size.error().message;
  EXPECT_EQ(size->width, 97);
  EXPECT_EQ(size->height, 41);
  Result<std::vector<uint64_t>> scans = scan_index(jpeg);
  ASSERT_TRUE(scans.ok());
  EXPECT_TRUE(frame_size(std::string_view(jpeg).substr(0, scans->front())).ok());
}

TEST(FrameSize, RefusesDataWithoutAFrameHeader) {
  const std::string jpeg = test::make_jpeg(test::make_picture(16, 16), {});
  EXPECT_EQ(frame_size(std::string_view(jpeg).substr(0, 4)).error().kind, ErrorKind::truncated);
  EXPECT_EQ(frame_size("not a jpeg").error().kind, ErrorKind::not_an_image);
}

}  // namespace
}  // namespace glimpse::image
