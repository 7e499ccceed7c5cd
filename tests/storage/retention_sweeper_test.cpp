// RetentionSweeper: sweeps on its own thread, at start and on demand, with the
// time its clock function gives.
#include "storage/retention_sweeper.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "tests/storage/test_events.hpp"

namespace glimpse::storage::testing {
namespace {

constexpr int64_t kDay = 24LL * 3600 * 1000 * 1000 * 1000;

// Collects the sweeper's reports; wait_for(n) blocks until n have arrived.
class Reports {
 public:
  void add(const Status& s, const RetentionReport& r) {
    std::lock_guard<std::mutex> lock(mu_);
    statuses_.push_back(s);
    reports_.push_back(r);
    cv_.notify_all();
  }
  RetentionReport wait_for(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return reports_.size() >= n; });
    EXPECT_TRUE(statuses_[n - 1].ok()) << statuses_[n - 1].to_string();
    return reports_[n - 1];
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Status> statuses_;
  std::vector<RetentionReport> reports_;
};

TEST(RetentionSweeper, SweepsAtStartAndAgainOnDemandWithTheClocksTime) {
  auto log = new_memory_log();
  ASSERT_TRUE(log->append_and_wait(request(transfer(1), 0, {completed_event(0)})).ok());
  ASSERT_TRUE(log->append_and_wait(request(transfer(2), 0, {completed_event(0)})).ok());
  ASSERT_TRUE(log->append_and_wait(request(transfer(3), 0, {completed_event(20 * kDay)})).ok());
  std::atomic<int64_t> now{10 * kDay};
  Reports reports;
  RetentionSweeper sweeper(
      log.get(), RetentionPolicy{std::chrono::hours(30 * 24)}, std::chrono::hours(1),
      [&] { return now.load(); },
      [&](const Status& s, const RetentionReport& r) { reports.add(s, r); });
  EXPECT_TRUE(reports.wait_for(1).deleted.empty());  // day 10: nothing is 30 days old
  now = 40 * kDay;
  sweeper.sweep_now();
  RetentionReport second = reports.wait_for(2);
  EXPECT_EQ(second.deleted, (std::vector<StreamId>{transfer(1), transfer(2)}));
}

TEST(RetentionSweeper, AKeepForeverPolicyNeverSweeps) {
  auto log = new_memory_log();
  ASSERT_TRUE(log->append_and_wait(request(transfer(1), 0, {completed_event(0)})).ok());
  ASSERT_TRUE(log->append_and_wait(request(transfer(2), 0, {completed_event(0)})).ok());
  bool called = false;
  {
    RetentionSweeper sweeper(
        log.get(), RetentionPolicy{}, std::chrono::milliseconds(1), [] { return 100 * kDay; },
        [&](const Status&, const RetentionReport&) { called = true; });
    sweeper.sweep_now();
  }  // joined: no thread was started, so nothing can run after this
  EXPECT_FALSE(called);
  uint64_t n = 0;
  ASSERT_TRUE(log->next_seq(transfer(1), &n).ok());
  EXPECT_EQ(n, 1u);
}

}  // namespace
}  // namespace glimpse::storage::testing
