// The RPC server's connection handling, over a real Relay whose log holds
// appends until the test releases them.
#include "node/server.hpp"

#include <fcntl.h>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

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

// A relay over `log` (default: an in-memory one) and a server in front of
// it, on a free port. `log` must outlive the node.
struct TestNode {
  explicit TestNode(NodeOptions options, storage::EventLog* log = nullptr) {
    relay_config.node = 1;
    relay_config.limits.max_total_size = 64ull << 20;
    relay.emplace(system, log != nullptr ? *log : *memory, relay_config);
    EXPECT_TRUE(relay->recover().ok());
    options.listen = "127.0.0.1:0";
    server.emplace(*relay, options, kSecret);
    std::string error;
    EXPECT_TRUE(server->start(&error, [this]() { ended = true; })) << error;
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(server->port()); }

  // Destroyed last: the actor system's actors may use it until it is gone.
  std::unique_ptr<storage::EventLog> memory = storage::new_memory_log();
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  actors::RelayConfig relay_config;
  std::optional<actors::Relay> relay;
  std::optional<RpcServer> server;
  std::atomic<bool> ended{false};
};

// Options for 64 KiB writes and an upload window of `bytes`.
NodeOptions with_upload_window(uint64_t bytes) {
  NodeOptions options;
  options.max_chunk_bytes = 64 << 10;
  options.upload_window_bytes = bytes;
  return options;
}

// A TestNode whose appends wait while its log holds them.
struct HeldNode {
  explicit HeldNode(NodeOptions options) : log(memory.get()), node(std::move(options), &log) {}
  std::unique_ptr<storage::EventLog> memory = storage::new_memory_log();
  HoldingLog log;
  TestNode node;
};

// A plain TCP connection to `port`, or -1 (errno set).
int raw_connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Whether the node closes `fd` (end of stream or reset) within `timeout_ms`;
// what it sends before (an RPC abort message) is read and dropped.
bool closed_by_node(int fd, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1) return false;
    char buffer[4096];
    if (::read(fd, buffer, sizeof buffer) <= 0) return true;
  }
}

// `size` bytes that pass the node's JPEG check (SOI first), sent whole at MTS.
client::SendRequest fake_photo(size_t size, std::vector<uint64_t> receivers, std::string key = "") {
  client::SendRequest request;
  request.receivers = std::move(receivers);
  request.jpeg = std::string(size, 'x');
  request.jpeg[0] = static_cast<char>(0xFF);
  request.jpeg[1] = static_cast<char>(0xD8);
  request.width = request.height = 8;
  request.scan_ends = {size};
  request.mts = size;
  request.idempotency_key = std::move(key);
  return request;
}

// Opens a send of `request` on `session` whose callback ignores progress.
rpc::Upload::Client open_upload(client::Connection& c, rpc::Session::Client& session,
                                const client::SendRequest& request) {
  auto send = session.sendRequest();
  client::fill_header(request, send.initHeader());
  send.setCallback(kj::heap<NullCallback>());
  return send.send().wait(c.wait_scope()).getUpload();
}

// Sends every write of `request` to `upload` at once, as plain calls that
// bypass the client's stream flow control; `*returned` counts the writes the
// node answered.
kj::Promise<void> write_all_at_once(rpc::Upload::Client& upload, const client::SendRequest& request,
                                    size_t chunk, size_t* returned) {
  kj::Vector<kj::Promise<void>> writes;
  for (size_t off = 0; off < request.jpeg.size(); off += chunk) {
    auto w = upload.typelessRequest(capnp::typeId<rpc::Upload>(), 0 /* write */, nullptr);
    auto params = w.initAs<rpc::Upload::WriteParams>();
    params.setOffset(off);
    params.setBytes(
        kj::arrayPtr(reinterpret_cast<const kj::byte*>(request.jpeg.data()) + off, chunk));
    // Eager: a joined promise's continuation would run only once all are done.
    writes.add(w.send().then([returned](auto&&) { ++*returned; }).eagerlyEvaluate(nullptr));
  }
  return kj::joinPromises(writes.releaseAsArray());
}

// Calls open for another node's file (answered without the log) on
// `session`, behind every call sent before; `*answered` is set once it is.
kj::ForkedPromise<void> sentinel(rpc::Session::Client& session, bool* answered) {
  auto open = session.openRequest();
  open.setFileId("n9-0000000000000001");
  return open.send()
      .then([](auto&&) {}, [](kj::Exception&&) {})
      .then([answered] { *answered = true; })
      .fork();
}

bool can_log_in(const std::string& address) {
  client::Connection c(address);
  uint64_t user = 0;
  c.login(token::mint(kSecret, 7, std::time(nullptr) + 60), &user);
  return user == 7;
}

TEST(RpcServer, ConnectionThatNeverLogsInIsClosedAfterTheLoginTimeout) {
  NodeOptions options;
  options.login_timeout_s = 1;
  TestNode node(options);
  int idle = raw_connect(node.server->port());
  ASSERT_GE(idle, 0);
  client::Connection logged_in(node.address());
  auto session = logged_in.login(token::mint(kSecret, 1, std::time(nullptr) + 60));

  EXPECT_TRUE(closed_by_node(idle, 10'000)) << "the idle connection is still open";
  ::close(idle);
  // The logged-in connection outlives the timeout and still answers.
  logged_in.timer().afterDelay(1500 * kj::MILLISECONDS).wait(logged_in.wait_scope());
  auto open = session.openRequest();
  open.setFileId("n1-0000000000000099");
  auto answer =
      open.send().then([](auto&&) { return std::string("found"); },
                       [](kj::Exception&& e) { return std::string(e.getDescription().cStr()); });
  EXPECT_NE(answer.wait(logged_in.wait_scope()).find("not_found"), std::string::npos);
}

TEST(RpcServer, ConnectionsBeyondTheLimitAreClosedOnArrivalAndTheOthersKeepWorking) {
  NodeOptions options;
  options.max_connections = 1;
  TestNode node(options);
  client::Connection first(node.address());
  auto session = first.login(token::mint(kSecret, 1, std::time(nullptr) + 60));
  int second = raw_connect(node.server->port());
  ASSERT_GE(second, 0);
  EXPECT_TRUE(closed_by_node(second, 10'000));
  ::close(second);
  auto open = session.openRequest();
  open.setFileId("n1-0000000000000099");
  EXPECT_ANY_THROW(open.send().wait(first.wait_scope()));  // answered (not found): still served
  EXPECT_FALSE(node.ended);
}

TEST(RpcServer, MessageLargerThanTheLimitEndsOnlyItsOwnConnection) {
  NodeOptions options;
  options.max_chunk_bytes = 64 << 10;
  TestNode node(options);
  int fd = raw_connect(node.server->port());
  ASSERT_GE(fd, 0);
  // A segment table announcing one 8 MiB segment (within Cap'n Proto's default
  // 64 MiB, past this node's 192 KiB); no body follows.
  const uint32_t table[2] = {0, 1u << 20};
  ASSERT_EQ(::write(fd, table, sizeof table), static_cast<ssize_t>(sizeof table));
  EXPECT_TRUE(closed_by_node(fd, 10'000));
  ::close(fd);
  EXPECT_TRUE(can_log_in(node.address()));
}

TEST(RpcServer, RunningOutOfFileDescriptorsPausesAcceptingInsteadOfStoppingTheNode) {
  TestNode node(NodeOptions{});
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  // Leave a few descriptors, then take them with connections: the node's
  // accept() of the last ones fails with EMFILE.
  int highest = 0;
  for (int fd = 0; fd < 4096; ++fd)
    if (::fcntl(fd, F_GETFD) != -1) highest = fd;
  rlimit low = saved;
  low.rlim_cur = static_cast<rlim_t>(highest + 8);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  std::vector<int> clients;
  for (int fd; (fd = raw_connect(node.server->port())) >= 0;) clients.push_back(fd);
  // Connected in the kernel's backlog; the node fails to accept some of them.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (node.server->accept_failures() == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_GT(node.server->accept_failures(), 0u);
  for (int fd : clients) ::close(fd);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);

  EXPECT_FALSE(node.ended) << "the node stopped accepting for good";
  EXPECT_TRUE(can_log_in(node.address()));
}

TEST(RpcServer, ClientIgnoringStreamFlowControlCannotMakeTheNodeBufferEveryWrite) {
  const NodeOptions options = with_upload_window(64 << 10);
  HeldNode held(options);
  HoldingLog& log = held.log;
  TestNode& node = held.node;
  const uint64_t limit = rpc_flow_limit_bytes(options);
  const size_t chunk = 64 << 10, total = 4 * limit;

  client::Connection c(node.address());
  auto session = c.login(token::mint(kSecret, 1, std::time(nullptr) + 60));
  const client::SendRequest request = fake_photo(total, {2});
  auto upload = open_upload(c, session, request);

  log.hold();
  size_t returned = 0;
  auto writes = write_all_at_once(upload, request, chunk, &returned);
  // A call on another capability, behind every write on the connection. Writes
  // to one Upload are dispatched one at a time, the rest queue in the node's
  // memory; without a flow limit the node reads them all and answers this at
  // once. With it, the node stops reading while the unanswered writes (none
  // can be answered: no append completes) hold the limit, so this call cannot
  // arrive: 2 s without an answer is the expected outcome, not a wait for one.
  bool answered = false;
  auto answer = sentinel(session, &answered);
  answer.addBranch().exclusiveJoin(c.timer().afterDelay(2 * kj::SECONDS)).wait(c.wait_scope());
  EXPECT_FALSE(answered) << "the node read every write it was sent";
  EXPECT_GT(log.held_bytes(), 0u);
  EXPECT_LE(log.held_bytes(), limit + options.upload_window_bytes + 2 * chunk);
  EXPECT_LE(returned * chunk, options.upload_window_bytes);

  // Nothing is lost: once appends complete, every write goes through.
  log.release();
  writes.wait(c.wait_scope());
  answer.addBranch().wait(c.wait_scope());
  EXPECT_TRUE(answered);
  EXPECT_EQ(log.held_bytes(), 0u);
  node.server->stop();
}

TEST(RpcServer, UploadWindowIsSharedByEverySendOnAConnection) {
  const NodeOptions options = with_upload_window(1 << 20);
  HeldNode held(options);
  HoldingLog& log = held.log;
  TestNode& node = held.node;
  const size_t chunk = 64 << 10, size = 2 << 20;
  ASSERT_GE(rpc_flow_limit_bytes(options), 4 * size);  // the node reads every write

  client::Connection c(node.address());
  auto session = c.login(token::mint(kSecret, 1, std::time(nullptr) + 60));
  std::vector<client::SendRequest> requests;
  std::vector<rpc::Upload::Client> uploads;
  for (int i = 0; i < 4; ++i) {
    requests.push_back(fake_photo(size, {2}, "send-" + std::to_string(i)));
    uploads.push_back(open_upload(c, session, requests.back()));
  }
  log.hold();  // nothing becomes durable: only the window lets writes return
  size_t returned = 0;
  kj::Vector<kj::Promise<void>> writes;
  for (int i = 0; i < 4; ++i)
    writes.add(write_all_at_once(uploads[i], requests[i], chunk, &returned));
  bool answered = false;
  sentinel(session, &answered).addBranch().wait(c.wait_scope());  // every write was read
  // Each send alone may have a window's worth returned; together no more.
  EXPECT_GT(returned, 0u);
  EXPECT_LE(returned * chunk, options.upload_window_bytes);

  log.release();
  kj::joinPromises(writes.releaseAsArray()).wait(c.wait_scope());
  EXPECT_EQ(returned * chunk, 4 * size);
  node.server->stop();
}

// Passes everything through to `inner`, except that reads wait while paused:
// a client that stops reading its socket.
class PausableStream final : public kj::AsyncIoStream {
 public:
  // A small receive buffer, fixed (no autotuning up to tcp_rmem's 32 MiB),
  // so what the client does not read stays with the node.
  explicit PausableStream(kj::Own<kj::AsyncIoStream> inner) : inner_(kj::mv(inner)) {
    int bytes = 64 << 10;
    inner_->setsockopt(SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
  }
  void pause() { paused_ = true; }
  void resume() {
    paused_ = false;
    KJ_IF_MAYBE (f, waiting_) {
      (*f)->fulfill();
    }
    waiting_ = nullptr;
  }

  kj::Promise<size_t> tryRead(void* buffer, size_t min_bytes, size_t max_bytes) override {
    if (!paused_) return inner_->tryRead(buffer, min_bytes, max_bytes);
    auto paf = kj::newPromiseAndFulfiller<void>();
    waiting_ = kj::mv(paf.fulfiller);
    return paf.promise.then(
        [this, buffer, min_bytes, max_bytes]() { return tryRead(buffer, min_bytes, max_bytes); });
  }
  kj::Promise<void> write(const void* buffer, size_t size) override {
    return inner_->write(buffer, size);
  }
  kj::Promise<void> write(kj::ArrayPtr<const kj::ArrayPtr<const kj::byte>> pieces) override {
    return inner_->write(pieces);
  }
  kj::Promise<void> whenWriteDisconnected() override { return inner_->whenWriteDisconnected(); }
  void shutdownWrite() override { inner_->shutdownWrite(); }

 private:
  kj::Own<kj::AsyncIoStream> inner_;
  bool paused_ = false;
  kj::Maybe<kj::Own<kj::PromiseFulfiller<void>>> waiting_;
};

TEST(RpcServer, ClientThatStopsReadingMakesTheNodeHoldFileRepliesNotQueueThem) {
  TestNode node(NodeOptions{});
  const size_t size = 2 << 20, piece = 1 << 20;
  std::string file_id;
  {
    client::Connection sender(node.address());
    auto session = sender.login(token::mint(kSecret, 1, std::time(nullptr) + 60));
    file_id = client::send_photo(sender, session, fake_photo(size, {2}), {});
  }

  auto io = kj::setupAsyncIo();
  auto& ws = io.waitScope;
  auto address = io.provider->getNetwork().parseAddress(node.address()).wait(ws);
  PausableStream stream(address->connect().wait(ws));
  capnp::TwoPartyClient rpc(stream);
  auto login = rpc.bootstrap().castAs<rpc::Gateway>().loginRequest();
  login.setToken(token::mint(kSecret, 2, std::time(nullptr) + 60));
  auto session = login.send().getSession();
  auto open = session.openRequest();
  open.setFileId(file_id);
  auto file = open.send().wait(ws).getFile();

  // Far more than the socket buffers, the node's 1 MiB write buffer and
  // kReplyQueueBytes can take, asked for at once and not read.
  constexpr int kReads = 48;
  stream.pause();
  kj::Vector<kj::Promise<size_t>> reads;
  for (int i = 0; i < kReads; ++i) {
    auto read = file.readRequest();
    read.setOffset(0);
    read.setMaxBytes(piece);
    reads.add(read.send().then([](auto r) { return r.getBytes().size(); }));
  }
  // The client's loop runs (its calls go out) until the node holds replies.
  auto& timer = io.provider->getTimer();
  const kj::TimePoint deadline = timer.now() + 20 * kj::SECONDS;
  while (node.server->replies_held() < kReads / 2 && timer.now() < deadline)
    timer.afterDelay(10 * kj::MILLISECONDS).wait(ws);
  EXPECT_GE(node.server->replies_held(), static_cast<uint64_t>(kReads / 2));

  // Reading again, the client gets every answer, whole.
  stream.resume();
  for (size_t got : kj::joinPromises(reads.releaseAsArray()).wait(ws)) EXPECT_EQ(got, piece);
  EXPECT_EQ(node.server->replies_held(), 0u);
  node.server->stop();
}

}  // namespace
}  // namespace glimpse::node
