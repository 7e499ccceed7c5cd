// msg::Reply: one answer per call, whether it is called, called twice, or
// dropped; DroppedReplies keeps dropped answers off the thread that holds it.
#include "actors/reply.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

namespace glimpse::actors::msg {
namespace {

struct Answers {
  std::vector<Expected<Done>> seen;
  Relay::Callback<Done> cb() {
    return [this](Expected<Done> r) { seen.push_back(std::move(r)); };
  }
};

TEST(Reply, CalledTwiceAnswersOnlyTheFirstTime) {
  Answers a;
  {
    Reply<Done> r(a.cb());
    r(Done{});
    r(RelayError{ErrorCode::conflict, "second"});
  }
  ASSERT_EQ(a.seen.size(), 1u);
  EXPECT_TRUE(a.seen[0].ok());
}

TEST(Reply, DroppedWithoutACallAnswersUnavailableOnce) {
  Answers a;
  {
    Reply<Done> r(a.cb());
    Reply<Done> copy = r;
    Reply<Done> moved = std::move(copy);
  }
  ASSERT_EQ(a.seen.size(), 1u);
  ASSERT_FALSE(a.seen[0].ok());
  EXPECT_EQ(a.seen[0].error().code, ErrorCode::unavailable);
  EXPECT_EQ(a.seen[0].error().message,
            "the relay could not answer (the actor holding the call stopped); retry");
}

TEST(Reply, CopiesShareOneAnswerWhicheverIsCalled) {
  Answers a;
  std::optional<Reply<Done>> first(Reply<Done>(a.cb()));
  Reply<Done> second = *first;
  first.reset();
  EXPECT_TRUE(a.seen.empty());  // a copy is still waiting
  second(Done{});
  EXPECT_EQ(a.seen.size(), 1u);
  first.emplace(second);
  first.reset();
  EXPECT_EQ(a.seen.size(), 1u);
}

TEST(Reply, CalledConcurrentlyFromManyThreadsAnswersOnce) {
  std::atomic<int> calls{0};
  {
    Reply<Done> r([&](Expected<Done>) { ++calls; });
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) threads.emplace_back([r] { r(Done{}); });
    for (auto& t : threads) t.join();
  }
  EXPECT_EQ(calls.load(), 1);
}

TEST(Reply, EmptyReplyAnswersNoOne) {
  Reply<Done> r;
  r(Done{});  // no callback, no crash
  Reply<Done> from_empty_function{Relay::Callback<Done>()};
  from_empty_function(Done{});
}

TEST(DroppedReplies, CollectsAnswersDroppedOnItsThreadForItsOwner) {
  Answers a;
  std::vector<std::function<void()>> taken;
  {
    DroppedReplies dropped;
    { Reply<Done> r(a.cb()); }
    EXPECT_TRUE(a.seen.empty());  // not answered on this thread
    taken = dropped.take();
  }
  EXPECT_TRUE(a.seen.empty());
  ASSERT_EQ(taken.size(), 1u);
  taken[0]();
  ASSERT_EQ(a.seen.size(), 1u);
  EXPECT_EQ(a.seen[0].error().code, ErrorCode::unavailable);
}

TEST(DroppedReplies, AnswersWhatWasNotTakenWhenItEnds) {
  Answers a;
  {
    DroppedReplies outer;
    {
      DroppedReplies inner;
      { Reply<Done> r(a.cb()); }
      EXPECT_TRUE(a.seen.empty());
    }
    // The inner scope ran its answer on exit; the outer one collected nothing.
    EXPECT_EQ(a.seen.size(), 1u);
    EXPECT_TRUE(outer.take().empty());
  }
  EXPECT_EQ(a.seen.size(), 1u);
}

TEST(DroppedReplies, CalledRepliesAreNotCollected) {
  Answers a;
  DroppedReplies dropped;
  {
    Reply<Done> r(a.cb());
    r(Done{});
  }
  EXPECT_EQ(a.seen.size(), 1u);
  EXPECT_TRUE(dropped.take().empty());
}

}  // namespace
}  // namespace glimpse::actors::msg
