#include "sim/workload.hpp"

#include <gtest/gtest.h>

#include "test_photo.hpp"

namespace glimpse::sim {
namespace {

std::vector<WorkloadPhoto> photos() { return {{"test", testing::small_photo()}}; }

TEST(Workload, ParsesANetworkMix) {
  std::vector<NetworkShare> mix;
  std::string error;
  ASSERT_TRUE(parse_network_mix("wifi:0.5,4g:0.3,3g:0.2", &mix, &error)) << error;
  ASSERT_EQ(mix.size(), 3u);
  EXPECT_EQ(mix[1].profile, "4g");
  EXPECT_DOUBLE_EQ(mix[2].weight, 0.2);
  EXPECT_FALSE(parse_network_mix("wifi", &mix, &error));
  EXPECT_NE(error.find("PROFILE:WEIGHT"), std::string::npos);
  EXPECT_FALSE(parse_network_mix("wifi:0", &mix, &error));
  EXPECT_FALSE(parse_network_mix("6g:1", &mix, &error));
  EXPECT_NE(error.find("6g"), std::string::npos);
}

TEST(Workload, ManySendersPassCheckAndGiveDistributions) {
  WorkloadOptions o;
  o.users = 40;
  o.chunk_bytes = 1024;
  std::string error;
  ASSERT_TRUE(parse_network_mix("wifi:1,3g:1", &o.mix, &error));
  WorkloadResult r;
  ASSERT_TRUE(simulate_workload(photos(), o, &r, &error)) << error;
  EXPECT_TRUE(r.check_ok) << r.check_summary;
  EXPECT_EQ(r.transfers, 40u);
  ASSERT_EQ(r.groups.back().first, "all");
  const auto& all = r.groups.back().second;
  EXPECT_EQ(all.front().values.size(), 40u);
  for (const auto& d : all) EXPECT_LE(d.quantile(0.5), d.quantile(0.9)) << d.what;
  // 3g is slower than wifi at the median.
  ASSERT_EQ(r.groups.size(), 3u);
  EXPECT_LT(r.groups[0].second[1].quantile(0.5), r.groups[1].second[1].quantile(0.5));
}

TEST(Workload, SameSeedSameReport) {
  WorkloadOptions o;
  o.users = 10;
  o.chunk_bytes = 1024;
  std::string error;
  ASSERT_TRUE(parse_network_mix("4g:1,2g:1", &o.mix, &error));
  WorkloadResult a, b;
  ASSERT_TRUE(simulate_workload(photos(), o, &a, &error));
  ASSERT_TRUE(simulate_workload(photos(), o, &b, &error));
  EXPECT_EQ(format_workload(o, a), format_workload(o, b));
}

}  // namespace
}  // namespace glimpse::sim
