#include "node/kj_bridge.hpp"

#include <kj/async-io.h>

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace glimpse::node {
namespace {

// Closures posted from many threads all run on the KJ thread, each thread's
// in its post order, in either lane.
TEST(KjBridge, RunsPostsFromOtherThreadsOnTheLoopThreadInOrder) {
  for (auto lane : {KjBridge::Lane::bulk, KjBridge::Lane::urgent}) {
    auto io = kj::setupAsyncIo();
    KjBridge bridge;
    auto running = bridge.run().eagerlyEvaluate(nullptr);
    const auto loop_thread = std::this_thread::get_id();
    constexpr int kThreads = 4, kPosts = 2000;
    std::vector<int> last(kThreads, -1);
    int total = 0;
    bool in_order = true, on_loop = true;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t]() {
        for (int i = 0; i < kPosts; ++i)
          bridge.post(
              [&, t, i]() {
                on_loop = on_loop && std::this_thread::get_id() == loop_thread;
                in_order = in_order && last[t] == i - 1;
                last[t] = i;
                ++total;
              },
              lane);
      });
    while (total < kThreads * kPosts)
      io.provider->getTimer().afterDelay(1 * kj::MILLISECONDS).wait(io.waitScope);
    for (auto& th : threads) th.join();
    EXPECT_TRUE(in_order);
    EXPECT_TRUE(on_loop);
    bridge.close();
  }
}

// A busy loop's hot path takes urgent posts at once, without a turn of the
// loop; bulk posts stay for the loop.
TEST(KjBridge, RunUrgentTakesOnlyTheUrgentLaneAtOnce) {
  auto io = kj::setupAsyncIo();
  KjBridge bridge;
  auto running = bridge.run().eagerlyEvaluate(nullptr);
  bool urgent = false, bulk = false;
  std::thread([&]() {
    bridge.post([&]() { bulk = true; });
    bridge.post([&]() { urgent = true; }, KjBridge::Lane::urgent);
  }).join();
  bridge.run_urgent();
  EXPECT_TRUE(urgent);
  EXPECT_FALSE(bulk);
  while (!bulk) io.waitScope.poll();
  bridge.close();
}

TEST(KjBridge, PostsAfterCloseAreDropped) {
  auto io = kj::setupAsyncIo();
  KjBridge bridge;
  auto running = bridge.run().eagerlyEvaluate(nullptr);
  bridge.close();
  bool ran = false;
  std::thread([&]() {
    bridge.post([&]() { ran = true; });
    bridge.post([&]() { ran = true; }, KjBridge::Lane::urgent);
  }).join();
  bridge.run_urgent();
  io.waitScope.poll();
  EXPECT_FALSE(ran);
}

TEST(KjBridge, ReplyFromAnyThreadResolvesOnTheLoop) {
  auto io = kj::setupAsyncIo();
  std::thread worker;
  auto promise = reply_from_any_thread<int>([&](auto reply) {
    worker = std::thread([reply]() { reply(42); });
  });
  EXPECT_EQ(promise.wait(io.waitScope), 42);
  worker.join();
}

TEST(KjBridge, ReplyThroughTheBridgeResolvesOnTheLoop) {
  auto io = kj::setupAsyncIo();
  auto bridge = std::make_shared<KjBridge>();
  auto running = bridge->run().eagerlyEvaluate(nullptr);
  std::thread worker;
  auto promise = reply_through<std::string>(bridge, [&](auto reply) {
    worker = std::thread([reply]() { reply("from a worker"); });
  });
  EXPECT_EQ(promise.wait(io.waitScope), "from a worker");
  worker.join();
  bridge->close();
}

TEST(KjBridge, AReplyThroughTheBridgeToADroppedPromiseIsDiscarded) {
  auto io = kj::setupAsyncIo();
  auto bridge = std::make_shared<KjBridge>();
  auto running = bridge->run().eagerlyEvaluate(nullptr);
  std::function<void(int)> late;
  {
    auto dropped = reply_through<int>(bridge, [&](auto reply) { late = reply; });
  }
  std::thread([&]() { late(7); }).join();
  bool ran = false;
  bridge->post([&]() { ran = true; });  // runs after the late reply, in post order
  while (!ran) io.waitScope.poll();
  bridge->close();
}

TEST(KjBridge, LiveRefIsClearedWhenItsTargetGoes) {
  int target = 0;
  LiveRef<int> ref(&target);
  LiveRef<int> copy = ref;
  EXPECT_EQ(copy.get(), &target);
  ref.reset();
  EXPECT_EQ(copy.get(), nullptr);
}

}  // namespace
}  // namespace glimpse::node
