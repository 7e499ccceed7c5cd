// The manager on the deterministic scheduler: passivation, ids, idempotency
// keys, limits, expiry, the undoing of failed opens, and bursts.
#include "actors/manager.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include "tests/actors/deterministic.hpp"

namespace glimpse::actors {
namespace {

using namespace testing;
using namespace std::chrono_literals;
constexpr uint64_t kSender = 100;

struct ManagerTest : ::testing::Test {
  std::unique_ptr<storage::EventLog> log = storage::new_memory_log();
  std::shared_ptr<std::atomic<int64_t>> now = std::make_shared<std::atomic<int64_t>>(1'000'000'000);

  RelayConfig config() {
    auto c = test_config();
    c.now_ns = [n = now] { return n->load(); };
    return c;
  }
  static Expected<TransferStatus> open(DeterministicNode& node, const std::string& key) {
    Reply<TransferStatus> r;
    node.relay->open_transfer(kSender, test_request(key), r.cb());
    node.run();
    return r.get();
  }
  static RelayStats stats(DeterministicNode& node) {
    Reply<RelayStats> r;
    node.relay->stats(r.cb());
    node.run();
    return r.value();
  }
};

TEST_F(ManagerTest, IdleTransferAndInboxActorsPassivateAndRecoverOnDemand) {
  DeterministicNode node(*log, config());
  auto t = open(node, "a");
  Reply<TransferStatus> a;
  node.relay->append(kSender, t->transfer_id, 0, test_bytes(1000), a.cb());
  node.run();
  ASSERT_TRUE(a.get().ok());
  EXPECT_EQ(stats(node).active_transfers, 1u);
  EXPECT_EQ(stats(node).active_inboxes, 2u);
  node.fire_timers();  // an actor passivates within two timer periods of its last message
  node.fire_timers();
  auto s = stats(node);
  EXPECT_EQ(s.active_transfers, 0u);
  EXPECT_EQ(s.active_inboxes, 0u);
  EXPECT_EQ(s.unfinished_transfers, 1u);
  Reply<TransferStatus> b;
  node.relay->append(kSender, t->transfer_id, 1000, test_bytes(3000).substr(1000), b.cb());
  node.run();
  ASSERT_TRUE(b.get().ok());
  EXPECT_EQ(b.value().acked, 3000u);
  EXPECT_EQ(stats(node).active_transfers, 1u);
}

TEST_F(ManagerTest, ConcurrentOpensWithOneKeyGetOneTransfer) {
  DeterministicNode node(*log, config());
  Reply<TransferStatus> x, y;
  node.relay->open_transfer(kSender, test_request("same"), x.cb());
  node.relay->open_transfer(kSender, test_request("same"), y.cb());
  node.run();
  ASSERT_TRUE(x.get().ok() && y.get().ok());
  EXPECT_EQ(x.value().transfer_id, y.value().transfer_id);
  EXPECT_EQ(stats(node).unfinished_transfers, 1u);
}

TEST_F(ManagerTest, TransferIdsContinuePastTheLogAfterRestart) {
  uint64_t last;
  {
    DeterministicNode node(*log, config());
    open(node, "a");
    last = open(node, "b")->transfer_id;
  }
  DeterministicNode node(*log, config());
  EXPECT_EQ(stats(node).unfinished_transfers, 2u);
  EXPECT_GT(open(node, "c")->transfer_id, last);
}

TEST_F(ManagerTest, OpensWaitForRecovery) {
  caf::actor_system_config cfg;
  cfg.set("scheduler.policy", caf::atom("testing"));
  caf::actor_system system{cfg};
  auto& sched = dynamic_cast<caf::scheduler::test_coordinator&>(system.scheduler());
  Reply<TransferStatus> r;
  {
    Relay relay(system, *log, config());
    relay.open_transfer(kSender, test_request("a"), r.cb());
    sched.run();
  }
  sched.run();  // lets the actors stop before the system waits for them
  ASSERT_TRUE(r.ready());
  EXPECT_EQ(r.code(), ErrorCode::unavailable);
}

TEST_F(ManagerTest, MaxOpenTransfersPerSenderCountsRecoveredOnes) {
  auto cfg = config();
  cfg.max_open_transfers_per_user = 2;
  {
    DeterministicNode node(*log, cfg);
    ASSERT_TRUE(open(node, "a").ok());
  }
  DeterministicNode node(*log, cfg);
  ASSERT_TRUE(open(node, "b").ok());
  EXPECT_EQ(open(node, "c").error().code, ErrorCode::limit_exceeded);
  EXPECT_TRUE(open(node, "a").ok());  // a resume is not a new transfer
}

TEST_F(ManagerTest, SweepExpiresTransfersIdlePastTheTimeout) {
  auto cfg = config();
  cfg.idle_timeout = 10s;
  cfg.expiry_sweep_every = 1s;
  DeterministicNode node(*log, cfg);
  auto t = open(node, "a");
  node.fire_timers();  // passivates it; the sweep finds nothing due yet
  EXPECT_EQ(stats(node).unfinished_transfers, 1u);
  now->fetch_add(11'000'000'000);
  node.fire_timers();  // sweep: recovers it and expires it
  node.run();
  EXPECT_EQ(stats(node).unfinished_transfers, 0u);
  Reply<TransferStatus> r;
  node.relay->resume(kSender, t->transfer_id, r.cb());
  node.run();
  EXPECT_EQ(r.code(), ErrorCode::aborted);
}

TEST_F(ManagerTest, UnallocatedTransferIdsAreNotFoundWithoutSpawningAnActor) {
  DeterministicNode node(*log, config());
  auto t = open(node, "a");
  ASSERT_TRUE(t.ok());
  node.fire_timers();  // passivates it
  node.fire_timers();
  ASSERT_EQ(stats(node).active_transfers, 0u);
  const std::string made_up = make_file_id(3, t->transfer_id + 1000);
  Reply<FileInfo> info;
  node.relay->open_file(200, made_up, info.cb());
  Reply<std::string> bytes;
  node.relay->read_file(200, made_up, 0, 10, bytes.cb());
  Reply<TransferStatus> resumed, appended;
  node.relay->resume(kSender, t->transfer_id + 1, resumed.cb());
  node.relay->append(kSender, 0, 0, test_bytes(100), appended.cb());
  std::optional<Expected<FileProgress>> watched;
  auto sub = node.relay->watch_file(200, made_up,
                                    [&](Expected<FileProgress> p) { watched = std::move(p); });
  node.run();
  EXPECT_EQ(info.code(), ErrorCode::not_found);
  EXPECT_EQ(info.get().error().message,
            "no file " + made_up + " for you; check the id or ask the sender");
  EXPECT_EQ(bytes.code(), ErrorCode::not_found);
  EXPECT_EQ(resumed.code(), ErrorCode::not_found);
  EXPECT_EQ(appended.code(), ErrorCode::not_found);
  ASSERT_TRUE(watched.has_value());
  EXPECT_EQ(watched->error().code, ErrorCode::not_found);
  EXPECT_EQ(stats(node).active_transfers, 0u);
}

TEST_F(ManagerTest, TransferThatFailsWhileNotifyingIsRestartedAndNotifiesAfterABackoff) {
  HoldingLog held(log.get());
  held.holding = false;
  DeterministicNode node(held, config());
  auto t = open(node, "a");
  ASSERT_TRUE(t.ok());
  held.holding = true;
  Reply<TransferStatus> delivered;
  node.relay->append(kSender, t->transfer_id, 0, test_bytes(1000), delivered.cb());
  node.run();
  held.release(1);  // the chunk and Delivered are durable; notifying starts
  node.run();
  ASSERT_TRUE(delivered.get().ok());
  ASSERT_FALSE(delivered.value().file_id.empty());
  Reply<TransferStatus> failed;
  node.relay->append(kSender, t->transfer_id, 1000, test_bytes(3000).substr(1000), failed.cb());
  node.run();
  held.release(SIZE_MAX, storage::Status(storage::Code::io_error, "disk gone"));  // all of it
  node.run();
  ASSERT_EQ(failed.code(), ErrorCode::storage_failure);
  held.holding = false;
  node.fire_timers();  // the backoff: nothing but the restart brings the transfer back

  std::vector<Notification> seen;
  auto sub = node.relay->subscribe_inbox(200, [&](const Notification& n) { seen.push_back(n); });
  node.run();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].file_id, make_file_id(3, t->transfer_id));
}

TEST_F(ManagerTest, FailedOpenIsUndoneSoItsKeyAndItsCountAreFreeAgain) {
  HoldingLog held(log.get());
  auto cfg = config();
  cfg.max_open_transfers_per_user = 1;
  DeterministicNode node(held, cfg);
  Reply<TransferStatus> failed;
  node.relay->open_transfer(kSender, test_request("a"), failed.cb());
  node.run();
  ASSERT_FALSE(failed.ready());  // its TransferOpened is held
  const uint64_t failed_id = stats(node).next_transfer_id - 1;
  held.release(SIZE_MAX, storage::Status(storage::Code::io_error, "disk gone"));
  node.run();
  ASSERT_TRUE(failed.ready());
  EXPECT_EQ(failed.code(), ErrorCode::storage_failure);
  EXPECT_EQ(stats(node).unfinished_transfers, 0u);
  held.holding = false;
  auto again = open(node, "a");  // the one allowed transfer, under a key no longer in flight
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_GT(again->transfer_id, failed_id);
  EXPECT_EQ(open(node, "b").error().code, ErrorCode::limit_exceeded);  // counted once
}

TEST_F(ManagerTest, OpenPendingWhenTheRelayStopsAnswersUnavailableOnce) {
  HoldingLog held(log.get());
  auto node = std::make_unique<DeterministicNode>(held, config());
  std::vector<Expected<TransferStatus>> answers;
  node->relay->open_transfer(kSender, test_request("a"),
                             [&](Expected<TransferStatus> r) { answers.push_back(std::move(r)); });
  node->run();
  ASSERT_TRUE(answers.empty());
  node->relay.reset();  // the transfer answers the manager, which is gone
  node->run();
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].error().code, ErrorCode::unavailable);
  held.release();
  node->run();
  EXPECT_EQ(answers.size(), 1u);
}

TEST_F(ManagerTest, TwentyThousandSimultaneousOpensThenResumesAllAnswer) {
  constexpr size_t kN = 20000;
  auto cfg = config();
  cfg.max_open_transfers_per_user = kN;
  DeterministicNode node(*log, cfg);
  std::vector<uint64_t> ids;
  size_t refused = 0;
  for (size_t i = 0; i < kN; ++i)
    node.relay->open_transfer(kSender, test_request("k" + std::to_string(i)),
                              [&](Expected<TransferStatus> r) {
                                if (r.ok())
                                  ids.push_back(r->transfer_id);
                                else
                                  ++refused;
                              });
  node.run();
  EXPECT_EQ(refused, 0u);
  ASSERT_EQ(ids.size(), kN);
  node.fire_timers();  // all passivate
  node.fire_timers();
  ASSERT_EQ(stats(node).active_transfers, 0u);
  size_t resumed = 0;
  for (uint64_t id : ids)
    node.relay->resume(kSender, id, [&, id](Expected<TransferStatus> r) {
      resumed += r.ok() && r->transfer_id == id;
    });
  node.run();
  EXPECT_EQ(resumed, kN);
  EXPECT_EQ(stats(node).active_transfers, kN);
  EXPECT_EQ(stats(node).unfinished_transfers, kN);
}

}  // namespace
}  // namespace glimpse::actors
