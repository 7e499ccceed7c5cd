#include "sim/drive.hpp"

#include <gtest/gtest.h>

#include "sim/check.hpp"
#include "sim/timeline.hpp"

namespace glimpse::sim {
namespace {

SendPlan plan_of(size_t size) {
  SendPlan plan;
  plan.bytes.resize(size);
  for (size_t i = 0; i < size; ++i) plan.bytes[i] = static_cast<char>(i * 13);
  plan.header.transfer_id = 77;
  plan.header.sender = 1;
  plan.header.receivers = {2, 3};
  plan.header.total_size = size;
  plan.header.scan_ends = {size / 4, size / 2, size};
  plan.header.mts = size / 2;
  plan.header.width = 10;
  plan.header.height = 10;
  plan.chunk_bytes = 1000;
  return plan;
}

TEST(Drive, SentTransferFollowsTheRulesAndPassesCheck) {
  auto log = storage::new_memory_log();
  std::string error;
  ASSERT_TRUE(send_through_domain(*log, plan_of(10000), &error)) << error;
  CheckReport r;
  check_transfer(*log, 77, {}, &r);
  EXPECT_TRUE(r.ok()) << (r.violations.empty() ? "" : r.violations[0].to_string());
  // open + 10 chunks + Delivered + 2 notifications + Completed.
  EXPECT_EQ(r.events, 15u);
  Timeline t;
  ASSERT_TRUE(load_timeline(*log, 77, &t, &error));
  EXPECT_EQ(summarize(t).phase, "completed");
  EXPECT_DOUBLE_EQ(*summarize(t).delivered_ms, 5.0);  // chunk 5 of 1 ms apart reaches MTS
}

TEST(Drive, ModelledTimesStampTheChunks) {
  NetworkProfile g3;
  ASSERT_TRUE(builtin_profile("3g", &g3));
  ModelOptions o;
  o.chunk_bytes = 1000;
  SendPlan plan = plan_of(10000);
  plan.chunk_ms = modelled_chunk_ms(g3, 10000, o);
  ASSERT_EQ(plan.chunk_ms.size(), 10u);
  EXPECT_TRUE(std::is_sorted(plan.chunk_ms.begin(), plan.chunk_ms.end()));
  auto log = storage::new_memory_log();
  std::string error;
  ASSERT_TRUE(send_through_domain(*log, plan, &error)) << error;
  Timeline t;
  ASSERT_TRUE(load_timeline(*log, 77, &t, &error));
  EXPECT_NEAR(t.rows[1].rel_ms, plan.chunk_ms[0], 1e-6);  // stamped in whole ns
}

TEST(Drive, RefusedHeaderIsReported) {
  SendPlan plan = plan_of(10000);
  plan.header.mts = 1234;  // not a scan end
  auto log = storage::new_memory_log();
  std::string error;
  EXPECT_FALSE(send_through_domain(*log, plan, &error));
  EXPECT_NE(error.find("not a scan end"), std::string::npos) << error;
}

}  // namespace
}  // namespace glimpse::sim
