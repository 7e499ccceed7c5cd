// The RPC services over a real Relay (memory log), in one process: the
// glimpse client library on this thread, glimpsed's KJ thread and CAF's.
#include <algorithm>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <chrono>
#include <ctime>

#include <gtest/gtest.h>

#include "client/connection.hpp"
#include "client/receiver.hpp"
#include "client/sender.hpp"
#include "util/crc32c.hpp"
#include "util/token.hpp"
#include "image/image.hpp"
#include "node/server.hpp"
#include "storage/event_log.hpp"
#include "storage/fault_injection.hpp"

namespace glimpse::node {
namespace {

const std::string kSecret(32, 'k');

client::SendRequest small_photo(std::vector<uint64_t> receivers, const std::string& key) {
  image::Pixels p;
  p.width = 96;
  p.height = 64;
  p.channels = 3;
  for (int i = 0; i < p.width * p.height; ++i)
    for (int c = 0; c < 3; ++c) p.data.push_back(static_cast<uint8_t>((i * (c + 3)) % 251));
  auto prepared = image::prepare(image::encode_png(p).value()).value();
  client::SendRequest r;
  r.receivers = std::move(receivers);
  r.jpeg = prepared.jpeg;
  r.width = prepared.width;
  r.height = prepared.height;
  r.scan_ends = prepared.scan_ends;
  r.mts = prepared.scan_ends.front();
  r.idempotency_key = key;
  r.chunk_bytes = 512;
  return r;
}

class NodeService : public ::testing::Test {
 protected:
  void SetUp() override {
    system_ = std::make_unique<caf::actor_system>(cfg_);
    log_ = storage::new_memory_log();
    faults_ = std::make_unique<storage::FaultInjectionLog>(log_.get());
    actors::RelayConfig config;
    config.node = 1;
    relay_ = std::make_unique<actors::Relay>(*system_, *faults_, config);
    ASSERT_TRUE(relay_->recover().ok());
    start_server(NodeOptions{}.ack_interval_ms);
  }
  void start_server(uint64_t ack_interval_ms) {
    server_.reset();
    NodeOptions options;
    options.listen = "127.0.0.1:0";
    options.max_chunk_bytes = 1000;
    options.ack_interval_ms = ack_interval_ms;
    server_ = std::make_unique<RpcServer>(*relay_, options, kSecret);
    std::string error;
    ASSERT_TRUE(server_->start(&error, nullptr)) << error;
  }
  void TearDown() override {
    server_.reset();
    relay_.reset();
    system_.reset();
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(server_->port()); }
  std::string token(uint64_t user) const { return token::mint(kSecret, user, std::time(nullptr) + 60); }

  caf::actor_system_config cfg_;
  std::unique_ptr<caf::actor_system> system_;
  std::unique_ptr<storage::EventLog> log_;
  std::unique_ptr<storage::FaultInjectionLog> faults_;  // wraps log_
  std::unique_ptr<actors::Relay> relay_;
  std::unique_ptr<RpcServer> server_;
};

TEST_F(NodeService, SendThenReceiverFollowsToTheEnd) {
  // One Connection per thread (it owns the thread's event loop): two users
  // log in over the same one.
  client::Connection sender(address());
  client::Connection& receiver = sender;
  auto request = small_photo({2}, "k1");
  std::string delivered;
  client::SendObserver observer;
  observer.on_delivered = [&](const std::string& id) { delivered = id; };
  std::string file_id = client::send_photo(sender, sender.login(token(1)), request, observer);
  EXPECT_EQ(file_id, delivered);

  auto state = client::follow_file(receiver.login(token(2)), file_id, nullptr).wait(receiver.wait_scope());
  EXPECT_EQ(state->bytes, request.jpeg);
  EXPECT_TRUE(state->completed);
  auto now = client::read_now(receiver, receiver.login(token(2)), file_id);
  EXPECT_EQ(now->bytes, request.jpeg);
}

// Counts a sender's `acked` calls; the first at or past `target` fulfills
// `reached`.
class CountingCallback final : public rpc::SendCallback::Server {
 public:
  CountingCallback(std::vector<uint64_t>* offsets, uint64_t target,
                   kj::Own<kj::PromiseFulfiller<void>> reached)
      : offsets_(offsets), target_(target), reached_(kj::mv(reached)) {}

 protected:
  kj::Promise<void> acked(AckedContext c) override {
    offsets_->push_back(c.getParams().getOffset());
    if (offsets_->back() >= target_) reached_->fulfill();
    return kj::READY_NOW;
  }
  kj::Promise<void> delivered(DeliveredContext) override { return kj::READY_NOW; }

 private:
  std::vector<uint64_t>* offsets_;
  uint64_t target_;
  kj::Own<kj::PromiseFulfiller<void>> reached_;
};

// Writes the photo in 1000-byte chunks, waits for an `acked` of the whole
// photo if `wait_for_last_report`, calls done; returns the offsets of the
// `acked` calls heard until done returned.
std::vector<uint64_t> acked_offsets(client::Connection& c, rpc::Session::Client session,
                                    const client::SendRequest& photo, bool wait_for_last_report) {
  std::vector<uint64_t> offsets;
  auto last = kj::newPromiseAndFulfiller<void>();
  auto req = session.sendRequest();
  client::fill_header(photo, req.initHeader());
  req.setCallback(kj::heap<CountingCallback>(&offsets, photo.jpeg.size(), kj::mv(last.fulfiller)));
  auto upload = req.send().wait(c.wait_scope()).getUpload();
  for (size_t at = 0; at < photo.jpeg.size(); at += 1000) {
    auto w = upload.writeRequest();
    w.setOffset(at);
    w.setBytes(kj::arrayPtr(reinterpret_cast<const kj::byte*>(photo.jpeg.data()) + at,
                            std::min<size_t>(1000, photo.jpeg.size() - at)));
    w.send().wait(c.wait_scope());
  }
  if (wait_for_last_report) last.promise.wait(c.wait_scope());
  auto done = upload.doneRequest();
  done.setCrc32c(util::crc32c(photo.jpeg));
  done.send().wait(c.wait_scope());
  return offsets;
}

TEST_F(NodeService, ASenderHearsOfProgressUntilEveryByteIsDurable) {
  const auto photo = small_photo({2}, "");
  ASSERT_GT(photo.jpeg.size(), 1000u);
  start_server(/*ack_interval_ms=*/0);
  client::Connection sender(address());
  auto offsets = acked_offsets(sender, sender.login(token(1)), photo, true);
  ASSERT_FALSE(offsets.empty());
  EXPECT_TRUE(std::is_sorted(offsets.begin(), offsets.end()));
  EXPECT_EQ(offsets.back(), photo.jpeg.size());
}

TEST_F(NodeService, ASenderHearsOfProgressNoSoonerThanAnAckIntervalAfterOpening) {
  const auto photo = small_photo({2}, "");
  start_server(/*ack_interval_ms=*/3'600'000);
  client::Connection sender(address());
  auto offsets = acked_offsets(sender, sender.login(token(1)), photo, false);
  EXPECT_TRUE(offsets.empty()) << "the first report is due an hour after opening; done tells the rest";
}

TEST_F(NodeService, WritesThatComeWhileAppendsWaitForTheDiskReachItAsOneBatch) {
  auto photo = small_photo({2}, "");
  ASSERT_GE(photo.jpeg.size(), 3000u);
  photo.mts = photo.scan_ends.back();  // no delivery, so no inbox appends, until the end
  client::Connection c(address());
  auto req = c.login(token(1)).sendRequest();
  client::fill_header(photo, req.initHeader());
  auto upload = req.send().wait(c.wait_scope()).getUpload();
  faults_->hold_appends();
  for (size_t at = 0; at < 3000; at += 500) {  // inside the window: none waits for the disk
    auto w = upload.writeRequest();
    w.setOffset(at);
    w.setBytes(kj::arrayPtr(reinterpret_cast<const kj::byte*>(photo.jpeg.data()) + at, 500));
    w.send().wait(c.wait_scope());
  }
  c.login(token(1));  // a round trip behind the writes: the node has taken them all
  EXPECT_EQ(faults_->wait_held(2), (std::vector<size_t>{1, 1})) << "two appends in flight";
  faults_->release_held();
  EXPECT_EQ(faults_->wait_held(1), std::vector<size_t>{4}) << "the other four, together";
  faults_->heal();
  auto w = upload.writeRequest();
  w.setOffset(3000);
  w.setBytes(kj::arrayPtr(reinterpret_cast<const kj::byte*>(photo.jpeg.data()) + 3000,
                          photo.jpeg.size() - 3000));
  w.send().wait(c.wait_scope());
  auto done = upload.doneRequest();
  done.setCrc32c(util::crc32c(photo.jpeg));
  const std::string file_id = done.send().wait(c.wait_scope()).getFileId();
  auto now = client::read_now(c, c.login(token(2)), file_id);
  EXPECT_EQ(now->bytes, photo.jpeg);
}

// Records every notification the node sends, fulfilling `arrived` on the first.
class RecordingInbox final : public rpc::InboxListener::Server {
 public:
  RecordingInbox(std::vector<std::pair<std::string, rpc::Notification::Reader>>* seen,
                 std::vector<kj::Own<capnp::MallocMessageBuilder>>* kept)
      : seen_(seen), kept_(kept) {}

 protected:
  kj::Promise<void> notify(NotifyContext c) override {
    kept_->push_back(kj::heap<capnp::MallocMessageBuilder>());
    kept_->back()->setRoot(c.getParams().getNotification());
    auto copy = kept_->back()->getRoot<rpc::Notification>().asReader();
    seen_->emplace_back(copy.getFileId().cStr(), copy);
    return kj::READY_NOW;
  }

 private:
  std::vector<std::pair<std::string, rpc::Notification::Reader>>* seen_;
  std::vector<kj::Own<capnp::MallocMessageBuilder>>* kept_;
};

TEST_F(NodeService, SubscriberIsToldOfEachFileOnceWithItsBytesAndDeliveryTime) {
  client::Connection c(address());
  std::vector<std::pair<std::string, rpc::Notification::Reader>> seen;
  std::vector<kj::Own<capnp::MallocMessageBuilder>> kept;
  auto sub = c.login(token(2)).subscribeRequest();
  sub.setInbox(kj::heap<RecordingInbox>(&seen, &kept));
  auto handle = sub.send().wait(c.wait_scope()).getHandle();
  const int64_t before = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  auto request = small_photo({2}, "k7");
  std::string file_id = client::send_photo(c, c.login(token(1)), request, {});
  // A repeat would be sent when the inbox queues the file, which it does
  // before it handles this ack; so it would arrive before the ack's answer.
  auto ack = c.login(token(2)).ackRequest();
  ack.setFileId(file_id);
  ack.send().wait(c.wait_scope());
  ASSERT_EQ(seen.size(), 1u);
  auto n = seen[0].second;
  EXPECT_EQ(seen[0].first, file_id);
  EXPECT_EQ(n.getSender(), 1u);
  EXPECT_EQ(n.getTotalSize(), request.jpeg.size());
  EXPECT_GE(n.getAvailable(), request.mts);
  EXPECT_LE(n.getAvailable(), request.jpeg.size());
  EXPECT_GE(n.getDeliveredNs(), before);
}

TEST_F(NodeService, RefusalsAreOneMessageEach) {
  client::Connection c(address());
  try {
    c.login("v1.1.1.nope");
    ADD_FAILURE() << "login with a malformed token worked";
  } catch (const kj::Exception& e) {
    EXPECT_EQ(client::describe(e, "n").rfind("unauthenticated: the token is malformed", 0), 0u)
        << client::describe(e, "n");
  }
  auto request = small_photo({2}, "k2");
  request.chunk_bytes = 2048;  // over this node's 1000
  try {
    client::send_photo(c, c.login(token(1)), request, {});
    ADD_FAILURE() << "an oversized write went through";
  } catch (const kj::Exception& e) {
    EXPECT_EQ(client::describe(e, "n").rfind("limit_exceeded: a write of 2048 bytes", 0), 0u)
        << client::describe(e, "n");
  }
  try {
    client::read_now(c, c.login(token(3)), "n1-0000000000000001");
    ADD_FAILURE() << "a stranger opened a file";
  } catch (const kj::Exception& e) {
    EXPECT_EQ(client::describe(e, "n").rfind("not_found", 0), 0u) << client::describe(e, "n");
  }
}

TEST_F(NodeService, FollowThatFailsOnTheNodeRejectsInsteadOfHanging) {
  client::Connection c(address());
  auto request = small_photo({2}, "k4");
  std::string file_id = client::send_photo(c, c.login(token(1)), request, {});
  faults_->fail_next_reads(storage::Code::io_error, 1000);  // the follower's reads
  auto follow = client::follow_file(c.login(token(2)), file_id, nullptr)
                    .then([](std::shared_ptr<client::FileState>) { return kj::str("ended"); },
                          [](kj::Exception&& e) { return kj::str(e.getDescription()); });
  auto timeout = c.timer().afterDelay(20 * kj::SECONDS).then([] { return kj::str("hung"); });
  auto outcome = follow.exclusiveJoin(kj::mv(timeout)).wait(c.wait_scope());
  std::string said(outcome.cStr());
  EXPECT_NE(said.find("the node stopped sending " + file_id), std::string::npos) << said;
  EXPECT_NE(said.find("glimpse recv"), std::string::npos) << said;
  // The node is fine: once the disk is back, the next follow gets the whole file.
  faults_->heal();
  auto state = client::follow_file(c.login(token(2)), file_id, nullptr).wait(c.wait_scope());
  EXPECT_EQ(state->bytes, request.jpeg);
}

TEST_F(NodeService, FilledRefusesAJpegLargerThanItsDeclaredSize) {
  client::Connection c(address());
  auto honest = small_photo({2}, "k5");
  auto lying = small_photo({2}, "k6");
  lying.width = 16;  // the JPEG's frame is 96x64
  lying.height = 16;
  auto filled = [&](const std::string& file_id) {
    auto open = c.login(token(2)).openRequest();
    open.setFileId(file_id);
    auto file = open.send().wait(c.wait_scope()).getFile();
    return file.filledRequest().send().wait(c.wait_scope());
  };
  std::string honest_id = client::send_photo(c, c.login(token(1)), honest, {});
  auto ok = filled(honest_id);
  EXPECT_TRUE(image::decode(std::string(reinterpret_cast<const char*>(ok.getJpeg().begin()),
                                        ok.getJpeg().size()))
                  .ok());
  std::string lying_id = client::send_photo(c, c.login(token(1)), lying, {});
  try {
    filled(lying_id);
    ADD_FAILURE() << "a JPEG larger than its declared size was filled";
  } catch (const kj::Exception& e) {
    EXPECT_EQ(client::describe(e, "n"),
              "invalid_argument: cannot fill this file: its JPEG frame header says 96x64 but the "
              "sender declared 16x16")
        << client::describe(e, "n");
  }
}

TEST_F(NodeService, StopDropsClientsAndReturns) {
  client::Connection c(address());
  auto session = c.login(token(1));
  server_->stop();
  EXPECT_THROW(c.on_disconnect().wait(c.wait_scope()); session.ackRequest().send().wait(c.wait_scope()),
               kj::Exception);
}

}  // namespace
}  // namespace glimpse::node
