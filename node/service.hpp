#pragma once
// The client RPC (schema/glimpse.capnp) served over a Relay.
//
// Threads: every object here lives on the KJ thread. Relay callbacks come
// back on CAF threads and cross only through kj_bridge.hpp.
#include <kj/async.h>
#include <kj/timer.h>

#include <cstdint>
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
};

// "<code>: <message>" as a failed kj::Exception (the refusal convention of
// schema/glimpse.capnp).
kj::Exception refusal(const char* code, const std::string& message);
kj::Exception refusal(const actors::RelayError& error);

// The bootstrap capability of one connection; `on_login` runs after each
// successful login on it.
rpc::Gateway::Client new_gateway(ServiceContext& context, kj::Function<void()> on_login);

// A session for `user` (after login).
rpc::Session::Client new_session(ServiceContext& context, uint64_t user);

// Inbox subscription and file access (files.cpp).
kj::Promise<void> subscribe_inbox(ServiceContext& context, uint64_t user,
                                  capnp::CallContext<rpc::Session::SubscribeParams, rpc::Session::SubscribeResults> call);
kj::Promise<void> open_file(ServiceContext& context, uint64_t user,
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
