#include "sim/network_model.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace glimpse::sim {
namespace {

PhotoShape photo_500k() {
  PhotoShape p;
  p.total_size = 500 * 1000;
  p.scan_ends = {20000, 60000, 110000, 200000, 320000, 500000};
  p.mts = 110000;
  return p;
}

NetworkProfile profile(const std::string& name) {
  NetworkProfile p;
  EXPECT_TRUE(builtin_profile(name, &p)) << name;
  return p;
}

WhatIf run(const std::string& name, uint64_t seed = 7) {
  ModelOptions o;
  o.seed = seed;
  NetworkProfile p = profile(name);
  return simulate_whatif(photo_500k(), p, p, o);
}

TEST(NetworkModel, SameSeedGivesIdenticalTimes) {
  for (const auto& name : builtin_profile_names()) {
    WhatIf a = run(name, 42), b = run(name, 42);
    EXPECT_EQ(a.progressive.delivered_ms, b.progressive.delivered_ms) << name;
    EXPECT_EQ(a.progressive.first_frame_ms, b.progressive.first_frame_ms) << name;
    EXPECT_EQ(a.progressive.complete_ms, b.progressive.complete_ms) << name;
    EXPECT_EQ(a.whole_file.complete_ms, b.whole_file.complete_ms) << name;
  }
}

TEST(NetworkModel, SplitMixSequenceIsFixedAcrossPlatforms) {
  SplitMix64 r(1234567);
  // Reference values of splitmix64 (Vigna) for seed 1234567.
  EXPECT_EQ(r.next(), 6457827717110365317ull);
  EXPECT_EQ(r.next(), 3203168211198807973ull);
}

TEST(NetworkModel, LossMakesSomeSeedsSlowerThanOthers) {
  NetworkProfile lossy{"lossy", {{0, 1000, 100, 0.2}}};
  ModelOptions a, b;
  a.seed = 1;
  b.seed = 2;
  double ta = simulate_whatif(photo_500k(), lossy, lossy, a).progressive.complete_ms;
  double tb = simulate_whatif(photo_500k(), lossy, lossy, b).progressive.complete_ms;
  EXPECT_NE(ta, tb);
}

TEST(NetworkModel, BetterNetworkIsSooner) {
  const char* order[] = {"wifi", "4g", "3g", "2g"};
  for (int i = 0; i + 1 < 4; ++i) {
    WhatIf better = run(order[i]), worse = run(order[i + 1]);
    EXPECT_LT(better.progressive.delivered_ms, worse.progressive.delivered_ms) << order[i];
    EXPECT_LT(better.progressive.first_frame_ms, worse.progressive.first_frame_ms) << order[i];
    EXPECT_LT(better.progressive.complete_ms, worse.progressive.complete_ms) << order[i];
    EXPECT_LT(better.whole_file.first_frame_ms, worse.whole_file.first_frame_ms) << order[i];
  }
}

TEST(NetworkModel, WholeFileNeverPaintsBeforeProgressive) {
  for (const auto& name : builtin_profile_names()) {
    for (uint64_t seed = 1; seed <= 20; ++seed) {
      WhatIf w = run(name, seed);
      EXPECT_LE(w.progressive.first_frame_ms, w.whole_file.first_frame_ms) << name << seed;
      EXPECT_LE(w.progressive.delivered_ms, w.whole_file.delivered_ms) << name << seed;
    }
  }
}

TEST(NetworkModel, TimelineIsOrdered) {
  for (const auto& name : builtin_profile_names()) {
    TransferTimes t = run(name).progressive;
    EXPECT_LT(t.delivered_ms, t.first_frame_ms + 1e9);
    EXPECT_LE(t.first_frame_ms, t.mts_frame_ms) << name;
    EXPECT_LE(t.mts_frame_ms, t.complete_ms) << name;
    EXPECT_GE(t.complete_ms, t.upload_done_ms) << name;
    EXPECT_TRUE(std::isfinite(t.complete_ms)) << name;
  }
}

TEST(NetworkModel, LosslessConstantLinkMatchesArithmetic) {
  // 1000 kbps = 125 bytes/ms; 125,000 bytes take 1000 ms, plus half an RTT.
  NetworkProfile p{"flat", {{0, 1000, 100, 0}}};
  ModelOptions o;
  o.window_bytes = 1 << 30;
  SplitMix64 rng(1);
  auto leg = simulate_leg(p, 125000, {{0, 125000}}, 0, o, &rng);
  ASSERT_FALSE(leg.empty());
  EXPECT_DOUBLE_EQ(leg.back().time_ms, 1050.0);
  EXPECT_EQ(leg.back().offset, 125000u);
}

TEST(NetworkModel, LiftDropSlowsATransferUnderway) {
  WhatIf lift = run("lift"), flat = run("4g");
  EXPECT_GT(lift.progressive.complete_ms, flat.progressive.complete_ms);
}

TEST(NetworkModel, TraceParsesAndRejectsBadLines) {
  NetworkProfile p;
  std::string error;
  ASSERT_TRUE(
      parse_trace("# t bw rtt loss\n0 1000 100 0\n\n2000 50 800 0.1 # drop\n", "t", &p, &error))
      << error;
  ASSERT_EQ(p.segments.size(), 2u);
  EXPECT_EQ(p.segments[1].bandwidth_kbps, 50);
  EXPECT_FALSE(parse_trace("0 1000 100\n", "bad", &p, &error));
  EXPECT_NE(error.find("bad:1"), std::string::npos) << error;
  EXPECT_FALSE(parse_trace("0 1000 100 0\n0 10 1 0\n", "dup", &p, &error));
  EXPECT_FALSE(parse_trace("0 0 100 0\n", "dead", &p, &error));
  EXPECT_FALSE(load_profile("no-such-profile-or-file", &p, &error));
  EXPECT_NE(error.find("built-in"), std::string::npos) << error;
}

}  // namespace
}  // namespace glimpse::sim
