#pragma once
// glimpsed's configuration, through CAF's config system: every option is a
// command-line flag (--name=value) and a key of the INI file given with
// --config-file=PATH (default: glimpsed.ini in the working directory, if any).
#include <caf/actor_system_config.hpp>
#include <caf/config_option_adder.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>

namespace glimpse::node {

struct NodeOptions {
  std::string listen = "127.0.0.1:7420";  // host:port; port 0 picks a free one
  std::string data_dir = "./glimpse-data";
  std::string durability = "sync";         // sync | buffered | none
  std::string token_secret;                // default <data dir>/token.secret
  std::string port_file;                   // if set, the bound port is written here once listening
  uint16_t node_id = 1;                    // names this node in file ids
  uint64_t max_total_size = 64ull << 20;   // TS limit, bytes
  uint64_t max_header_bytes = 64 << 10;    // serialized send header limit
  uint64_t max_chunk_bytes = 1 << 20;      // one write
  uint64_t min_chunk_bytes = 16 << 10;     // one write, except the one ending at TS
  uint64_t max_chunks = 8192;              // stored writes per transfer
  uint64_t upload_window_bytes = 1 << 20;  // per connection: written but not yet durable
  uint64_t ack_interval_ms = 50;           // per upload: least time between `acked` calls
  uint64_t max_open_transfers = 64;        // unfinished transfers per user
  uint64_t idle_timeout_s = 3600;          // an unfinished transfer with no write expires
  uint64_t max_connections = 4096;         // open client connections; more are closed at once
  uint64_t login_timeout_s = 10;           // a connection not logged in by then is closed
  std::string retention = "30d";           // finished transfers kept: <n>d, <n>h, 0 = forever
  bool verbose = false;
};

class NodeConfig : public caf::actor_system_config {
 public:
  NodeConfig();
  NodeOptions options;

  // The option list for --help, with glimpsed's own config file default.
  std::string help_text() const;
  // After parse(): the first key an INI file set that names no option (a
  // typo CAF would ignore), as "name" or "[section]"; "" when there is none.
  std::string unknown_key() const;

 private:
  std::set<std::string> builtin_keys_;  // top-level keys CAF itself sets
};

// "<n>d" (days), "<n>h" (hours) or "0" (keep forever: zero hours); nullopt
// for anything else.
std::optional<std::chrono::hours> parse_retention(const std::string& text);

// Checks values CAF cannot (durability spelling, ranges); "" when fine, else
// one message naming the option.
std::string validate(const NodeOptions& options);

}  // namespace glimpse::node
