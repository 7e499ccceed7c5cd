// The inbox shell on the deterministic scheduler: queued first, then live;
// nothing acknowledged before it is durable; state kept across restart.
#include "actors/inbox_actor.hpp"

#include <gtest/gtest.h>

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
};

TEST_F(InboxShell, SubscriberGetsQueuedFirstThenLiveOnceDurable) {
  log.holding = false;
  const std::string first = deliver("a");
  std::vector<std::string> seen;
  auto sub = node->relay->subscribe_inbox(kAlice, [&](const Notification& n) {
    seen.push_back(n.file_id);
  });
  node->run();
  ASSERT_EQ(seen, std::vector<std::string>{first});
  log.holding = true;
  const std::string second = deliver("b");
  EXPECT_EQ(seen.size(), 1u);  // queued, not yet durable
  log.release();
  node->run();
  EXPECT_EQ(seen, (std::vector<std::string>{first, second}));
  log.holding = false;
  node->run();
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
  auto sub = node->relay->subscribe_inbox(kAlice, [&](const Notification& n) {
    seen.push_back(n.file_id);
  });
  node->run();
  EXPECT_EQ(seen, std::vector<std::string>{b});
}

TEST_F(InboxShell, FailedQueueIsRetriedAndDeliveredExactlyOnce) {
  std::vector<std::string> seen;
  auto sub = node->relay->subscribe_inbox(kAlice, [&](const Notification& n) {
    seen.push_back(n.file_id);
  });
  node->run();
  const std::string id = deliver("a");
  ASSERT_EQ(log.held(), 2u);  // one inbox append per receiver
  log.release(2, storage::Status(storage::Code::io_error, "flaky disk"));
  node->run();
  EXPECT_TRUE(seen.empty());
  log.holding = false;
  node->fire_timers();  // the transfer's retry timer
  node->run();
  EXPECT_EQ(seen, std::vector<std::string>{id});
  node->fire_timers();
  EXPECT_EQ(seen.size(), 1u);
}

}  // namespace
}  // namespace glimpse::actors
