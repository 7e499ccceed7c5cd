// EXIF orientation 1-8: decode() and prepare() show the picture upright.
#include <gtest/gtest.h>

#include "image/image.hpp"
#include "image/quality.hpp"
#include "tests/image/test_images.hpp"

namespace glimpse::image {
namespace {

// How a camera stores an upright picture for each EXIF orientation: the
// stored pixel for upright (x, y) goes to the returned position (w, h upright).
struct Pos {
  int x, y;
};
Pos stored_position(int orientation, int x, int y, int w, int h) {
  switch (orientation) {
    case 2:
      return {w - 1 - x, y};
    case 3:
      return {w - 1 - x, h - 1 - y};
    case 4:
      return {x, h - 1 - y};
    case 5:
      return {y, x};
    case 6:
      return {y, w - 1 - x};  // stored turned 90 degrees counter-clockwise
    case 7:
      return {h - 1 - y, w - 1 - x};
    case 8:
      return {h - 1 - y, x};  // stored turned 90 degrees clockwise
    default:
      return {x, y};
  }
}

Pixels stored_for(const Pixels& upright, int orientation) {
  Pixels s;
  const bool swap = orientation >= 5;
  s.width = swap ? upright.height : upright.width;
  s.height = swap ? upright.width : upright.height;
  s.channels = upright.channels;
  s.data.resize(upright.data.size());
  for (int y = 0; y < upright.height; ++y)
    for (int x = 0; x < upright.width; ++x) {
      const Pos p = stored_position(orientation, x, y, upright.width, upright.height);
      for (int c = 0; c < s.channels; ++c)
        s.data[(static_cast<size_t>(p.y) * s.width + p.x) * s.channels + c] =
            upright.data[(static_cast<size_t>(y) * upright.width + x) * upright.channels + c];
    }
  return s;
}

std::string camera_jpeg(const Pixels& upright, int orientation) {
  test::JpegSpec spec;
  spec.quality = 95;
  spec.subsampling = test::Subsampling::s444;
  return test::insert_after_soi(test::make_jpeg(stored_for(upright, orientation), spec),
                                test::exif_segment(orientation, true));
}

void expect_upright(const Pixels& shown, const Pixels& upright, int orientation) {
  ASSERT_EQ(shown.width, upright.width) << "orientation " << orientation;
  ASSERT_EQ(shown.height, upright.height) << "orientation " << orientation;
  EXPECT_GT(psnr(shown, upright), 30) << "orientation " << orientation << " is not upright";
}

class Orientation : public ::testing::TestWithParam<int> {};

TEST_P(Orientation, DecodeShowsThePictureUpright) {
  const Pixels upright = test::make_picture(48, 32);
  Result<Pixels> shown = decode(camera_jpeg(upright, GetParam()));
  ASSERT_TRUE(shown.ok()) << shown.error().message;
  expect_upright(shown.value(), upright, GetParam());
}

TEST_P(Orientation, PrepareWritesTheUprightPictureWithOrientationOne) {
  const int o = GetParam();
  const Pixels upright = test::make_picture(48, 32);
  Result<Prepared> p = prepare(camera_jpeg(upright, o));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->lossless, o == 1);
  EXPECT_EQ(p->width, 48);
  EXPECT_EQ(p->height, 32);
  // The receiver decodes the prefix without looking at EXIF at all...
  Result<Decoded> prefix = decode_prefix(p->jpeg);
  ASSERT_TRUE(prefix.ok());
  expect_upright(prefix->pixels, upright, o);
  // ...and a viewer that does honour EXIF must not turn it again.
  Result<Pixels> viewer = decode(p->jpeg);
  ASSERT_TRUE(viewer.ok());
  expect_upright(viewer.value(), upright, o);
  EXPECT_FALSE(test::contains(p->jpeg, "GPSSECRET"));
}

INSTANTIATE_TEST_SUITE_P(AllEight, Orientation, ::testing::Range(1, 9));

TEST(OrientationWrongOnPurpose, MirroredPictureIsNotMistakenForUpright) {
  // Guards the test itself: the picture is asymmetric enough that psnr > 30 means upright.
  const Pixels upright = test::make_picture(48, 32);
  EXPECT_LT(psnr(stored_for(upright, 2), upright), 30);
  EXPECT_LT(psnr(stored_for(upright, 4), upright), 30);
  EXPECT_LT(psnr(stored_for(upright, 3), upright), 30);
}

}  // namespace
}  // namespace glimpse::image
