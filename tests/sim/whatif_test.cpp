#include "sim/whatif.hpp"

#include <gtest/gtest.h>

#include "test_photo.hpp"

namespace glimpse::sim {
namespace {

Photo photo_of_test_image() {
  auto log = storage::new_memory_log();
  testing::write_photo_transfer(*log, 4);
  Photo p;
  std::string error;
  EXPECT_TRUE(load_photo(*log, 4, &p, &error)) << error;
  return p;
}

NetworkProfile profile(const std::string& name) {
  NetworkProfile p;
  EXPECT_TRUE(builtin_profile(name, &p));
  return p;
}

TEST(WhatIf, LoadsTheLoggedPhotoWithItsBytes) {
  Photo p = photo_of_test_image();
  EXPECT_EQ(p.width, 160);
  EXPECT_EQ(p.height, 120);
  EXPECT_EQ(p.bytes, testing::small_photo().jpeg);
  EXPECT_EQ(p.logged_mts, testing::small_photo().scan_ends[2]);
}

TEST(WhatIf, SameSeedSameFigures) {
  Photo p = photo_of_test_image();
  NetworkProfile g3 = profile("3g");
  ModelOptions o;
  o.seed = 3;
  o.chunk_bytes = 512;
  WhatIfReport a, b;
  std::string error;
  ASSERT_TRUE(run_whatif(p, g3, g3, "glimpse", o, &a, &error)) << error;
  ASSERT_TRUE(run_whatif(p, g3, g3, "glimpse", o, &b, &error)) << error;
  EXPECT_EQ(format_whatif(p, g3, o, a), format_whatif(p, g3, o, b));
  ASSERT_TRUE(a.first_frame_ssim.has_value());
  EXPECT_GT(*a.first_frame_ssim, 0.0);
  EXPECT_LE(*a.first_frame_ssim, *a.mts_frame_ssim + 1e-9);
  EXPECT_LT(a.times.progressive.first_frame_ms, a.times.whole_file.first_frame_ms);
}

TEST(WhatIf, MtsPolicies) {
  Photo p = photo_of_test_image();
  NetworkProfile g2 = profile("2g"), wifi = profile("wifi");
  MtsPick pick;
  std::string error;
  ASSERT_TRUE(pick_mts(p, "log", g2, &pick, &error));
  EXPECT_EQ(pick.mts, p.logged_mts);
  ASSERT_TRUE(pick_mts(p, "scan=1", g2, &pick, &error));
  EXPECT_EQ(pick.mts, p.scan_ends[0]);
  ASSERT_TRUE(pick_mts(p, "q=1", g2, &pick, &error));
  EXPECT_EQ(pick.mts, p.scan_ends.back());
  MtsPick slow, fast;
  ASSERT_TRUE(pick_mts(p, "glimpse", g2, &slow, &error));
  ASSERT_TRUE(pick_mts(p, "glimpse", wifi, &fast, &error));
  EXPECT_LE(slow.mts, fast.mts);  // poorer network, earlier delivery
  EXPECT_FALSE(pick_mts(p, "scan=99", g2, &pick, &error));
  EXPECT_NE(error.find("scan=N"), std::string::npos);
  EXPECT_FALSE(pick_mts(p, "q=0", g2, &pick, &error));
  EXPECT_FALSE(pick_mts(p, "fastest", g2, &pick, &error));
  EXPECT_NE(error.find("unknown --mts-policy"), std::string::npos);
}

TEST(WhatIf, WithoutBytesTheTimesStillCome) {
  Photo p = photo_of_test_image();
  p.bytes.clear();
  NetworkProfile g4 = profile("4g");
  WhatIfReport r;
  std::string error;
  ASSERT_TRUE(run_whatif(p, g4, g4, "log", {}, &r, &error)) << error;
  EXPECT_FALSE(r.first_frame_ssim.has_value());
  EXPECT_NE(format_whatif(p, g4, {}, r).find("n/a"), std::string::npos);
}

}  // namespace
}  // namespace glimpse::sim
