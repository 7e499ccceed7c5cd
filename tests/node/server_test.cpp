// The RPC server's connection handling, over a real Relay whose log holds
// appends until the test releases them.
#include "node/server.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <ctime>
#include <deque>
#include <mutex>

#include <gtest/gtest.h>

#include "client/connection.hpp"
#include "client/sender.hpp"
#include "storage/event_log.hpp"
#include "util/token.hpp"

namespace glimpse::node {
namespace {

const std::string kSecret(32, 'k');

// Passes everything through to `inner`, except that appends wait for release().
// Thread-safe.
class HoldingLog final : public storage::EventLogWrapper {
 public:
  explicit HoldingLog(storage::EventLog* inner) : storage::EventLogWrapper(inner) {}

  uint64_t held_bytes() {
    std::lock_guard<std::mutex> lock(mu_);
    return held_bytes_;
  }
  void hold() {
    std::lock_guard<std::mutex> lock(mu_);
    holding_ = true;
  }
  // Appends what is held, in order, and holds nothing more.
  void release() {
    std::lock_guard<std::mutex> lock(mu_);  // later appends wait: the order holds
    holding_ = false;
    for (auto& [req, done] : held_) target()->append(std::move(req), std::move(done));
    held_.clear();
    held_bytes_ = 0;
  }

  void append(storage::AppendRequest request, AppendCallback done) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (holding_) {
        for (const auto& c : request.chunks) held_bytes_ += c.bytes.size();
        held_.emplace_back(std::move(request), std::move(done));
        return;
      }
    }
    target()->append(std::move(request), std::move(done));
  }

 private:
  std::mutex mu_;
  bool holding_ = false;
  uint64_t held_bytes_ = 0;
  std::deque<std::pair<storage::AppendRequest, AppendCallback>> held_;
};

struct NullCallback final : public rpc::SendCallback::Server {};

TEST(RpcServer, ClientIgnoringStreamFlowControlCannotMakeTheNodeBufferEveryWrite) {
  caf::actor_system_config cfg;
  caf::actor_system system(cfg);
  auto memory = storage::new_memory_log();
  HoldingLog log(memory.get());
  actors::RelayConfig relay_config;
  relay_config.node = 1;
  relay_config.limits.max_total_size = 64ull << 20;
  actors::Relay relay(system, log, relay_config);
  ASSERT_TRUE(relay.recover().ok());
  NodeOptions options;
  options.listen = "127.0.0.1:0";
  options.max_chunk_bytes = 64 << 10;
  options.upload_window_bytes = 64 << 10;
  RpcServer server(relay, options, kSecret);
  std::string error;
  ASSERT_TRUE(server.start(&error, nullptr)) << error;
  const uint64_t limit = rpc_flow_limit_bytes(options);
  const size_t chunk = 64 << 10, total = 4 * limit;

  client::Connection c("127.0.0.1:" + std::to_string(server.port()));
  auto session = c.login(token::mint(kSecret, 1, std::time(nullptr) + 60));
  client::SendRequest request;
  request.receivers = {2};
  request.jpeg = std::string(total, 'x');
  request.jpeg[0] = static_cast<char>(0xFF);
  request.jpeg[1] = static_cast<char>(0xD8);
  request.width = request.height = 8;
  request.scan_ends = {total};
  request.mts = total;
  auto send = session.sendRequest();
  client::fill_header(request, send.initHeader());
  send.setCallback(kj::heap<NullCallback>());
  auto upload = send.send().wait(c.wait_scope()).getUpload();

  // Every write at once, never waiting for the stream's flow control.
  log.hold();
  kj::Vector<kj::Promise<void>> writes;
  for (size_t off = 0; off < total; off += chunk) {
    auto w = upload.writeRequest();
    w.setOffset(off);
    w.setBytes(kj::arrayPtr(reinterpret_cast<const kj::byte*>(request.jpeg.data()) + off, chunk));
    writes.add(w.send());
  }
  // A call on another capability, behind every write on the connection. Writes
  // to one Upload are dispatched one at a time, the rest queue in the node's
  // memory; without a flow limit the node reads them all and answers this at
  // once. With it, the node stops reading while the unanswered writes (none
  // can be answered: no append completes) hold the limit, so this call cannot
  // arrive: 2 s without an answer is the expected outcome, not a wait for one.
  auto open = session.openRequest();
  open.setFileId("n9-0000000000000001");  // another node's: answered without the log
  bool answered = false;
  auto sentinel = open.send()
                      .then([](auto&&) {}, [](kj::Exception&&) {})
                      .then([&answered] { answered = true; })
                      .fork();
  sentinel.addBranch()
      .exclusiveJoin(c.timer().afterDelay(2 * kj::SECONDS))
      .wait(c.wait_scope());
  EXPECT_FALSE(answered) << "the node read every write it was sent";
  EXPECT_GT(log.held_bytes(), 0u);
  EXPECT_LE(log.held_bytes(), limit + options.upload_window_bytes + 2 * chunk);

  // Nothing is lost: once appends complete, every write goes through.
  log.release();
  kj::joinPromises(writes.releaseAsArray()).wait(c.wait_scope());
  sentinel.addBranch().wait(c.wait_scope());
  EXPECT_TRUE(answered);
  EXPECT_EQ(log.held_bytes(), 0u);
  server.stop();
}

}  // namespace
}  // namespace glimpse::node
