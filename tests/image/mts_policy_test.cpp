#include "image/mts_policy.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace glimpse::image {
namespace {

// 100 evenly spread scan ends of a 100,000-byte file: snapping barely moves Q.
std::vector<uint64_t> fine_scans() {
  std::vector<uint64_t> ends;
  for (uint64_t i = 1; i <= 100; ++i) ends.push_back(i * 1000);
  return ends;
}

constexpr NetworkType kWorstToBest[] = {NetworkType::g2, NetworkType::g3, NetworkType::lte4g,
                                        NetworkType::nr5g, NetworkType::wifi};

TEST(NetworkName, RoundTripsEveryType) {
  for (NetworkType t : {NetworkType::unknown, NetworkType::wifi, NetworkType::nr5g,
                        NetworkType::lte4g, NetworkType::g3, NetworkType::g2}) {
    NetworkType parsed = NetworkType::wifi;
    ASSERT_TRUE(parse_network(network_name(t), &parsed)) << network_name(t);
    EXPECT_EQ(parsed, t);
  }
  EXPECT_STREQ(network_name(NetworkType::nr5g), "5g");
  EXPECT_STREQ(network_name(NetworkType::lte4g), "4g");
}

TEST(NetworkName, RejectsUnknownSpellings) {
  NetworkType parsed = NetworkType::g3;
  EXPECT_FALSE(parse_network("WiFi", &parsed));
  EXPECT_FALSE(parse_network("lte", &parsed));
  EXPECT_FALSE(parse_network("", &parsed));
  EXPECT_EQ(parsed, NetworkType::g3);
}

TEST(ChooseMts, BetterNetworkNeverDeliversEarlier) {
  const auto ends = fine_scans();
  for (int signal = 0; signal <= 4; ++signal) {
    MtsChoice prev = choose_mts(ends, 1, 2560, 1600, {kWorstToBest[0], signal});
    for (NetworkType t : kWorstToBest) {
      MtsChoice c = choose_mts(ends, 1, 2560, 1600, {t, signal});
      EXPECT_GE(c.mts, prev.mts) << network_name(t) << " signal " << signal;
      EXPECT_GE(c.target_q, prev.target_q);
      prev = c;
    }
  }
  EXPECT_LT(choose_mts(ends, 1, 2560, 1600, {NetworkType::g2, 4}).mts,
            choose_mts(ends, 1, 2560, 1600, {NetworkType::wifi, 4}).mts);
}

TEST(ChooseMts, StrongerSignalNeverDeliversEarlier) {
  const auto ends = fine_scans();
  for (NetworkType t : kWorstToBest) {
    for (int signal = 1; signal <= 4; ++signal) {
      EXPECT_GE(choose_mts(ends, 1, 1920, 1080, {t, signal}).mts,
                choose_mts(ends, 1, 1920, 1080, {t, signal - 1}).mts)
          << network_name(t) << " signal " << signal;
    }
    EXPECT_GT(choose_mts(ends, 1, 1920, 1080, {t, 4}).target_q,
              choose_mts(ends, 1, 1920, 1080, {t, 0}).target_q);
  }
}

TEST(ChooseMts, LargerImagesNeedNoLargerShare) {
  const auto ends = fine_scans();
  const NetworkReport lte{NetworkType::lte4g, 3};
  EXPECT_LE(choose_mts(ends, 1, 4000, 3000, lte).target_q,
            choose_mts(ends, 1, 1280, 960, lte).target_q);
  EXPECT_LE(choose_mts(ends, 1, 1280, 960, lte).target_q,
            choose_mts(ends, 1, 320, 240, lte).target_q);
}

TEST(ChooseMts, WeakTwoGDeliversTheFirstDcPicture) {
  const std::vector<uint64_t> ends = {3000, 9000, 20000, 60000, 100000};
  MtsChoice c = choose_mts(ends, 2, 2560, 1600, {NetworkType::g2, 0});
  EXPECT_EQ(c.scan, 1);
  EXPECT_EQ(c.mts, 9000u);
}

TEST(ChooseMts, NeverBelowTheFirstDcPictureNorAboveTotal) {
  const std::vector<uint64_t> ends = {40000, 41000, 60000, 100000};
  for (NetworkType t : kWorstToBest) {
    for (int signal = 0; signal <= 4; ++signal) {
      for (int dc_scans = 1; dc_scans <= 4; ++dc_scans) {
        MtsChoice c = choose_mts(ends, dc_scans, 640, 480, {t, signal});
        EXPECT_GE(c.mts, ends[dc_scans - 1]);
        EXPECT_LE(c.mts, ends.back());
        EXPECT_EQ(c.mts, ends[c.scan]);
        EXPECT_DOUBLE_EQ(c.q, static_cast<double>(c.mts) / ends.back());
      }
    }
  }
}

TEST(ChooseMts, SnapsToTheFirstScanEndAtOrAboveTheTarget) {
  const auto ends = fine_scans();
  for (NetworkType t : kWorstToBest) {
    MtsChoice c = choose_mts(ends, 1, 1600, 1200, {t, 3});
    const double target = c.target_q * ends.back();
    EXPECT_GE(static_cast<double>(c.mts), target);
    if (c.scan > 0) {
      EXPECT_LT(static_cast<double>(ends[c.scan - 1]), target);
    }
  }
}

TEST(ChooseMts, OneScanIsTheWholeFile) {
  MtsChoice c = choose_mts({5000}, 1, 800, 600, {NetworkType::g2, 0});
  EXPECT_EQ(c.scan, 0);
  EXPECT_EQ(c.mts, 5000u);
  EXPECT_DOUBLE_EQ(c.q, 1.0);
}

TEST(ChooseMts, OutOfRangeDcScansAreClamped) {
  // Weak 2G wishes for ~3.5% of the file: the first end already covers it.
  const std::vector<uint64_t> ends = {5000, 6000, 100000};
  EXPECT_EQ(choose_mts(ends, 0, 800, 600, {NetworkType::g2, 0}).scan, 0);
  EXPECT_EQ(choose_mts(ends, -3, 800, 600, {NetworkType::g2, 0}).scan, 0);
  EXPECT_EQ(choose_mts(ends, 9, 800, 600, {NetworkType::g2, 0}).scan, 2);
}

TEST(ChooseMts, EmptyScanIndexDeliversNothing) {
  MtsChoice c = choose_mts({}, 1, 800, 600, {NetworkType::wifi, 4});
  EXPECT_EQ(c.mts, 0u);
  EXPECT_EQ(c.scan, -1);
  EXPECT_EQ(c.q, 0.0);
  EXPECT_GT(c.target_q, 0.0);
}

TEST(ChooseMts, SignalOutsideZeroToFourIsClamped) {
  const auto ends = fine_scans();
  EXPECT_EQ(choose_mts(ends, 1, 800, 600, {NetworkType::lte4g, 9}).mts,
            choose_mts(ends, 1, 800, 600, {NetworkType::lte4g, 4}).mts);
  EXPECT_EQ(choose_mts(ends, 1, 800, 600, {NetworkType::lte4g, -2}).mts,
            choose_mts(ends, 1, 800, 600, {NetworkType::lte4g, 0}).mts);
}

TEST(ChooseMts, DegenerateDimensionsStillGiveAValidChoice) {
  const auto ends = fine_scans();
  MtsChoice c = choose_mts(ends, 1, 0, 0, {NetworkType::unknown, 2});
  EXPECT_GE(c.mts, ends.front());
  EXPECT_LE(c.mts, ends.back());
}

}  // namespace
}  // namespace glimpse::image
