#include "node/server.hpp"

#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>
#include <kj/debug.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

#include "node/fill_worker.hpp"
#include "node/log.hpp"
#include "node/message_stream.hpp"
#include "node/service.hpp"

namespace glimpse::node {

struct RpcServer::Thread {
  std::thread thread;
};

namespace {

// What every accepted connection is made with. KJ thread only.
struct ConnectionSetup {
  ServiceContext& context;
  kj::Timer& timer;
  // Stops reading a connection's messages while its unanswered calls hold
  // this many bytes, so a client that ignores `-> stream` flow control cannot
  // make the node buffer every write it sends.
  size_t flow_limit_bytes;
  // The largest message a client may send: a largest write or header, with
  // room for the call around it. A larger size prefix ends the connection
  // before anything is allocated for it.
  capnp::ReaderOptions reader_options;
  std::function<void()> before_write;  // see BufferedMessageStream
  uint64_t live = 0;                   // connections open now
  std::atomic<uint64_t>& accept_failures;
  bool refusing = false;  // the last accept failed or was over --max-connections (logged once)
};

// One client connection with its own RPC system and its own gateway, which
// marks it logged in.
struct Connection {
  Connection(kj::Own<kj::AsyncIoStream> stream, ConnectionSetup& setup)
      : setup(setup),
        stream(kj::mv(stream)),
        messages(*this->stream, setup.before_write),
        network(messages, capnp::rpc::twoparty::Side::SERVER, setup.reader_options),
        state(kj::refcounted<ConnectionState>()),
        rpc(capnp::makeRpcServer(network, new_gateway(setup.context, kj::addRef(*state),
                                                      [this]() { logged_in = true; }))) {
    state->queued_bytes = [this]() { return network.getCurrentQueueSize(); };
    rpc.setFlowLimit(setup.flow_limit_bytes / sizeof(capnp::word));
    ++setup.live;
  }
  ~Connection() {
    state->queued_bytes = nullptr;
    --setup.live;
  }
  ConnectionSetup& setup;
  bool logged_in = false;
  kj::Own<kj::AsyncIoStream> stream;
  BufferedMessageStream messages;
  capnp::TwoPartyVatNetwork network;
  kj::Own<ConnectionState> state;  // shared with the connection's capabilities
  capnp::RpcSystem<capnp::rpc::twoparty::VatId> rpc;
};

// Resolves when the client disconnects, or when it has not logged in within
// --login-timeout: a connection that never logs in cannot hold a socket and
// a partly received message for ever.
kj::Promise<void> connection_life(Connection& c) {
  auto deadline =
      c.setup.timer.afterDelay(c.setup.context.options.login_timeout_s * kj::SECONDS)
          .then([&c]() -> kj::Promise<void> {
            if (c.logged_in) return kj::NEVER_DONE;
            log_debug("closing a connection that did not log in within %llu s",
                      static_cast<unsigned long long>(c.setup.context.options.login_timeout_s));
            return kj::READY_NOW;
          });
  return c.network.onDisconnect().exclusiveJoin(kj::mv(deadline));
}

// Accepts one connection into `connections`, or closes it at once when
// --max-connections are open.
kj::Promise<void> accept_one(kj::ConnectionReceiver& listener, ConnectionSetup& setup,
                             kj::TaskSet& connections) {
  return listener.accept().then([&setup, &connections](kj::Own<kj::AsyncIoStream>&& stream) {
    if (setup.live >= setup.context.options.max_connections) {
      if (!setup.refusing)
        log_warn("%llu connections open (--max-connections): closing new ones until one ends",
                 static_cast<unsigned long long>(setup.live));
      setup.refusing = true;
      return;  // `stream` is closed here
    }
    auto connection = kj::heap<Connection>(kj::mv(stream), setup);
    auto life = connection_life(*connection);
    connections.add(life.attach(kj::mv(connection)));
    setup.refusing = false;
  });
}

// Accepts connections until stopped; each lives in `connections` until it
// ends. A failed accept (out of file descriptors, say) is logged and retried
// after 100 ms: it must not stop the node. `setup` outlives the promise.
kj::Promise<void> accept_loop(kj::ConnectionReceiver& listener, ConnectionSetup& setup,
                              kj::TaskSet& connections) {
  auto again = [&listener, &setup, &connections]() {
    return accept_loop(listener, setup, connections);
  };
  // evalNow: accept() may throw at once (EMFILE) rather than reject.
  return kj::evalNow([&]() { return accept_one(listener, setup, connections); })
      .then(kj::cp(again), [&setup, again](kj::Exception&& e) {
        ++setup.accept_failures;
        if (!setup.refusing)
          log_warn("cannot accept connections (%s); retrying every 100 ms",
                   e.getDescription().cStr());
        setup.refusing = true;
        return setup.timer.afterDelay(100 * kj::MILLISECONDS).then(kj::cp(again));
      });
}

struct IgnoreConnectionErrors final : public kj::TaskSet::ErrorHandler {
  void taskFailed(kj::Exception&& e) override {
    log_debug("connection ended: %s", e.getDescription().cStr());
  }
};

}  // namespace

size_t rpc_flow_limit_bytes(const NodeOptions& o) {
  // Room for a full upload window plus a largest write in flight, twice over,
  // so an honest client never waits on the limit.
  return std::max<size_t>(8u << 20, 2 * (o.upload_window_bytes + o.max_chunk_bytes));
}

capnp::ReaderOptions rpc_reader_options(const NodeOptions& o) {
  capnp::ReaderOptions options;
  const uint64_t largest = std::max(o.max_chunk_bytes, o.max_header_bytes);
  options.traversalLimitInWords = (2 * largest + (64u << 10)) / sizeof(capnp::word);
  return options;
}

RpcServer::RpcServer(actors::Relay& relay, NodeOptions options, std::string token_secret)
    : relay_(relay), options_(std::move(options)), token_secret_(std::move(token_secret)) {}

RpcServer::~RpcServer() { stop(); }

bool RpcServer::start(std::string* error, std::function<void()> on_exit) {
  thread_ = std::make_unique<Thread>();
  thread_->thread = std::thread([this, on_exit = std::move(on_exit)]() { run(on_exit); });
  while (state_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  if (state_ == 2) {
    *error = start_error_;
    thread_->thread.join();
    thread_.reset();
    return false;
  }
  return true;
}

void RpcServer::stop(int grace_ms) {
  if (!thread_) return;
  grace_ms_ = grace_ms;
  // Runs on the KJ thread (dropped if that thread already ended).
  bridge_->post([this]() {
    if (stop_fulfiller_ != nullptr) stop_fulfiller_->fulfill();
  });
  thread_->thread.join();
  thread_.reset();
}

void RpcServer::run(std::function<void()> on_exit) {
  auto io = kj::setupAsyncIo();
  auto& ws = io.waitScope;
  FillWorker fills(kFillsWaiting);  // outlives `context` and every connection
  ServiceContext context;
  context.relay = &relay_;
  context.fills = &fills;
  context.bridge = bridge_;
  context.timer = &io.provider->getTimer();
  context.token_secret = token_secret_;
  context.options = options_;
  context.replies_held = &replies_held_;

  kj::Own<kj::ConnectionReceiver> listener;
  KJ_IF_MAYBE(e, kj::runCatchingExceptions([&]() {
    auto address = io.provider->getNetwork().parseAddress(options_.listen).wait(ws);
    listener = address->listen();
  })) {
    start_error_ = "cannot listen on " + options_.listen + ": " + e->getDescription().cStr();
    state_ = 2;
    return;
  }
  port_ = static_cast<int>(listener->getPort());
  if (!options_.port_file.empty()) {
    std::string tmp = options_.port_file + ".tmp";
    bool written = static_cast<bool>(std::ofstream(tmp) << port_ << "\n");
    if (!written || std::rename(tmp.c_str(), options_.port_file.c_str()) != 0) {
      start_error_ = "cannot write --port-file " + options_.port_file + ": " + std::strerror(errno);
      state_ = 2;
      return;
    }
  }
  log_info("listening on %s (port %d)", options_.listen.c_str(), port_.load());
  state_ = 1;

  {
    IgnoreConnectionErrors connection_errors;
    kj::TaskSet connections(connection_errors);  // dropped (clients cut off) at the end of this block
    auto stop_paf = kj::newPromiseAndFulfiller<void>();
    stop_fulfiller_ = stop_paf.fulfiller.get();
    auto bridge_loop = bridge_->run().eagerlyEvaluate([](kj::Exception&& e) {
      log_warn("bridge failed: %s", e.getDescription().cStr());
    });
    // Receivers first, before each socket write too: a loop turn of hundreds of writes is long.
    ConnectionSetup setup{context,
                          io.provider->getTimer(),
                          rpc_flow_limit_bytes(options_),
                          rpc_reader_options(options_),
                          [bridge = bridge_.get()]() { bridge->run_urgent(); },
                          0,
                          accept_failures_};
    auto listening = accept_loop(*listener, setup, connections);
    bool ended = listening.exclusiveJoin(kj::mv(stop_paf.promise)).then([]() { return false; }, [](kj::Exception&& e) {
      log_warn("accept loop failed: %s", e.getDescription().cStr());
      return true;
    }).wait(ws);
    listener = nullptr;  // stop accepting
    stop_fulfiller_ = nullptr;
    if (ended && on_exit) {
      state_ = 3;
      on_exit();
    }
    // Let relay calls in flight (appends above all) reach their replies.
    context.stopping = true;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms_);
    while (context.in_flight > 0 && std::chrono::steady_clock::now() < deadline)
      io.provider->getTimer().afterDelay(5 * kj::MILLISECONDS).wait(ws);
    if (context.in_flight > 0)
      log_warn("%llu relay call(s) still in flight at shutdown",
               static_cast<unsigned long long>(context.in_flight));
    bridge_->close();
    // `server` and its connections go here, on this thread.
  }
  state_ = 3;
}

}  // namespace glimpse::node
