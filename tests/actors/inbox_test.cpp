#include "actors/inbox.hpp"

#include <gtest/gtest.h>

namespace glimpse::actors {
namespace {

NotificationQueued note(const std::string& file_id) {
  return NotificationQueued{file_id, 7, 100, 1000, 400, 640, 480};
}

struct Harness {
  InboxState state;
  std::vector<Event> log;
  InboxDecision run(InboxCommandBody body) {
    auto d = decide(state, InboxCommand{5, std::move(body)});
    for (const auto& e : d.events) {
      apply_in_place(state, e);
      log.push_back(e);
    }
    return d;
  }
};

TEST(Inbox, QueuedNotificationsStayPendingInOrder) {
  Harness h;
  EXPECT_EQ(h.run(QueueNotification{note("a")}).events.size(), 1u);
  EXPECT_EQ(h.run(QueueNotification{note("b")}).events.size(), 1u);
  ASSERT_EQ(h.state.pending.size(), 2u);
  EXPECT_EQ(h.state.pending[0].file_id, "a");
  EXPECT_EQ(h.state.pending[1].file_id, "b");
  EXPECT_EQ(h.log[0], (Event{5, note("a")}));
}

TEST(Inbox, SameFileIdIsQueuedOnceEvenAfterAck) {
  Harness h;
  h.run(QueueNotification{note("a")});
  EXPECT_TRUE(h.run(QueueNotification{note("a")}).events.empty());
  h.run(AckNotification{"a"});
  auto d = h.run(QueueNotification{note("a")});
  EXPECT_TRUE(d.reply.ok());
  EXPECT_TRUE(d.events.empty());
  EXPECT_TRUE(h.state.pending.empty());
}

TEST(Inbox, AckRemovesFromPendingAndIsIdempotent) {
  Harness h;
  h.run(QueueNotification{note("a")});
  h.run(QueueNotification{note("b")});
  EXPECT_EQ(h.run(AckNotification{"a"}).events.size(), 1u);
  ASSERT_EQ(h.state.pending.size(), 1u);
  EXPECT_EQ(h.state.pending[0].file_id, "b");
  auto again = h.run(AckNotification{"a"});
  EXPECT_TRUE(again.reply.ok());
  EXPECT_TRUE(again.events.empty());
}

TEST(Inbox, AckOfUnknownFileIsNotFound) {
  Harness h;
  auto d = h.run(AckNotification{"nope"});
  ASSERT_FALSE(d.reply.ok());
  EXPECT_EQ(d.reply.error().code, ErrorCode::not_found);
  EXPECT_TRUE(d.events.empty());
}

TEST(Inbox, EmptyFileIdIsRefused) {
  Harness h;
  EXPECT_EQ(h.run(QueueNotification{note("")}).reply.error().code, ErrorCode::invalid_argument);
}

TEST(Inbox, ReplayingTheLogRebuildsTheSameState) {
  Harness h;
  h.run(QueueNotification{note("a")});
  h.run(QueueNotification{note("b")});
  h.run(AckNotification{"b"});
  h.run(QueueNotification{note("c")});
  InboxState replayed;
  for (const auto& e : h.log) replayed = apply(std::move(replayed), e);
  EXPECT_EQ(replayed, h.state);
}

}  // namespace
}  // namespace glimpse::actors
