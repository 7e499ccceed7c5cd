#pragma once
// bench_relay's peers: the connections its senders drive, and the two child
// processes it runs as itself (`--sink`, `--receivers`).
#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>

#include <cstdint>
#include <string>
#include <vector>

namespace glimpse::bench {

// One KJ thread drives every connection.
struct Driver {
  kj::AsyncIoContext& io;
  std::vector<kj::Own<kj::AsyncIoStream>> streams;
  std::vector<kj::Own<capnp::TwoPartyClient>> clients;

  // A new connection to 127.0.0.1:port; its bootstrap capability.
  capnp::Capability::Client connect(int port);
};

// The sink: serves an Upload that keeps nothing, writes its port to
// `port_file`, runs until killed.
int run_sink(const char* port_file);

// The receivers, in their own process as on their own devices: subscribes
// users first_user .. first_user + c - 1, each on its own connection, touches
// OUT.ready, and once `expect` files were notified (or after 120 s) writes
// "file_id ms_since_delivered" lines to OUT.
int run_receivers(int port, const std::string& secret_file, uint64_t first_user, int c,
                  size_t expect, const std::string& out);

}  // namespace glimpse::bench
