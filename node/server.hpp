#pragma once
// The KJ side of glimpsed: one thread that owns an event loop, the listening
// socket and every client connection.
#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include <capnp/message.h>
#include <kj/async.h>

#include "actors/relay.hpp"
#include "node/config.hpp"
#include "node/kj_bridge.hpp"

namespace glimpse::node {

class RpcServer {
 public:
  // `relay` must outlive the server. Nothing runs until start().
  RpcServer(actors::Relay& relay, NodeOptions options, std::string token_secret);
  ~RpcServer();  // stop()s and joins

  // Starts the KJ thread and waits until it listens (returns true) or failed
  // to (false, *error set). `on_exit` runs on the KJ thread when it ends for
  // any reason (not after stop()).
  bool start(std::string* error, std::function<void()> on_exit);
  // Bound port, once start() returned true.
  int port() const { return port_; }
  // accept() calls that failed (e.g. out of file descriptors) and were retried.
  uint64_t accept_failures() const { return accept_failures_; }
  // Replies that carry file bytes, held now because their connection has
  // too much queued that the client has not read (room_to_reply()).
  uint64_t replies_held() const { return replies_held_; }

  // Any thread but the KJ thread: stops accepting, lets relay calls in flight
  // finish (up to `grace_ms`), drops every connection and joins the thread.
  void stop(int grace_ms = 5000);

 private:
  void run(std::function<void()> on_exit);

  actors::Relay& relay_;
  NodeOptions options_;
  std::string token_secret_;
  std::shared_ptr<KjBridge> bridge_ = std::make_shared<KjBridge>();
  std::atomic<int> port_{0};
  std::atomic<uint64_t> accept_failures_{0};
  std::atomic<uint64_t> replies_held_{0};
  std::atomic<int> state_{0};  // 0 starting, 1 listening, 2 failed, 3 ended
  std::string start_error_;    // written before state_ becomes 2
  kj::PromiseFulfiller<void>* stop_fulfiller_ = nullptr;  // KJ thread only
  int grace_ms_ = 5000;
  struct Thread;
  std::unique_ptr<Thread> thread_;
};

// Per client connection: once its unanswered calls hold this many bytes, the
// node stops reading from it until some are answered (Cap'n Proto's RPC flow
// limit). At least 8 MiB, and room for two full upload windows.
size_t rpc_flow_limit_bytes(const NodeOptions& options);

// What the node reads a client's messages with: a message larger than twice
// the largest write or header, plus 64 KiB, ends its connection.
capnp::ReaderOptions rpc_reader_options(const NodeOptions& options);

}  // namespace glimpse::node
