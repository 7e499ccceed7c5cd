#pragma once
// The client RPC (schema/glimpse.capnp) served over a Relay.
//
// Threads: every object here lives on the KJ thread. Relay callbacks come
// back on CAF threads and cross only through kj_bridge.hpp.
#include <kj/async.h>
#include <kj/timer.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "actors/relay.hpp"
#include "node/config.hpp"
#include "node/kj_bridge.hpp"
#include "schema/glimpse.capnp.h"

namespace glimpse::node {

class FillWorker;

// What every service object shares. Owned by the server loop; outlives every
// capability it hands out (they are dropped before it).
struct ServiceContext {
  actors::Relay* relay = nullptr;
  FillWorker* fills = nullptr;  // runs File.filled's image::fill
  std::shared_ptr<KjBridge> bridge;
  kj::Timer* timer = nullptr;  // the KJ loop's
  std::string token_secret;
  NodeOptions options;
  uint64_t in_flight = 0;   // relay calls awaiting their reply (KJ thread)
  bool stopping = false;    // set at shutdown: new calls are refused as unavailable
  // File.filled calls admitted and not yet answered: at most
  // kFillsWaiting + 1 (one runs), so a refused one reads nothing.
  uint64_t fills_admitted = 0;
  // Replies held by room_to_reply() now (diagnostics; read from any thread).
  std::atomic<uint64_t>* replies_held = nullptr;
};

// Fills that wait for FillWorker's thread behind the running one.
constexpr size_t kFillsWaiting = 2;

// What the capabilities of one client connection share. They hold a
// reference each (kj::Refcounted), so it lives until the last of them and of
// their calls is gone, which may be after the connection. KJ thread only.
struct ConnectionState final : public kj::Refcounted {
  // Bytes of outgoing messages queued on the connection, not yet handed to
  // the socket; null once the connection is gone.
  std::function<size_t()> queued_bytes;
  // Bytes written to any of the connection's uploads and not yet durable:
  // the upload window (--upload-window-bytes) is the connection's, however
  // many sends it opens.
  uint64_t upload_in_flight_bytes = 0;
  // Bytes reserved by replies being prepared (room_to_reply()).
  uint64_t reply_bytes_reserved = 0;
};

// A reply that carries file bytes waits while its connection has this many
// bytes queued or promised to replies being prepared.
constexpr size_t kReplyQueueBytes = 4 << 20;

// Room reserved on a connection for one reply with data: `bytes` count
// against kReplyQueueBytes until it is destroyed, once the reply is made
// (then the connection's queue counts them).
struct ReplyRoom {
  ReplyRoom(kj::Own<ConnectionState> connection, uint64_t bytes);
  ~ReplyRoom();
  kj::Own<ConnectionState> connection;
  uint64_t bytes;
};

// Resolves with room for `bytes` once `connection` has at most
// kReplyQueueBytes queued and reserved (at once when it is gone). A call that
// answers with data waits here before it reads them, so a client that keeps
// calling File.read but never reads its socket cannot make the node queue
// every answer: it holds unanswered calls instead, which the RPC flow limit
// bounds.
kj::Promise<kj::Own<ReplyRoom>> room_to_reply(ServiceContext& context, ConnectionState& connection,
                                              uint64_t bytes);

// "<code>: <message>" as a failed kj::Exception (the refusal convention of
// schema/glimpse.capnp).
kj::Exception refusal(const char* code, const std::string& message);
kj::Exception refusal(const actors::RelayError& error);

// The bootstrap capability of one connection; `on_login` runs after each
// successful login on it.
rpc::Gateway::Client new_gateway(ServiceContext& context, kj::Own<ConnectionState> connection,
                                 kj::Function<void()> on_login);

// Inbox subscription and file access (files.cpp).
kj::Promise<void> subscribe_inbox(ServiceContext& context, uint64_t user,
                                  capnp::CallContext<rpc::Session::SubscribeParams, rpc::Session::SubscribeResults> call);
kj::Promise<void> open_file(
    ServiceContext& context, ConnectionState& connection, uint64_t user,
    capnp::CallContext<rpc::Session::OpenParams, rpc::Session::OpenResults> call);

void write_info(const actors::FileInfo& info, rpc::FileInfo::Builder out);

// Runs `start(callback)` against the relay and resolves on the KJ thread with
// the callback's Expected<T>, counting the call as in flight meanwhile.
template <class T, class Start>
kj::Promise<actors::Expected<T>> relay_call(ServiceContext& context, Start&& start) {
  if (context.stopping)
    return actors::Expected<T>(
        actors::RelayError{actors::ErrorCode::unavailable, "the node is shutting down; retry"});
  ++context.in_flight;
  return reply_through<actors::Expected<T>>(context.bridge, std::forward<Start>(start))
      .attach(kj::defer([&context]() { --context.in_flight; }));
}

}  // namespace glimpse::node
