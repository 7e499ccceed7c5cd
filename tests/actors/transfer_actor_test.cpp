// The transfer shell on the deterministic scheduler: replies wait for
// durability, keep their order, and a failed append acknowledges nothing.
#include "actors/transfer_actor.hpp"

#include <gtest/gtest.h>

#include "actors/event_codec.hpp"
#include "tests/actors/deterministic.hpp"
#include "util/sha256.hpp"

namespace glimpse::actors {
namespace {

using namespace testing;
constexpr uint64_t kSender = 100;

struct TransferShell : ::testing::Test {
  std::unique_ptr<storage::EventLog> inner = storage::new_memory_log();
  HoldingLog log{inner.get()};
  std::unique_ptr<DeterministicNode> node =
      std::make_unique<DeterministicNode>(log, test_config());
  const std::string photo = test_bytes(4000);

  uint64_t open() {
    Reply<TransferStatus> r;
    node->relay->open_transfer(kSender, test_request(), r.cb());
    node->run();
    log.release();
    node->run();
    EXPECT_TRUE(r.ready() && r.get().ok());
    return r.value().transfer_id;
  }
  Reply<TransferStatus> append(uint64_t id, uint64_t off, uint64_t len) {
    Reply<TransferStatus> r;
    node->relay->append(kSender, id, off, photo.substr(off, len), r.cb());
    node->run();
    return r;
  }
  std::vector<Event> events(uint64_t id) {
    std::vector<Event> out;
    inner->replay({storage::StreamKind::transfer, id}, 0, [&](uint64_t, std::string_view b) {
      out.push_back(*decode_event(b));
      return true;
    });
    return out;
  }
};

TEST_F(TransferShell, RepliesOnlyAfterTheBatchIsDurable) {
  Reply<TransferStatus> opened;
  node->relay->open_transfer(kSender, test_request(), opened.cb());
  node->run();
  EXPECT_FALSE(opened.ready());
  EXPECT_EQ(log.held(), 1u);
  log.release();
  node->run();
  ASSERT_TRUE(opened.ready());
  const uint64_t id = opened.value().transfer_id;
  auto a = append(id, 0, 600);
  EXPECT_FALSE(a.ready());
  EXPECT_EQ(events(id).size(), 1u);  // only TransferOpened is stored
  log.release();
  node->run();
  ASSERT_TRUE(a.ready());
  EXPECT_EQ(a.value().acked, 600u);
}

TEST_F(TransferShell, PipelinedRepliesLeaveInOrderAsBatchesBecomeDurable) {
  const uint64_t id = open();
  auto a = append(id, 0, 500);
  auto b = append(id, 500, 500);  // crosses MTS: Delivered rides in this batch
  auto c = append(id, 500, 500);  // resend of b while b is in flight: no batch
  EXPECT_EQ(log.held(), 2u);
  log.release(1);
  node->run();
  ASSERT_TRUE(a.ready());
  EXPECT_FALSE(b.ready());
  EXPECT_FALSE(c.ready());
  log.release(1);
  node->run();
  ASSERT_TRUE(b.ready() && c.ready());
  EXPECT_EQ(b.value().acked, 1000u);
  EXPECT_EQ(b.value().file_id, make_file_id(3, id));
  EXPECT_EQ(c.value(), b.value());
}

TEST_F(TransferShell, FailedAppendFailsEveryPendingReplyAndTheNextCommandRecovers) {
  const uint64_t id = open();
  auto a = append(id, 0, 500);
  auto b = append(id, 500, 500);
  log.release(2, storage::Status(storage::Code::io_error, "disk on fire"));
  node->run();
  ASSERT_TRUE(a.ready() && b.ready());
  EXPECT_EQ(a.code(), ErrorCode::storage_failure);
  EXPECT_EQ(b.code(), ErrorCode::storage_failure);
  EXPECT_EQ(events(id).size(), 1u);
  Reply<TransferStatus> status;
  node->relay->resume(kSender, id, status.cb());
  node->run();
  ASSERT_TRUE(status.ready() && status.get().ok()) << status.get().error().to_string();
  EXPECT_EQ(status.value().acked, 0u);
  auto again = append(id, 0, 500);
  log.release();
  node->run();
  EXPECT_EQ(again.value().acked, 500u);
}

TEST_F(TransferShell, FinishWaitsForInFlightBatchesThenHashesTheStoredBytes) {
  const uint64_t id = open();
  auto a = append(id, 0, 4000);
  Reply<TransferStatus> done;
  auto digest = util::sha256(photo);
  Sha256Bytes sha;
  std::copy(digest.begin(), digest.end(), sha.begin());
  node->relay->finish(kSender, id, sha, done.cb());
  node->run();
  EXPECT_EQ(log.held(), 1u);  // finish waits behind the chunk's batch
  log.release();
  node->run();
  EXPECT_TRUE(a.ready());
  EXPECT_FALSE(done.ready());  // Completed is in flight
  log.release();
  node->run();
  ASSERT_TRUE(done.ready());
  ASSERT_TRUE(done.get().ok()) << done.get().error().to_string();
  EXPECT_TRUE(done.value().completed);
}

TEST_F(TransferShell, PendingRepliesRunWithUnavailableWhenTheRelayStops) {
  const uint64_t id = open();
  auto a = append(id, 0, 500);
  EXPECT_FALSE(a.ready());
  node->relay.reset();
  node->run();
  ASSERT_TRUE(a.ready());
  EXPECT_EQ(a.code(), ErrorCode::unavailable);
  log.release();  // the late durability report finds no actor
  node->run();
}

TEST_F(TransferShell, NotifiesEveryReceiverOnceAfterDelivered) {
  log.holding = false;
  const uint64_t id = open();
  append(id, 0, 1000);
  node->run();
  int notified = 0;
  for (const auto& e : events(id)) notified += std::holds_alternative<ReceiverNotified>(e.body);
  EXPECT_EQ(notified, 2);
  size_t queued = 0;
  for (uint64_t user : {200, 300})
    inner->replay({storage::StreamKind::inbox, user}, 0, [&](uint64_t, std::string_view) {
      return ++queued, true;
    });
  EXPECT_EQ(queued, 2u);
}

TEST_F(TransferShell, KeepsItsStateAcrossRestart) {
  log.holding = false;
  const uint64_t id = open();
  append(id, 0, 700);
  append(id, 2000, 300);
  append(id, 700, 500);
  Reply<TransferStatus> before;
  node->relay->resume(kSender, id, before.cb());
  Reply<FileInfo> info_before;
  node->relay->open_file(200, make_file_id(3, id), info_before.cb());
  node->run();
  node.reset();
  node = std::make_unique<DeterministicNode>(log, test_config());
  Reply<TransferStatus> after;
  node->relay->resume(kSender, id, after.cb());
  Reply<FileInfo> info_after;
  node->relay->open_file(200, make_file_id(3, id), info_after.cb());
  node->run();
  ASSERT_TRUE(after.get().ok());
  EXPECT_EQ(after.value(), before.value());
  EXPECT_EQ(after.value().acked, 1200u);
  EXPECT_EQ(info_after.value().available, info_before.value().available);
  EXPECT_EQ(info_after.value().scan_ends, info_before.value().scan_ends);
  TransferState replayed;
  for (const auto& e : events(id)) apply_in_place(replayed, e);
  EXPECT_EQ(replayed.out_of_order_ranges(), (std::vector<std::pair<uint64_t, uint64_t>>{{2000, 2300}}));
}

}  // namespace
}  // namespace glimpse::actors
