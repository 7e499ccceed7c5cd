#include "node/fill_worker.hpp"

#include <future>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace glimpse::node {
namespace {

TEST(FillWorker, RunsJobsInOrderOnItsOwnThread) {
  std::vector<int> order;
  std::promise<std::thread::id> ran_on;
  std::promise<void> done;
  {
    FillWorker worker(4);
    ASSERT_TRUE(worker.submit([&] { order.push_back(1); }));
    ASSERT_TRUE(worker.submit([&] {
      order.push_back(2);
      ran_on.set_value(std::this_thread::get_id());
    }));
    ASSERT_TRUE(worker.submit([&] {
      order.push_back(3);
      done.set_value();
    }));
    done.get_future().wait();
  }
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_NE(ran_on.get_future().get(), std::this_thread::get_id());
}

TEST(FillWorker, RefusesJobsBeyondTheWaitingLimit) {
  std::promise<void> started, release;
  auto release_future = release.get_future().share();
  int ran = 0;
  {
    FillWorker worker(2);
    ASSERT_TRUE(worker.submit([&] {
      started.set_value();
      release_future.wait();
      ++ran;
    }));
    started.get_future().wait();  // the first job runs; two may wait behind it
    EXPECT_TRUE(worker.submit([&] { ++ran; }));
    EXPECT_TRUE(worker.submit([&] { ++ran; }));
    EXPECT_FALSE(worker.submit([&] { ++ran; }));  // a third would wait: refused
    release.set_value();
  }  // the destructor waits for the running job; waiting ones may be dropped
  EXPECT_GE(ran, 1);
  EXPECT_LE(ran, 3);
}

}  // namespace
}  // namespace glimpse::node
