#include "node/config.hpp"

#include <thread>

namespace glimpse::node {

NodeConfig::NodeConfig() {
  // A default, still overridable (--scheduler.policy=stealing): CAF 0.17's
  // work-stealing queue walks the victim's whole queue on every steal, so a
  // burst that readies K actors at once costs O(K^2) (see actors/relay.hpp).
  set("scheduler.policy", caf::atom("sharing"));
  // The RPC thread and the log's writer each keep a core busy under load;
  // CAF's workers get the other cores, at least one. On 2 cores one worker
  // used 8-12% less node CPU per GB than two (fewer wakeups; README).
  const unsigned cores = std::thread::hardware_concurrency();
  set("scheduler.max-threads", static_cast<int64_t>(cores > 3 ? cores - 2 : 1));
  caf::config_option_adder{custom_options_, "global"}
      .add(options.listen, "listen", "address to listen on, host:port (port 0: any free port)")
      .add(options.data_dir, "data", "data directory (RocksDB and token.secret)")
      .add(options.durability, "durability", "sync (default), buffered or none (benchmarks only)")
      .add(options.token_secret, "token-secret", "token secret file (default DATA/token.secret)")
      .add(options.port_file, "port-file", "write the bound port to this file once listening")
      .add(options.node_id, "node-id", "this node's number, part of every file id (default 1)")
      .add(options.max_total_size, "max-total-size", "largest photo accepted, bytes (64 MiB)")
      .add(options.max_header_bytes, "max-header-bytes", "largest send header, bytes (64 KiB)")
      .add(options.max_chunk_bytes, "max-chunk-bytes", "largest single write, bytes (1 MiB)")
      .add(options.min_chunk_bytes, "min-chunk-bytes",
           "smallest write, bytes, except the file's last (16 KiB)")
      .add(options.max_chunks, "max-chunks", "writes stored per photo (8192)")
      .add(options.upload_window_bytes, "upload-window-bytes",
           "bytes the sends of one connection may have waiting for durability (1 MiB)")
      .add(options.ack_interval_ms, "ack-interval-ms",
           "least time between a send's opening or last progress report and its next, ms "
           "(50; 0 = as fast as the sender takes them)")
      .add(options.max_open_transfers, "max-open-transfers", "unfinished sends per user (64)")
      .add(options.idle_timeout_s, "idle-timeout",
           "seconds without a write before an unfinished send expires (3600; 0 = never)")
      .add(options.max_connections, "max-connections",
           "client connections open at once; more are closed on arrival (4096)")
      .add(options.login_timeout_s, "login-timeout",
           "seconds a connection may stay open without logging in (10)")
      .add(options.retention, "retention",
           "how long a finished send is kept after its last event: 30d, 12h, 0 = forever (30d)")
      .add(options.verbose, "verbose", "log every write and RPC call, not only state changes");
  for (const auto& [key, value] : content) builtin_keys_.insert(key);
  // Every option's default in `content`, so --dump-config shows them all.
  for (const auto& option : custom_options_)
    if (option.category() == "global" && option.long_name() != "config-file")
      if (auto value = option.get())
        caf::put(content, std::string(option.long_name().begin(), option.long_name().end()),
                 *value);
}

std::string NodeConfig::help_text() const {
  std::string text = custom_options_.help_text(true);
  for (const auto& [caf_says, true_here] :
       {std::pair<std::string, std::string>{"caf-application.ini", "./glimpsed.ini if it exists"},
        {"print help text to STDERR", "print this help"}})
    if (auto at = text.find(caf_says); at != std::string::npos)
      text.replace(at, caf_says.size(), true_here);
  return text;
}

std::string NodeConfig::unknown_key() const {
  for (const auto& [key, value] : content) {
    if (builtin_keys_.count(key) > 0) continue;
    if (caf::holds_alternative<caf::settings>(value)) return "[" + key + "]";
    if (custom_options_.qualified_name_lookup("global", key) == nullptr) return key;
  }
  return "";
}

std::optional<std::chrono::hours> parse_retention(const std::string& text) {
  if (text == "0") return std::chrono::hours(0);
  if (text.size() < 2 || text.size() > 8) return std::nullopt;
  const char unit = text.back();
  if (unit != 'd' && unit != 'h') return std::nullopt;
  uint64_t n = 0;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(text[i] - '0');
  }
  return std::chrono::hours(unit == 'd' ? n * 24 : n);
}

std::string validate(const NodeOptions& o) {
  if (o.durability != "sync" && o.durability != "buffered" && o.durability != "none")
    return "--durability must be sync, buffered or none, not '" + o.durability + "'";
  if (o.listen.find(':') == std::string::npos)
    return "--listen must be host:port, not '" + o.listen + "'";
  if (o.data_dir.empty()) return "--data must name a directory";
  if (o.max_total_size == 0) return "--max-total-size must be positive";
  if (o.max_chunk_bytes == 0 || o.max_chunk_bytes > (32u << 20))
    return "--max-chunk-bytes must be between 1 and 33554432";
  if (o.min_chunk_bytes == 0 || o.min_chunk_bytes > o.max_chunk_bytes)
    return "--min-chunk-bytes must be between 1 and --max-chunk-bytes";
  if (o.max_chunks < o.max_total_size / o.min_chunk_bytes + 1)
    return "--max-chunks must be at least --max-total-size / --min-chunk-bytes + 1 (" +
           std::to_string(o.max_total_size / o.min_chunk_bytes + 1) +
           "), or the largest photos cannot be sent";
  if (o.max_open_transfers == 0) return "--max-open-transfers must be positive";
  if (o.max_connections == 0) return "--max-connections must be positive";
  if (o.login_timeout_s == 0) return "--login-timeout must be positive";
  if (!parse_retention(o.retention))
    return "--retention must be days (30d), hours (12h) or 0 to keep forever, not '" + o.retention +
           "'";
  return "";
}

}  // namespace glimpse::node
