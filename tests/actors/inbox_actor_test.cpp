// The inbox shell on the deterministic scheduler: queued first, then live
// (before the inbox write, once Delivered is durable);
// nothing acknowledged before it is durable; state kept across restart.
#include "actors/inbox_actor.hpp"

#include <gtest/gtest.h>

#include <set>

#include "tests/actors/deterministic.hpp"

namespace glimpse::actors {
namespace {

using namespace testing;
constexpr uint64_t kSender = 100, kAlice = 200;

struct InboxShell : ::testing::Test {
  std::unique_ptr<storage::EventLog> inner = storage::new_memory_log();
  HoldingLog log{inner.get()};
  std::unique_ptr<DeterministicNode> node =
      std::make_unique<DeterministicNode>(log, test_config());

  // Opens and delivers a transfer; its notifications stay held if holding.
  std::string deliver(const std::string& key) {
    const bool was = log.holding;
    log.holding = false;
    Reply<TransferStatus> o, a;
    node->relay->open_transfer(kSender, test_request(key), o.cb());
    node->run();
    log.holding = was;
    node->relay->append(kSender, o.value().transfer_id, 0, test_bytes(1000), a.cb());
    node->run();
    if (was) {
      log.release(1);  // the chunk's batch; inbox appends stay held
      node->run();
    }
    return make_file_id(3, o.value().transfer_id);
  }

  // Subscribes Alice; the file id of each notification she hears goes to *ids.
  Subscription subscribe_ids(std::vector<std::string>* ids) {
    return node->relay->subscribe_inbox(kAlice,
                                        [ids](const Notification& n) { ids->push_back(n.file_id); });
  }
};

TEST_F(InboxShell, SubscriberGetsQueuedFirstThenLiveBeforeTheInboxWrite) {
  log.holding = false;
  const std::string first = deliver("a");
  std::vector<std::string> seen;
  auto sub = subscribe_ids(&seen);
  node->run();
  ASSERT_EQ(seen, std::vector<std::string>{first});
  log.holding = true;
  const std::string second = deliver("b");
  // Delivered is durable; the NotificationQueued is still being written, and
  // the live subscriber has heard of it already.
  ASSERT_EQ(log.held(), 2u);  // one inbox append per receiver
  EXPECT_EQ(seen, (std::vector<std::string>{first, second}));
  log.release();
  node->run();
  EXPECT_EQ(seen, (std::vector<std::string>{first, second}));  // not again once durable
  log.holding = false;
  node->run();
}

TEST_F(InboxShell, NotificationSaysWhenItsFileBecameDurableAndHowMuchIsThere) {
  auto clock = std::make_shared<int64_t>(1'000'000'000);
  auto config = test_config();
  config.now_ns = [clock] { return *clock; };
  node.reset();
  node = std::make_unique<DeterministicNode>(log, config);
  std::vector<Notification> seen;
  auto sub = node->relay->subscribe_inbox(kAlice, [&](const Notification& n) { seen.push_back(n); });
  node->run();
  log.holding = false;
  Reply<TransferStatus> o, a;
  node->relay->open_transfer(kSender, test_request("t"), o.cb());
  node->run();
  log.holding = true;
  node->relay->append(kSender, o.value().transfer_id, 0, test_bytes(1000), a.cb());
  node->run();
  *clock = 7'000'000'000;  // the chunk's batch (with Delivered) is reported durable now
  log.release(1);
  node->run();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].delivered_ns, 7'000'000'000);  // durable, not decided (1 s)
  EXPECT_EQ(seen[0].available, 1000u);
  // A later subscriber reads the same time from the queued notification.
  log.holding = false;
  log.release();
  node->run();
  std::vector<Notification> later;
  auto sub2 = node->relay->subscribe_inbox(kAlice, [&](const Notification& n) { later.push_back(n); });
  node->run();
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].delivered_ns, 7'000'000'000);
}

TEST_F(InboxShell, SubscriberArrivingWhileTheQueueWriteRunsGetsItOnce) {
  log.holding = true;
  const std::string id = deliver("a");
  ASSERT_EQ(log.held(), 2u);
  std::vector<std::string> seen;
  auto sub = subscribe_ids(&seen);
  node->run();
  EXPECT_EQ(seen, std::vector<std::string>{id});
  log.release();
  node->run();
  EXPECT_EQ(seen, std::vector<std::string>{id});
  // Acked before its NotificationQueued was durable is fine too.
  Reply<Done> ack;
  log.holding = false;
  node->relay->ack_notification(kAlice, id, ack.cb());
  node->run();
  ASSERT_TRUE(ack.ready() && ack.get().ok());
}

TEST_F(InboxShell, CrashBeforeTheQueueWriteStillNotifiesOnceAfterDedup) {
  std::vector<std::string> before, after;
  {
    auto sub = subscribe_ids(&before);
    node->run();
    log.holding = true;
    deliver("a");
    ASSERT_EQ(log.held(), 2u);
    ASSERT_EQ(before.size(), 1u);  // told live, before the inbox write
  }
  node.reset();  // "killed": the held inbox appends never reach the log
  log.release(SIZE_MAX, storage::Status(storage::Code::io_error, "process died"));
  log.holding = false;
  node = std::make_unique<DeterministicNode>(log, test_config());  // recover() re-notifies
  auto sub = subscribe_ids(&after);
  node->run();
  node->fire_timers();
  EXPECT_EQ(after, before);  // queued durably now, and told exactly once on this node
  // Queued durably exactly once: a fresh subscriber after another restart sees it once.
  node.reset();
  node = std::make_unique<DeterministicNode>(log, test_config());
  std::vector<std::string> later;
  auto sub2 = subscribe_ids(&later);
  node->run();
  EXPECT_EQ(later, before);
}

TEST_F(InboxShell, AckIsRepliedOnlyWhenDurableAndKeptAcrossRestart) {
  log.holding = false;
  const std::string a = deliver("a");
  const std::string b = deliver("b");
  log.holding = true;
  Reply<Done> ack;
  node->relay->ack_notification(kAlice, a, ack.cb());
  node->run();
  EXPECT_FALSE(ack.ready());
  log.release();
  node->run();
  ASSERT_TRUE(ack.ready() && ack.get().ok());
  log.holding = false;
  node.reset();
  node = std::make_unique<DeterministicNode>(log, test_config());
  std::vector<std::string> seen;
  auto sub = subscribe_ids(&seen);
  node->run();
  EXPECT_EQ(seen, std::vector<std::string>{b});
}

TEST_F(InboxShell, FailedQueueIsRetriedAndDeliveredExactlyOnceAfterDedup) {
  std::vector<std::string> seen;
  auto sub = subscribe_ids(&seen);
  node->run();
  const std::string id = deliver("a");
  ASSERT_EQ(log.held(), 2u);  // one inbox append per receiver
  EXPECT_EQ(seen, std::vector<std::string>{id});  // live, before the write
  log.release(2, storage::Status(storage::Code::io_error, "flaky disk"));
  node->run();
  log.holding = false;
  node->fire_timers();  // the transfer's retry timer: queued again, told again
  node->run();
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), std::set<std::string>{id});
  EXPECT_LE(seen.size(), 2u);
  node->fire_timers();
  EXPECT_LE(seen.size(), 2u);
  // Queued durably exactly once.
  node.reset();
  node = std::make_unique<DeterministicNode>(log, test_config());
  std::vector<std::string> later;
  auto sub2 = subscribe_ids(&later);
  node->run();
  EXPECT_EQ(later, std::vector<std::string>{id});
}

}  // namespace
}  // namespace glimpse::actors
