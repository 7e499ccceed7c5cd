// prepare(): lossless transcode for JPEG input, encode for PNG, metadata policy.
#include <gtest/gtest.h>

#include "image/image.hpp"
#include "image/quality.hpp"
#include "tests/image/test_images.hpp"

namespace glimpse::image {
namespace {

using test::JpegSpec;
using test::Subsampling;

Pixels must_decode(const std::string& bytes) {
  Result<Pixels> p = decode(bytes);
  EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
  return p.ok() ? p.value() : Pixels{};
}

bool is_progressive(const std::string& jpeg) {
  const size_t sof = test::find_sof(jpeg);
  return sof != std::string::npos && static_cast<uint8_t>(jpeg[sof + 1]) == 0xC2;
}

void expect_lossless(const std::string& original) {
  Result<Prepared> prepared = prepare(original);
  ASSERT_TRUE(prepared.ok()) << prepared.error().message;
  EXPECT_TRUE(prepared->lossless);
  EXPECT_EQ(prepared->source_format, "jpeg");
  EXPECT_TRUE(is_progressive(prepared->jpeg));
  const Pixels before = must_decode(original);
  const Pixels after = must_decode(prepared->jpeg);
  EXPECT_EQ(after.width, before.width);
  EXPECT_EQ(after.height, before.height);
  EXPECT_EQ(after.channels, before.channels);
  EXPECT_TRUE(after.data == before.data) << "pixels changed in a lossless transcode";
  EXPECT_EQ(prepared->width, before.width);
  EXPECT_EQ(prepared->height, before.height);
}

TEST(Prepare, LosslessTranscodeOfBaseline420KeepsEveryPixel) {
  expect_lossless(test::make_jpeg(test::make_picture(203, 149), {}));
}

TEST(Prepare, LosslessTranscodeOfBaseline444KeepsEveryPixel) {
  JpegSpec spec;
  spec.subsampling = Subsampling::s444;
  expect_lossless(test::make_jpeg(test::make_picture(160, 120), spec));
}

TEST(Prepare, LosslessTranscodeOf422KeepsEveryPixel) {
  JpegSpec spec;
  spec.subsampling = Subsampling::s422;
  expect_lossless(test::make_jpeg(test::make_picture(97, 61), spec));
}

TEST(Prepare, LosslessTranscodeOfGrayKeepsEveryPixel) {
  expect_lossless(test::make_jpeg(test::make_picture(150, 100, 1), {}));
}

TEST(Prepare, LosslessTranscodeWithRestartMarkersKeepsEveryPixel) {
  JpegSpec spec;
  spec.restart_interval = 3;
  const std::string jpeg = test::make_jpeg(test::make_picture(180, 130), spec);
  ASSERT_TRUE(test::contains(jpeg, "\xFF\xD0")) << "the input has no restart marker";
  expect_lossless(jpeg);
}

TEST(Prepare, ProgressiveInputIsTranscodedToo) {
  JpegSpec spec;
  spec.progressive = true;
  expect_lossless(test::make_jpeg(test::make_picture(120, 90), spec));
}

TEST(Prepare, CmykJpegDecodesToItsColoursAndTranscodesLosslessly) {
  const Pixels rgb = test::make_picture(64, 48);
  const std::string cmyk = test::make_cmyk_jpeg(rgb);
  const Pixels shown = must_decode(cmyk);
  ASSERT_EQ(shown.channels, 3);
  EXPECT_GT(psnr(shown, rgb), 30);
  expect_lossless(cmyk);
  PrepareOptions options;
  options.max_edge = 32;
  Result<Prepared> small = prepare(cmyk, options);
  ASSERT_TRUE(small.ok()) << small.error().message;
  EXPECT_EQ(must_decode(small->jpeg).width, 32);
}

TEST(Prepare, ScanEndsAscendAndEndAtTheFileSize) {
  Result<Prepared> p = prepare(test::make_jpeg(test::make_picture(128, 96), {}));
  ASSERT_TRUE(p.ok());
  ASSERT_GE(p->scan_ends.size(), 2u);
  for (size_t i = 1; i < p->scan_ends.size(); ++i) EXPECT_LT(p->scan_ends[i - 1], p->scan_ends[i]);
  EXPECT_EQ(p->scan_ends.back(), p->jpeg.size());
  EXPECT_GE(p->dc_scans, 1);
  EXPECT_LE(p->dc_scans, static_cast<int>(p->scan_ends.size()));
  Result<std::vector<uint64_t>> again = scan_index(p->jpeg);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.value(), p->scan_ends);
}

TEST(Prepare, DefaultScriptAndOursBothKeepPixels) {
  const std::string original = test::make_jpeg(test::make_picture(96, 64), {});
  PrepareOptions options;
  options.script = ScanScriptKind::libjpeg_default;
  Result<Prepared> p = prepare(original, options);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->scan_ends.size(), 10u);
  EXPECT_TRUE(must_decode(p->jpeg).data == must_decode(original).data);
}

TEST(Prepare, MaxEdgeDownscalesAndReencodes) {
  PrepareOptions options;
  options.max_edge = 100;
  Result<Prepared> p = prepare(test::make_jpeg(test::make_picture(300, 200), {}), options);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_FALSE(p->lossless);
  EXPECT_EQ(p->width, 100);
  EXPECT_EQ(p->height, 67);
  const Pixels out = must_decode(p->jpeg);
  EXPECT_EQ(out.width, 100);
  EXPECT_EQ(out.height, 67);
  EXPECT_TRUE(is_progressive(p->jpeg));
}

TEST(Prepare, MaxEdgeAboveTheImageKeepsItLossless) {
  PrepareOptions options;
  options.max_edge = 2000;
  Result<Prepared> p = prepare(test::make_jpeg(test::make_picture(300, 200), {}), options);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->lossless);
}

TEST(Prepare, PngInputsOfEveryLayoutEncodeToProgressiveJpeg) {
  const Pixels rgb = test::make_picture(64, 48);
  const Pixels gray = test::make_picture(64, 48, 1);
  for (test::PngKind kind :
       {test::PngKind::gray8, test::PngKind::rgb8, test::PngKind::rgba8, test::PngKind::gray_alpha8,
        test::PngKind::rgb16, test::PngKind::palette}) {
    const bool is_gray = kind == test::PngKind::gray8 || kind == test::PngKind::gray_alpha8;
    const std::string png =
        test::make_png(is_gray || kind == test::PngKind::palette ? gray : rgb, kind);
    Result<Prepared> p = prepare(png);
    ASSERT_TRUE(p.ok()) << static_cast<int>(kind) << ": " << p.error().message;
    EXPECT_EQ(p->source_format, "png");
    EXPECT_FALSE(p->lossless);
    EXPECT_TRUE(is_progressive(p->jpeg));
    const Pixels out = must_decode(p->jpeg);
    EXPECT_EQ(out.width, 64);
    EXPECT_EQ(out.channels, is_gray ? 1 : 3);
  }
}

TEST(Prepare, PngAlphaIsCompositedOverWhite) {
  const std::string png = test::make_png(test::make_picture(64, 48), test::PngKind::rgba8);
  Result<Pixels> decoded = decode(png);
  ASSERT_TRUE(decoded.ok());
  // Left half is fully transparent: white.
  EXPECT_EQ(decoded->data[0], 255);
  EXPECT_EQ(decoded->data[1], 255);
  EXPECT_EQ(decoded->data[2], 255);
  const Pixels plain = must_decode(test::make_png(test::make_picture(64, 48), test::PngKind::rgb8));
  const size_t right = (10 * 64 + 50) * 3;
  EXPECT_EQ(decoded->data[right], plain.data[right]);
}

TEST(Prepare, PngColourProfileIsCarriedUnlessStripped) {
  const std::string icc = test::minimal_icc_profile("RGB ");
  const std::string png = test::make_png(test::make_picture(32, 24), test::PngKind::rgb8, icc);
  Result<Prepared> kept = prepare(png);
  ASSERT_TRUE(kept.ok()) << kept.error().message;
  EXPECT_TRUE(test::contains(kept->jpeg, std::string("ICC_PROFILE\0\x01\x01", 14) + icc));
  PrepareOptions strip;
  strip.metadata = Metadata::strip_all;
  Result<Prepared> stripped = prepare(png, strip);
  ASSERT_TRUE(stripped.ok());
  EXPECT_FALSE(test::contains(stripped->jpeg, "ICC_PROFILE"));
}

TEST(Prepare, SixteenBitPngReducesToTheSameEightBitPixels) {
  const Pixels rgb = test::make_picture(40, 30);
  Result<Pixels> p = decode(test::make_png(rgb, test::PngKind::rgb16));
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->data == rgb.data);
}

TEST(Prepare, DefaultMetadataDropsGpsButKeepsExif) {
  const std::string jpeg = test::insert_after_soi(test::make_jpeg(test::make_picture(64, 48), {}),
                                                  test::exif_segment(1, true));
  ASSERT_TRUE(test::contains(jpeg, "GPSSECRET"));
  Result<Prepared> p = prepare(jpeg);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_FALSE(test::contains(p->jpeg, "GPSSECRET"));
  EXPECT_TRUE(test::contains(p->jpeg, std::string("Exif\0\0", 6)));
  EXPECT_TRUE(p->lossless);
}

TEST(Prepare, KeepAllKeepsGpsAndStripAllDropsEveryAppSegment) {
  const std::string jpeg = test::insert_after_soi(test::make_jpeg(test::make_picture(64, 48), {}),
                                                  test::exif_segment(1, true));
  PrepareOptions keep;
  keep.metadata = Metadata::keep_all;
  Result<Prepared> kept = prepare(jpeg, keep);
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(test::contains(kept->jpeg, "GPSSECRET"));
  PrepareOptions strip;
  strip.metadata = Metadata::strip_all;
  Result<Prepared> stripped = prepare(jpeg, strip);
  ASSERT_TRUE(stripped.ok());
  EXPECT_FALSE(test::contains(stripped->jpeg, "Exif"));
  for (size_t i = 0; i + 1 < stripped->jpeg.size() && i < 64; ++i) {
    const auto m = static_cast<uint8_t>(stripped->jpeg[i + 1]);
    EXPECT_FALSE(static_cast<uint8_t>(stripped->jpeg[i]) == 0xFF && m >= 0xE0 && m <= 0xEF)
        << "APP marker at " << i;
  }
}

TEST(Prepare, PixelLimitIsRefusedBeforeDecoding) {
  PrepareOptions options;
  options.max_pixels = 100 * 100;
  Result<Prepared> p = prepare(test::make_jpeg(test::make_picture(101, 100), {}), options);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().kind, ErrorKind::too_large);
}

TEST(Prepare, QualityOutOfRangeIsAnInvalidArgument) {
  PrepareOptions options;
  options.quality = 0;
  Result<Prepared> p = prepare(test::make_jpeg(test::make_picture(16, 16), {}), options);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().kind, ErrorKind::invalid_argument);
}

}  // namespace
}  // namespace glimpse::image
