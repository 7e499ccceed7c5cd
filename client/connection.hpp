#pragma once
// A client's link to one node: a Cap'n Proto connection, login, and the one
// way refusals are turned into a message for a person (see schema/glimpse.capnp).
//
// Threads: a Connection runs a KJ event loop on the thread that made it and
// must be used (and destroyed) on that thread only; a thread holds at most one
// Connection at a time (log in several users over the same one instead).
#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>
#include <kj/async.h>
#include <kj/timer.h>

#include <cstdint>
#include <memory>
#include <string>

#include "schema/glimpse.capnp.h"

namespace glimpse::client {

constexpr const char* kDefaultNode = "127.0.0.1:7420";

// --node, else $GLIMPSE_NODE, else kDefaultNode.
std::string node_address(const std::string& flag_value);
// --token, else $GLIMPSE_TOKEN, else "".
std::string token_value(const std::string& flag_value);

// "<code>: <message>" for a node's refusal (the "remote exception:" wrapper
// removed); for a transport failure, a sentence naming `node`.
std::string describe(const kj::Exception& e, const std::string& node);

class Connection {
 public:
  // Connects to "host:port" (default port 7420). Throws kj::Exception (use
  // describe()), of type DISCONNECTED, when the address does not resolve or
  // the node cannot be reached within `answer_within_s`; login() waits as long.
  explicit Connection(const std::string& node, uint64_t answer_within_s = 10);
  ~Connection();

  const std::string& node() const { return node_; }
  kj::WaitScope& wait_scope();
  kj::Timer& timer();

  // Logs in with `token` and waits for the session. Throws kj::Exception
  // (use describe()) when the node is unreachable or refuses the token.
  rpc::Session::Client login(const std::string& token, uint64_t* user = nullptr);

  // Resolves when the node closes the connection or it breaks.
  kj::Promise<void> on_disconnect();

 private:
  std::string node_;
  uint64_t answer_within_s_;
  kj::AsyncIoContext io_;
  kj::Own<kj::AsyncIoStream> stream_;
  kj::Own<capnp::TwoPartyClient> rpc_;
};

}  // namespace glimpse::client
