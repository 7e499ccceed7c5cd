// The transfer shell on the deterministic scheduler: replies wait for
// durability, keep their order, a failed append acknowledges nothing, and
// every reply is answered once, even by an actor that is killed.
#include "actors/transfer_actor.hpp"

#include <gtest/gtest.h>

#include <caf/scheduler/test_coordinator.hpp>

#include "actors/event_codec.hpp"
#include "tests/actors/deterministic.hpp"
#include "util/crc32c.hpp"

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
  // Finishes with the whole photo's CRC.
  Reply<TransferStatus> finish(uint64_t id) {
    Reply<TransferStatus> r;
    node->relay->finish(kSender, id, util::crc32c(photo), r.cb());
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

TEST_F(TransferShell, ChunksAppendedTogetherKeepTheirBoundariesAndShareOneBatch) {
  const uint64_t id = open();
  std::vector<ChunkBytes> chunks;
  for (uint64_t off : {0, 400, 700}) chunks.push_back({off, photo.substr(off, off == 0 ? 400 : 300)});
  Reply<TransferStatus> r;
  node->relay->append(kSender, id, std::move(chunks), r.cb());
  node->run();
  EXPECT_EQ(log.held(), 1u);
  EXPECT_FALSE(r.ready());
  log.release();
  node->run();
  ASSERT_TRUE(r.ready());
  EXPECT_EQ(r.value().acked, 1000u);
  EXPECT_EQ(r.value().file_id, make_file_id(3, id)) << "MTS 1000 is reached by the last chunk";
  std::vector<uint64_t> offsets;
  for (const auto& e : events(id))
    if (auto* c = std::get_if<ChunkAppended>(&e.body)) offsets.push_back(c->offset);
  EXPECT_EQ(offsets, (std::vector<uint64_t>{0, 400, 700}));
}

// A caller that computed a chunk's CRC while the bytes were in its cache
// (glimpsed's RPC loop) passes it along and the actor records it as given;
// without one the actor computes it.
TEST_F(TransferShell, AChunkCrcGivenByTheCallerIsRecordedAsGivenAndAMissingOneIsComputed) {
  const uint64_t id = open();
  std::vector<ChunkBytes> chunks;
  chunks.emplace_back(0, photo.substr(0, 400), 0x12345678u);
  chunks.emplace_back(400, photo.substr(400, 300));
  Reply<TransferStatus> r;
  node->relay->append(kSender, id, std::move(chunks), r.cb());
  node->run();
  log.release();
  node->run();
  ASSERT_TRUE(r.ready());
  std::vector<uint32_t> crcs;
  for (const auto& e : events(id))
    if (auto* c = std::get_if<ChunkAppended>(&e.body)) crcs.push_back(c->crc32c);
  EXPECT_EQ(crcs, (std::vector<uint32_t>{0x12345678u, util::crc32c(photo.substr(400, 300))}));
}

TEST_F(TransferShell, ARefusedChunkEndsItsAppendAfterStoringTheChunksBeforeIt) {
  const uint64_t id = open();
  std::vector<ChunkBytes> chunks{{0, photo.substr(0, 500)},
                                 {200, photo.substr(200, 500)},  // overlaps the first
                                 {500, photo.substr(500, 500)}};
  Reply<TransferStatus> r;
  node->relay->append(kSender, id, std::move(chunks), r.cb());
  node->run();
  EXPECT_FALSE(r.ready()) << "the refusal waits for the stored chunk, like any reply";
  log.release();
  node->run();
  ASSERT_TRUE(r.ready());
  EXPECT_EQ(r.code(), ErrorCode::conflict);
  std::vector<uint64_t> offsets;
  for (const auto& e : events(id))
    if (auto* c = std::get_if<ChunkAppended>(&e.body)) offsets.push_back(c->offset);
  EXPECT_EQ(offsets, std::vector<uint64_t>{0}) << "the chunk after the refused one is not decided";
  Reply<TransferStatus> status;
  node->relay->resume(kSender, id, status.cb());
  node->run();
  EXPECT_EQ(status.value().acked, 500u);
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

TEST_F(TransferShell, FinishOfChunksSeenInOrderRidesBehindTheirBatchAndAnswersAfterIt) {
  const uint64_t id = open();
  auto a = append(id, 0, 4000);
  auto done = finish(id);
  EXPECT_EQ(log.held(), 2u) << "Completed is issued without waiting for the chunk's batch";
  log.release(1);
  node->run();
  EXPECT_TRUE(a.ready());
  EXPECT_FALSE(done.ready()) << "answered only once Completed is durable";
  log.release();
  node->run();
  ASSERT_TRUE(done.ready());
  ASSERT_TRUE(done.get().ok()) << done.get().error().to_string();
  EXPECT_TRUE(done.value().completed);
  const auto stored = events(id);
  ASSERT_FALSE(stored.empty());
  EXPECT_TRUE(std::holds_alternative<Completed>(stored.back().body));
}

TEST_F(TransferShell, AFailedChunkBatchFailsTheFinishIssuedBehindIt) {
  const uint64_t id = open();
  auto a = append(id, 0, 4000);
  auto done = finish(id);
  ASSERT_EQ(log.held(), 2u);
  log.release(1, storage::Status(storage::Code::io_error, "disk on fire"));
  node->run();
  ASSERT_TRUE(a.ready() && done.ready());
  EXPECT_EQ(a.code(), ErrorCode::storage_failure);
  EXPECT_EQ(done.code(), ErrorCode::storage_failure);
  log.release();  // the Completed batch: the log refuses it (its seq is past the stream's end)
  node->run();
  EXPECT_EQ(events(id).size(), 1u) << "neither the chunk nor Completed is stored";
}

TEST_F(TransferShell, FinishThatMustReadBackStoredBytesWaitsForInFlightBatches) {
  const uint64_t id = open();
  auto b = append(id, 1000, 3000);  // out of order: its CRC cannot be combined yet
  auto a = append(id, 0, 1000);
  auto done = finish(id);
  EXPECT_EQ(log.held(), 2u) << "finish waits behind the chunks' batches";
  log.release();
  node->run();
  EXPECT_TRUE(a.ready() && b.ready());
  EXPECT_FALSE(done.ready());  // Completed is in flight
  log.release();
  node->run();
  ASSERT_TRUE(done.ready());
  ASSERT_TRUE(done.get().ok()) << done.get().error().to_string();
  EXPECT_TRUE(done.value().completed);
}

// The shell combines the CRCs of chunks as they arrive in order and reads
// back from the log only what it did not see: chunks sent out of order, or
// before a restart.
TEST_F(TransferShell, FinishChecksOutOfOrderChunksAndChunksFromBeforeARestart) {
  log.holding = false;
  const uint32_t crc = util::crc32c(photo);
  auto finish = [&](uint64_t id, uint32_t declared) {
    Reply<TransferStatus> done;
    node->relay->finish(kSender, id, declared, done.cb());
    node->run();
    return done;
  };
  const uint64_t shuffled = open();
  append(shuffled, 0, 1000);
  append(shuffled, 2500, 1500);
  append(shuffled, 1000, 1500);
  EXPECT_EQ(finish(shuffled, crc ^ 1).code(), ErrorCode::conflict);
  auto done = finish(shuffled, crc);
  ASSERT_TRUE(done.get().ok()) << done.get().error().to_string();
  EXPECT_TRUE(done.value().completed);

  const uint64_t restarted = open();
  append(restarted, 0, 1500);
  node.reset();
  node = std::make_unique<DeterministicNode>(log, test_config());
  append(restarted, 1500, 2500);
  done = finish(restarted, crc);
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

// The batch that delivers the file tells the receivers' live subscribers from
// the log's callback, the moment it is durable: before the transfer actor
// (or anything else) runs again, and never before.
TEST_F(TransferShell, LiveSubscribersHearOfDeliveryWhenItsBatchIsDurable) {
  std::vector<Notification> heard;
  auto sub = node->relay->subscribe_inbox(200, [&](const Notification& n) { heard.push_back(n); });
  node->run();
  const uint64_t id = open();
  append(id, 0, 1000);
  EXPECT_TRUE(heard.empty());  // the delivering batch is not durable yet
  log.release();               // runs its callback here; no actor runs
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_FALSE(heard[0].file_id.empty());
  EXPECT_EQ(heard[0].available, 1000u);
  EXPECT_GT(heard[0].delivered_ns, 0);
  node->run();  // the inbox queues it and tells its subscriber again (a repeat)
  log.release();
  node->run();
  for (const auto& n : heard) EXPECT_EQ(n.file_id, heard[0].file_id);
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

TEST_F(TransferShell, RetryFromInsideAFailedAppendsCallbackReachesARecoveredActor) {
  const uint64_t id = open();
  std::optional<Expected<TransferStatus>> failed;
  Reply<TransferStatus> retried;
  // The retry is sent while the failing actor is still running: it must not be
  // routed to that actor's closed mailbox.
  node->relay->append(kSender, id, 0, photo.substr(0, 500), [&](Expected<TransferStatus> r) {
    failed = std::move(r);
    node->relay->resume(kSender, id, retried.cb());
  });
  node->run();
  log.release(1, storage::Status(storage::Code::io_error, "disk on fire"));
  node->run();
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->error().code, ErrorCode::storage_failure);
  ASSERT_TRUE(retried.ready());
  ASSERT_TRUE(retried.get().ok()) << retried.get().error().to_string();
  EXPECT_EQ(retried.value().acked, 0u);
}

// A transfer actor spawned without a manager (a stand-in drops what it is
// sent), so the test can kill it.
struct LoneTransfer : ::testing::Test {
  static constexpr uint64_t kId = 7;
  std::unique_ptr<storage::EventLog> inner = storage::new_memory_log();
  HoldingLog log{inner.get()};
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  caf::scheduler::test_coordinator* sched = nullptr;
  caf::actor manager;
  TransferActorHandle transfer;

  // Every answer a call gets.
  struct Answers {
    std::vector<Expected<TransferStatus>> seen;
    msg::Reply<TransferStatus> reply() {
      return msg::Reply<TransferStatus>(
          [this](Expected<TransferStatus> r) { seen.push_back(std::move(r)); });
    }
  };

  LoneTransfer() {
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    system = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(system->scheduler());
    auto shared = std::make_shared<Shared>();
    shared->log = &log;
    shared->config = test_config();
    manager = system->spawn([](caf::event_based_actor* self) -> caf::behavior {
      self->set_default_handler(caf::drop);
      return {[](stop_atom) {}};
    });
    transfer =
        system->spawn(transfer_actor, kId, shared, caf::actor_cast<ManagerActorHandle>(manager));
  }
  ~LoneTransfer() override {
    caf::anon_send_exit(manager, caf::exit_reason::kill);
    caf::anon_send_exit(transfer, caf::exit_reason::kill);
    sched->run();
    system.reset();
  }

  static msg::TransferCmd open_cmd() {
    const OpenRequest r = test_request();
    TransferOpened h;
    h.transfer_id = kId;
    h.sender = kSender;
    h.receivers = r.receivers;
    h.idempotency_key = r.idempotency_key;
    h.total_size = r.total_size;
    h.mts = r.mts;
    h.width = r.width;
    h.height = r.height;
    h.scan_ends = r.scan_ends;
    h.node = 3;
    return msg::TransferCmd{kId, OpenTransfer{std::move(h)}, {}, {}, {}};
  }
  void kill() {
    caf::anon_send_exit(transfer, caf::exit_reason::kill);  // no exit handler runs
    sched->run();
  }
};

TEST_F(LoneTransfer, RepliesItHoldsWhenKilledRunOnceWithUnavailable) {
  Answers opened, resumed;
  caf::anon_send(transfer, transfer_atom_v, open_cmd(), opened.reply());
  caf::anon_send(transfer, resume_atom_v, msg::ResumeQuery{kId, kSender}, resumed.reply());
  sched->run();
  ASSERT_EQ(log.held(), 1u);
  EXPECT_TRUE(opened.seen.empty());   // waits for the TransferOpened to be durable
  EXPECT_TRUE(resumed.seen.empty());  // queued behind it
  kill();
  ASSERT_EQ(opened.seen.size(), 1u);
  ASSERT_EQ(resumed.seen.size(), 1u);
  EXPECT_EQ(opened.seen[0].error().code, ErrorCode::unavailable);
  EXPECT_EQ(resumed.seen[0].error().code, ErrorCode::unavailable);
  log.release();  // the late durability report finds no actor and answers nothing again
  sched->run();
  EXPECT_EQ(opened.seen.size(), 1u);
  EXPECT_EQ(resumed.seen.size(), 1u);
}

TEST_F(LoneTransfer, CallsQueuedOrSentAfterItStopsStillAnswerUnavailable) {
  Answers queued, late;
  caf::anon_send_exit(transfer, caf::exit_reason::kill);
  caf::anon_send(transfer, transfer_atom_v, open_cmd(), queued.reply());  // behind the exit
  sched->run();
  ASSERT_EQ(queued.seen.size(), 1u);
  EXPECT_EQ(queued.seen[0].error().code, ErrorCode::unavailable);
  caf::anon_send(transfer, resume_atom_v, msg::ResumeQuery{kId, kSender}, late.reply());
  sched->run();
  ASSERT_EQ(late.seen.size(), 1u);
  EXPECT_EQ(late.seen[0].error().code, ErrorCode::unavailable);
  EXPECT_EQ(log.held(), 0u);
}

}  // namespace
}  // namespace glimpse::actors
