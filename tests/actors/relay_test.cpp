// The CAF shells through the Relay facade, on a real actor_system over the
// memory log (appends complete inline) and the fault-injecting wrapper.
// CAF 0.17's deterministic scheduler (caf/test/dsl.hpp) is tied to CAF's own
// unit-test framework, so these tests wait on futures instead, each bounded.
#include "actors/relay.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "actors/event_codec.hpp"
#include "storage/event_log.hpp"
#include "storage/fault_injection.hpp"
#include "util/crc32c.hpp"

namespace glimpse::actors {
namespace {

using namespace std::chrono_literals;
constexpr auto kWait = 10s;

template <class T, class F>
Expected<T> wait(F&& start) {
  auto p = std::make_shared<std::promise<Expected<T>>>();
  auto f = p->get_future();
  start([p](Expected<T> r) { p->set_value(std::move(r)); });
  if (f.wait_for(kWait) != std::future_status::ready)
    return RelayError{ErrorCode::unavailable, "test timed out waiting for a reply"};
  return f.get();
}

// Polls `pred` until true, at most kWait (for asynchronous effects with no reply).
template <class F>
bool eventually(F&& pred) {
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return pred();
}

std::string photo_bytes(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + 7) & 0xff);
  return s;
}

uint32_t crc_of(const std::string& s) { return util::crc32c(s); }

constexpr uint64_t kSender = 100, kAlice = 200, kBob = 300, kStranger = 999;

OpenRequest request(const std::string& key = "k1", uint64_t ts = 4000, uint64_t mts = 1000) {
  OpenRequest r;
  r.receivers = {kAlice, kBob};
  r.idempotency_key = key;
  r.total_size = ts;
  r.mts = mts;
  r.width = 64;
  r.height = 48;
  r.scan_ends = {500, mts, ts};
  r.network = NetworkReport{NetworkType::wifi, 4};
  return r;
}

// One node: an actor system and a Relay over `log`. Destroying it is a crash
// as far as the actors are concerned (nothing is flushed beyond the log).
struct Node {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  std::unique_ptr<Relay> relay;

  Node(storage::EventLog& log, RelayConfig rc) {
    system = std::make_unique<caf::actor_system>(cfg);
    relay = std::make_unique<Relay>(*system, log, std::move(rc));
    auto r = relay->recover();
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().to_string());
  }
  ~Node() {
    relay.reset();
    system.reset();
  }

  Expected<TransferStatus> open(OpenRequest r, uint64_t sender = kSender) {
    return wait<TransferStatus>([&](auto cb) { relay->open_transfer(sender, std::move(r), cb); });
  }
  Expected<TransferStatus> append(uint64_t id, uint64_t off, std::string bytes,
                                  uint64_t sender = kSender) {
    return wait<TransferStatus>(
        [&](auto cb) { relay->append(sender, id, off, std::move(bytes), cb); });
  }
  Expected<TransferStatus> finish(uint64_t id, uint32_t crc) {
    return wait<TransferStatus>([&](auto cb) { relay->finish(kSender, id, crc, cb); });
  }
  Expected<TransferStatus> resume(uint64_t id) {
    return wait<TransferStatus>([&](auto cb) { relay->resume(kSender, id, cb); });
  }
  Expected<FileInfo> open_file(uint64_t user, const std::string& file_id) {
    return wait<FileInfo>([&](auto cb) { relay->open_file(user, file_id, cb); });
  }
  Expected<std::string> read(uint64_t user, const std::string& file_id, uint64_t off,
                             uint64_t len) {
    return wait<std::string>([&](auto cb) { relay->read_file(user, file_id, off, len, cb); });
  }
  Expected<Done> ack(uint64_t user, const std::string& file_id) {
    return wait<Done>([&](auto cb) { relay->ack_notification(user, file_id, cb); });
  }
  RelayStats stats() {
    auto s = wait<RelayStats>([&](auto cb) { relay->stats(cb); });
    return s.ok() ? *s : RelayStats{};
  }
};

RelayConfig config() {
  RelayConfig c;
  c.node = 3;
  c.passivate_after = 50ms;
  return c;
}

struct Inbox {
  std::mutex mu;
  std::vector<Notification> seen;
  std::function<void(const Notification&)> listener() {
    return [this](const Notification& n) {
      std::lock_guard<std::mutex> lock(mu);
      seen.push_back(n);
    };
  }
  size_t count() {
    std::lock_guard<std::mutex> lock(mu);
    return seen.size();
  }
};

int count_events(storage::EventLog& log, uint64_t transfer_id, size_t variant_index) {
  int n = 0;
  log.replay({storage::StreamKind::transfer, transfer_id}, 0, [&](uint64_t, std::string_view b) {
    auto e = decode_event(b);
    n += e.ok() && e->body.index() == variant_index;
    return true;
  });
  return n;
}
constexpr size_t kDelivered = 2;  // index in EventBody

TEST(Relay, SendDeliverNotifyReadComplete) {
  auto log = storage::new_memory_log();
  Node node(*log, config());
  Inbox alice;
  auto sub = node.relay->subscribe_inbox(kAlice, alice.listener());
  const std::string photo = photo_bytes(4000);
  auto open = node.open(request());
  ASSERT_TRUE(open.ok()) << open.error().to_string();
  const uint64_t id = open->transfer_id;
  EXPECT_EQ(open->acked, 0u);

  auto a1 = node.append(id, 0, photo.substr(0, 600));
  ASSERT_TRUE(a1.ok());
  EXPECT_EQ(a1->acked, 600u);
  EXPECT_TRUE(a1->file_id.empty());
  auto a2 = node.append(id, 600, photo.substr(600, 600));
  ASSERT_TRUE(a2.ok());
  EXPECT_EQ(a2->acked, 1200u);
  EXPECT_EQ(a2->file_id, make_file_id(3, id));
  ASSERT_TRUE(eventually([&] { return alice.count() == 1; }));
  EXPECT_EQ(alice.seen[0].file_id, a2->file_id);
  EXPECT_EQ(alice.seen[0].sender, kSender);
  EXPECT_GE(alice.seen[0].available, 1000u);

  auto info = node.open_file(kBob, a2->file_id);
  ASSERT_TRUE(info.ok()) << info.error().to_string();
  EXPECT_EQ(info->available, 1200u);
  EXPECT_FALSE(info->completed);
  auto bytes = node.read(kBob, a2->file_id, 100, 5000);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, photo.substr(100, 1100));

  auto stranger = node.open_file(kStranger, a2->file_id);
  auto missing = node.open_file(kBob, make_file_id(3, 12345));
  ASSERT_FALSE(stranger.ok());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(stranger.error().code, ErrorCode::not_found);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
  EXPECT_FALSE(node.read(kStranger, a2->file_id, 0, 10).ok());

  ASSERT_TRUE(node.append(id, 1200, photo.substr(1200)).ok());
  auto wrong = node.finish(id, crc_of("not it"));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::conflict);
  auto done = node.finish(id, crc_of(photo));
  ASSERT_TRUE(done.ok()) << done.error().to_string();
  EXPECT_TRUE(done->completed);
  EXPECT_EQ(*node.read(kAlice, a2->file_id, 0, 1 << 20), photo);
  EXPECT_EQ(count_events(*log, id, kDelivered), 1);
}

// Passes everything to `inner`, except that replaying transfer `bad` fails.
class OneUnreadableTransfer final : public storage::EventLogWrapper {
 public:
  OneUnreadableTransfer(storage::EventLog* inner, uint64_t bad)
      : storage::EventLogWrapper(inner), bad_(bad) {}
  storage::Status replay(storage::StreamId stream, uint64_t from_seq,
                         const std::function<bool(uint64_t, std::string_view)>& fn) override {
    if (stream.kind == storage::StreamKind::transfer && stream.id == bad_)
      return storage::Status(storage::Code::corruption, "injected corruption");
    return target()->replay(stream, from_seq, fn);
  }

 private:
  uint64_t bad_;
};

TEST(Relay, RecoverySkipsAnUnreadableTransferWhichThenAnswersWithItsError) {
  auto inner = storage::new_memory_log();
  uint64_t good, bad;
  {
    Node node(*inner, config());
    auto first = node.open(request("good"));
    auto second = node.open(request("bad"));
    ASSERT_TRUE(first.ok() && second.ok());
    good = first->transfer_id;
    bad = second->transfer_id;
    ASSERT_TRUE(node.append(good, 0, photo_bytes(1500)).ok());
  }
  OneUnreadableTransfer log(inner.get(), bad);
  caf::actor_system_config cfg;
  caf::actor_system system(cfg);
  Relay relay(system, log, config());
  auto report = relay.recover();
  ASSERT_TRUE(report.ok()) << report.error().to_string();
  EXPECT_EQ(report->transfers, 2u);
  EXPECT_EQ(report->unreadable, 1u);
  EXPECT_NE(report->first_unreadable.find("transfer " + std::to_string(bad)), std::string::npos)
      << report->first_unreadable;
  EXPECT_EQ(report->next_transfer_id, std::max(good, bad) + 1);  // no id is reused

  auto resumed = wait<TransferStatus>([&](auto cb) { relay.resume(kSender, good, cb); });
  ASSERT_TRUE(resumed.ok()) << resumed.error().to_string();
  EXPECT_EQ(resumed->acked, 1500u);
  auto broken = wait<TransferStatus>([&](auto cb) { relay.resume(kSender, bad, cb); });
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, ErrorCode::storage_failure) << broken.error().to_string();
}

TEST(Relay, RefusedOpensLeaveNothingBehind) {
  auto log = storage::new_memory_log();
  Node node(*log, config());
  auto bad = request();
  bad.mts = 4001;
  EXPECT_EQ(node.open(bad).error().code, ErrorCode::invalid_argument);
  auto big = request("k", (64ull << 20) + 1, 1000);
  EXPECT_EQ(node.open(big).error().code, ErrorCode::limit_exceeded);
  size_t streams = 0;
  log->list_streams(storage::StreamKind::transfer, [&](auto, auto) { return ++streams, true; });
  EXPECT_EQ(streams, 0u);
  EXPECT_EQ(node.append(1, 0, "x").error().code, ErrorCode::not_found);
}

TEST(Relay, ResumeByKeyAndByIdAfterRestartKeepsState) {
  auto log = storage::new_memory_log();
  const std::string photo = photo_bytes(4000);
  uint64_t id;
  {
    Node node(*log, config());
    auto open = node.open(request());
    ASSERT_TRUE(open.ok());
    id = open->transfer_id;
    ASSERT_TRUE(node.append(id, 0, photo.substr(0, 1500)).ok());
    ASSERT_TRUE(node.append(id, 2000, photo.substr(2000, 500)).ok());  // out of order
    auto again = node.open(request());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->transfer_id, id);
    EXPECT_EQ(again->acked, 1500u);
    auto other = request();
    other.width = 65;
    EXPECT_EQ(node.open(other).error().code, ErrorCode::conflict);
  }
  Node node(*log, config());
  auto by_key = node.open(request());
  ASSERT_TRUE(by_key.ok());
  EXPECT_EQ(by_key->transfer_id, id);
  EXPECT_EQ(by_key->acked, 1500u);
  EXPECT_EQ(by_key->file_id, make_file_id(3, id));
  auto by_id = node.resume(id);
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(*by_id, *by_key);
  ASSERT_TRUE(node.append(id, 2000, photo.substr(2000, 500)).ok());  // idempotent resend
  EXPECT_EQ(node.append(id, 2000, photo.substr(2001, 500)).error().code, ErrorCode::conflict);
  auto fill = node.append(id, 1500, photo.substr(1500, 500));
  ASSERT_TRUE(fill.ok());
  EXPECT_EQ(fill->acked, 2500u);
  auto next = node.open(request("k2"));
  ASSERT_TRUE(next.ok());
  EXPECT_GT(next->transfer_id, id);  // ids seeded past the stored ones
  EXPECT_EQ(count_events(*log, id, kDelivered), 1);
}

TEST(Relay, PipelinedAppendsReplyInOrderAndFinishWaitsForThem) {
  auto log = storage::new_memory_log();
  Node node(*log, config());
  const std::string photo = photo_bytes(64 * 100);
  auto open = node.open(request("p", photo.size(), 1000 > photo.size() ? photo.size() : 1000));
  ASSERT_TRUE(open.ok()) << open.error().to_string();
  const uint64_t id = open->transfer_id;
  std::mutex mu;
  std::vector<uint64_t> acks;
  std::vector<std::future<void>> pending;
  auto all = std::make_shared<std::promise<Expected<TransferStatus>>>();
  for (size_t off = 0; off < photo.size(); off += 64)
    node.relay->append(kSender, id, off, photo.substr(off, 64), [&](Expected<TransferStatus> r) {
      std::lock_guard<std::mutex> lock(mu);
      acks.push_back(r.ok() ? r->acked : 0);
    });
  node.relay->finish(kSender, id, crc_of(photo), [all](Expected<TransferStatus> r) {
    all->set_value(std::move(r));
  });
  auto f = all->get_future();
  ASSERT_EQ(f.wait_for(kWait), std::future_status::ready);
  auto done = f.get();
  ASSERT_TRUE(done.ok()) << done.error().to_string();
  EXPECT_TRUE(done->completed);
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(acks.size(), 100u);
  for (size_t i = 0; i < acks.size(); ++i) EXPECT_EQ(acks[i], (i + 1) * 64);
}

TEST(Relay, AnAppendOfSeveralChunksIsRefusedWholeWhenOneIsTooLargeOrNoneIsGiven) {
  auto log = storage::new_memory_log();
  auto rc = config();
  rc.limits.max_chunk_size = 1000;
  Node node(*log, rc);
  const std::string photo = photo_bytes(4000);
  auto open = node.open(request("several", photo.size(), 1000));
  ASSERT_TRUE(open.ok()) << open.error().to_string();
  const uint64_t id = open->transfer_id;
  auto append = [&](std::vector<ChunkBytes> chunks) {
    return wait<TransferStatus>(
        [&](auto cb) { node.relay->append(kSender, id, std::move(chunks), cb); });
  };
  auto too_large = append({{0, photo.substr(0, 1000)}, {1000, photo.substr(1000, 1001)}});
  ASSERT_FALSE(too_large.ok());
  EXPECT_EQ(too_large.error().code, ErrorCode::limit_exceeded) << too_large.error().to_string();
  auto none = append({});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::invalid_argument) << none.error().to_string();
  EXPECT_EQ(node.resume(id)->acked, 0u) << "nothing of a refused append is stored";
  auto fine = append({{0, photo.substr(0, 1000)}, {1000, photo.substr(1000, 1000)}});
  ASSERT_TRUE(fine.ok()) << fine.error().to_string();
  EXPECT_EQ(fine->acked, 2000u);
}

TEST(Relay, InboxKeepsUnackedNotificationsAcrossRestart) {
  auto log = storage::new_memory_log();
  std::string file_id;
  {
    Node node(*log, config());
    auto open = node.open(request());
    auto a = node.append(open->transfer_id, 0, photo_bytes(1000));
    ASSERT_TRUE(a.ok());
    file_id = a->file_id;
    Inbox bob;
    auto sub = node.relay->subscribe_inbox(kBob, bob.listener());
    ASSERT_TRUE(eventually([&] { return bob.count() == 1; }));
    ASSERT_TRUE(node.ack(kBob, file_id).ok());
    EXPECT_EQ(node.ack(kBob, "n3-00000000000000ff").error().code, ErrorCode::not_found);
  }
  Node node(*log, config());
  Inbox alice, bob;
  auto s1 = node.relay->subscribe_inbox(kAlice, alice.listener());
  auto s2 = node.relay->subscribe_inbox(kBob, bob.listener());
  ASSERT_TRUE(eventually([&] { return alice.count() == 1; }));
  EXPECT_EQ(alice.seen[0].file_id, file_id);
  auto probe = node.ack(kBob, file_id);  // orders after bob's subscribe in his inbox
  EXPECT_TRUE(probe.ok());
  EXPECT_EQ(bob.count(), 0u);
}

TEST(Relay, CancelledSubscriptionGetsNothingMore) {
  auto log = storage::new_memory_log();
  Node node(*log, config());
  Inbox alice;
  auto sub = node.relay->subscribe_inbox(kAlice, alice.listener());
  sub.cancel();
  EXPECT_FALSE(sub.active());
  auto open = node.open(request());
  ASSERT_TRUE(node.append(open->transfer_id, 0, photo_bytes(1000)).ok());
  Inbox later;
  auto sub2 = node.relay->subscribe_inbox(kAlice, later.listener());
  ASSERT_TRUE(eventually([&] { return later.count() == 1; }));
  EXPECT_EQ(alice.count(), 0u);
}

TEST(Relay, WatchFollowsTheDurablePrefix) {
  auto log = storage::new_memory_log();
  Node node(*log, config());
  const std::string photo = photo_bytes(4000);
  auto open = node.open(request());
  auto a = node.append(open->transfer_id, 0, photo.substr(0, 1000));
  std::mutex mu;
  std::vector<FileProgress> seen;
  auto w = node.relay->watch_file(kAlice, a->file_id, [&](Expected<FileProgress> p) {
    std::lock_guard<std::mutex> lock(mu);
    seen.push_back(p.ok() ? *p : FileProgress{0, false, true});
  });
  ASSERT_TRUE(eventually([&] { std::lock_guard<std::mutex> l(mu); return seen.size() == 1; }));
  ASSERT_TRUE(node.append(open->transfer_id, 1000, photo.substr(1000)).ok());
  ASSERT_TRUE(node.finish(open->transfer_id, crc_of(photo)).ok());
  ASSERT_TRUE(eventually([&] { std::lock_guard<std::mutex> l(mu); return seen.size() == 3; }));
  EXPECT_EQ(seen[0].available, 1000u);
  EXPECT_EQ(seen[1].available, 4000u);
  EXPECT_TRUE(seen[2].completed);

  std::promise<RelayError> refused;
  auto w2 = node.relay->watch_file(kStranger, a->file_id, [&](Expected<FileProgress> p) {
    refused.set_value(p.ok() ? RelayError{} : p.error());
  });
  auto f = refused.get_future();
  ASSERT_EQ(f.wait_for(kWait), std::future_status::ready);
  EXPECT_EQ(f.get().code, ErrorCode::not_found);
}

TEST(Relay, IdleActorsPassivateAndComeBackFromTheLog) {
  auto log = storage::new_memory_log();
  auto cfg = config();
  cfg.passivate_after = 5ms;
  Node node(*log, cfg);
  const std::string photo = photo_bytes(4000);
  auto open = node.open(request());
  ASSERT_TRUE(node.append(open->transfer_id, 0, photo.substr(0, 1000)).ok());
  ASSERT_TRUE(eventually([&] {
    auto s = node.stats();
    return s.active_transfers == 0 && s.active_inboxes == 0;
  }));
  EXPECT_EQ(node.stats().unfinished_transfers, 1u);
  auto again = node.append(open->transfer_id, 1000, photo.substr(1000));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->acked, 4000u);
  ASSERT_TRUE(node.finish(open->transfer_id, crc_of(photo)).ok());
  ASSERT_TRUE(eventually([&] { return node.stats().unfinished_transfers == 0; }));
}

TEST(Relay, MaxOpenTransfersPerSender) {
  auto log = storage::new_memory_log();
  auto cfg = config();
  cfg.max_open_transfers_per_user = 2;
  Node node(*log, cfg);
  ASSERT_TRUE(node.open(request("a")).ok());
  auto b = node.open(request("b"));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(node.open(request("c")).error().code, ErrorCode::limit_exceeded);
  ASSERT_TRUE(wait<TransferStatus>([&](auto cb) {
                node.relay->abort(kSender, b->transfer_id, "changed my mind", cb);
              }).ok());
  ASSERT_TRUE(eventually([&] { return node.open(request("c")).ok(); }));
}

TEST(Relay, IdleTransfersExpire) {
  auto log = storage::new_memory_log();
  auto now = std::make_shared<std::atomic<int64_t>>(1'000'000'000);
  auto cfg = config();
  cfg.now_ns = [now] { return now->load(); };
  cfg.idle_timeout = 1s;
  cfg.expiry_sweep_every = 5ms;
  Node node(*log, cfg);
  auto open = node.open(request());
  ASSERT_TRUE(open.ok());
  now->fetch_add(2'000'000'000);
  ASSERT_TRUE(eventually([&] {
    auto r = node.resume(open->transfer_id);  // no event: does not count as activity
    return !r.ok() && r.error().code == ErrorCode::aborted;
  }));
  EXPECT_EQ(node.append(open->transfer_id, 0, "x").error().code, ErrorCode::aborted);
  EXPECT_EQ(node.stats().unfinished_transfers, 0u);
}

// -- fault injection ------------------------------------------------------------

TEST(RelayFaults, FailedAppendIsNotAcknowledgedAndTheNextCommandRecovers) {
  auto inner = storage::new_memory_log();
  storage::FaultInjectionLog log(inner.get());
  Node node(log, config());
  const std::string photo = photo_bytes(4000);
  auto open = node.open(request());
  ASSERT_TRUE(node.append(open->transfer_id, 0, photo.substr(0, 500)).ok());
  log.fail_next_appends(storage::Code::io_error);
  auto failed = node.append(open->transfer_id, 500, photo.substr(500, 500));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::storage_failure);
  auto status = node.resume(open->transfer_id);
  ASSERT_TRUE(status.ok()) << status.error().to_string();
  EXPECT_EQ(status->acked, 500u);
  auto retry = node.append(open->transfer_id, 500, photo.substr(500, 500));
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->acked, 1000u);
  EXPECT_EQ(retry->file_id, make_file_id(3, open->transfer_id));
}

TEST(RelayFaults, FailedSyncOfDeliveredIsNotAcknowledgedAndNeverDuplicated) {
  auto inner = storage::new_memory_log();
  storage::FaultInjectionLog log(inner.get());
  Node node(log, config());
  Inbox alice;
  auto sub = node.relay->subscribe_inbox(kAlice, alice.listener());
  const std::string photo = photo_bytes(4000);
  auto open = node.open(request());
  const uint64_t id = open->transfer_id;
  log.fail_next_sync();
  auto failed = node.append(id, 0, photo.substr(0, 1000));  // crosses MTS; written, sync "failed"
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::storage_failure);
  auto retry = node.append(id, 0, photo.substr(0, 1000));  // recovers: the batch is there
  ASSERT_TRUE(retry.ok()) << retry.error().to_string();
  EXPECT_EQ(retry->acked, 1000u);
  EXPECT_EQ(retry->file_id, make_file_id(3, id));
  ASSERT_TRUE(eventually([&] { return alice.count() == 1; }));
  ASSERT_TRUE(node.append(id, 1000, photo.substr(1000, 1000)).ok());
  EXPECT_EQ(count_events(*inner, id, kDelivered), 1);
  EXPECT_EQ(alice.count(), 1u);
}

TEST(RelayFaults, DeathAfterWriteLosesNoDeliveryAndNotifiesAfterRestart) {
  auto inner = storage::new_memory_log();
  storage::FaultInjectionLog log(inner.get());
  const std::string photo = photo_bytes(4000);
  uint64_t id;
  {
    Node node(log, config());
    auto open = node.open(request());
    id = open->transfer_id;
    ASSERT_TRUE(node.append(id, 0, photo.substr(0, 500)).ok());
    log.die_after_next_write();
    auto died = node.append(id, 500, photo.substr(500, 700));  // crosses MTS, then "dies"
    EXPECT_FALSE(died.ok());
  }
  Node node(*inner, config());  // restart over the "disk"
  Inbox alice, bob;
  auto s1 = node.relay->subscribe_inbox(kAlice, alice.listener());
  auto s2 = node.relay->subscribe_inbox(kBob, bob.listener());
  ASSERT_TRUE(eventually([&] { return alice.count() == 1 && bob.count() == 1; }));
  auto status = node.resume(id);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->acked, 1200u);  // written before the death, so durable
  EXPECT_EQ(status->file_id, make_file_id(3, id));
  EXPECT_EQ(count_events(*inner, id, kDelivered), 1);
  ASSERT_TRUE(node.append(id, 1200, photo.substr(1200)).ok());
  ASSERT_TRUE(node.finish(id, crc_of(photo)).ok());
  EXPECT_EQ(alice.count(), 1u);
}

}  // namespace
}  // namespace glimpse::actors
