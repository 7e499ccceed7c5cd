// glimpsed: one Glimpse node. The main thread owns startup and shutdown; CAF
// runs the actors; one KJ thread (RpcServer) serves clients.
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <caf/actor_system.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "actors/relay.hpp"
#include "util/token.hpp"
#include "node/config.hpp"
#include "node/log.hpp"
#include "node/server.hpp"
#include "storage/retention_sweeper.hpp"
#include "storage/rocksdb_log.hpp"

namespace glimpse::node {
namespace {

const char kUsage[] =
    "glimpsed: a Glimpse node (photo relay). Options are flags (--name=value) or\n"
    "keys of an INI file given with --config-file=PATH (default: ./glimpsed.ini if it\n"
    "exists; put keys under [global]). Clients: `glimpse send`,\n"
    "`glimpse recv`, `glimpse fetch`; tokens: `glimpse token --user UIN --data DIR`.\n"
    "SIGINT/SIGTERM stop it cleanly.\n";

// Every connection and value-log segment holds a descriptor: take the hard
// limit, and say so when --max-connections cannot all be accepted.
void raise_descriptor_limit(uint64_t max_connections) {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return;
  if (r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &r);
    ::getrlimit(RLIMIT_NOFILE, &r);
  }
  if (r.rlim_cur != RLIM_INFINITY && r.rlim_cur < max_connections + 256)
    log_warn(
        "the file descriptor limit (%llu) is below --max-connections + 256: accepting "
        "pauses whenever descriptors run out",
        static_cast<unsigned long long>(r.rlim_cur));
}

storage::Durability durability_of(const std::string& s) {
  if (s == "buffered") return storage::Durability::buffered;
  if (s == "none") return storage::Durability::none;
  return storage::Durability::sync;
}

int run(int argc, char** argv) {
  // Signals are taken by sigwait() below; every thread started from here
  // inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGUSR1);  // the KJ thread ended on its own
  sigaddset(&signals, SIGUSR2);  // the event log cannot write again in this process
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  NodeConfig config;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h" || arg == "-?") {
      std::printf("%s%s", kUsage, config.help_text().c_str());
      return 0;
    }
  }
  if (auto err = config.parse(argc, argv, "glimpsed.ini")) {
    std::string what = caf::actor_system_config::render(err);
    std::fprintf(stderr, "glimpsed: %s: %s\n",
                 what.find("not_an_option") != std::string::npos ? "unknown option"
                                                                 : "cannot read the options",
                 what.c_str());
    std::fputs("(options are --name=value; glimpsed --help lists them)\n", stderr);
    return 2;
  }
  if (config.cli_helptext_printed) return 0;
  if (auto key = config.unknown_key(); !key.empty()) {
    std::fprintf(
        stderr, "glimpsed: unknown option %s in %s (glimpsed --help lists them)\n", key.c_str(),
        config.config_file_path.empty() ? "glimpsed.ini" : config.config_file_path.c_str());
    return 2;
  }
  if (!config.remainder.empty()) {
    std::fprintf(stderr, "glimpsed: unknown argument '%s' (options are --name=value; see --help)\n",
                 config.remainder.front().c_str());
    return 2;
  }
  const NodeOptions& o = config.options;
  if (auto problem = validate(o); !problem.empty()) {
    std::fprintf(stderr, "glimpsed: %s\n", problem.c_str());
    return 2;
  }
  set_verbose(o.verbose);
  raise_descriptor_limit(o.max_connections);

  std::error_code ec;
  std::filesystem::create_directories(o.data_dir, ec);
  if (ec) {
    std::fprintf(stderr, "glimpsed: cannot create data directory %s: %s\n", o.data_dir.c_str(),
                 ec.message().c_str());
    return 1;
  }
  std::string error;
  auto secret = token::load_or_create_secret(
      o.token_secret.empty() ? token::secret_path(o.data_dir) : o.token_secret, &error);
  if (!secret) {
    std::fprintf(stderr, "glimpsed: %s\n", error.c_str());
    return 1;
  }

  storage::RocksDbOptions db_options;
  db_options.path = o.data_dir + "/events";
  db_options.durability = durability_of(o.durability);
  // Every later append would fail: exit, so that a supervisor restarts the
  // node, which recovers from the log. Writer thread; the main thread stops.
  db_options.on_unrecoverable = [](const storage::Status& why) {
    log_error("the event log stopped writing: %s", why.to_string().c_str());
    ::kill(::getpid(), SIGUSR2);
  };
  std::unique_ptr<storage::EventLog> log;
  auto status = storage::open_rocksdb_log(db_options, &log);
  if (!status.ok()) {
    std::fprintf(stderr, "glimpsed: cannot open the event log in %s: %s\n", db_options.path.c_str(),
                 status.to_string().c_str());
    return 1;
  }
  log_info("event log open at %s (durability %s)", db_options.path.c_str(), o.durability.c_str());
  // Opening needs min_free_bytes; a send needs that much left after it. Say
  // so now, not at the first refused send.
  if (struct statvfs fs {}; ::statvfs(db_options.path.c_str(), &fs) == 0) {
    const uint64_t free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
    if (free_bytes < db_options.min_free_bytes + o.max_total_size)
      log_warn(
          "only %llu MiB free on the disk of %s: a send is refused when it would leave less "
          "than %llu MiB; free disk space",
          static_cast<unsigned long long>(free_bytes >> 20), db_options.path.c_str(),
          static_cast<unsigned long long>(db_options.min_free_bytes >> 20));
  }

  int code = 0;
  {
    caf::actor_system system{config};
    actors::RelayConfig relay_config;
    relay_config.node = o.node_id;
    relay_config.limits.max_total_size = o.max_total_size;
    relay_config.limits.max_chunk_size = static_cast<uint32_t>(o.max_chunk_bytes);
    relay_config.limits.min_chunk_size = static_cast<uint32_t>(o.min_chunk_bytes);
    relay_config.limits.max_chunks = o.max_chunks;
    relay_config.max_open_transfers_per_user = o.max_open_transfers;
    relay_config.idle_timeout = std::chrono::seconds(o.idle_timeout_s);
    // Checked at least twice per timeout, at most once a minute.
    relay_config.expiry_sweep_every = std::clamp<std::chrono::milliseconds>(
        relay_config.idle_timeout / 2, std::chrono::seconds(1), std::chrono::minutes(1));
    relay_config.on_expired = [idle = o.idle_timeout_s](uint64_t id) {
      log_info("transfer %llu expired: no write for %llu s (--idle-timeout)",
               static_cast<unsigned long long>(id), static_cast<unsigned long long>(idle));
    };
    {
      actors::Relay relay(system, *log, relay_config);
      auto report = relay.recover();
      if (!report.ok()) {
        std::fprintf(stderr, "glimpsed: recovery failed: %s\n", report.error().to_string().c_str());
        return 1;
      }
      log_info("recovered %llu transfer(s), %llu unfinished, %llu pending notification(s) in %lld us",
               static_cast<unsigned long long>(report->transfers),
               static_cast<unsigned long long>(report->unfinished),
               static_cast<unsigned long long>(report->pending_notifies),
               static_cast<long long>(report->elapsed.count()));
      if (report->unreadable > 0)
        log_warn(
            "%llu transfer(s) could not be read and answer every call with the error; "
            "first: %s",
            static_cast<unsigned long long>(report->unreadable), report->first_unreadable.c_str());
      storage::RetentionPolicy retention{*parse_retention(o.retention)};
      // A thread of its own: a sweep reads every stream and waits for each deletion.
      storage::RetentionSweeper sweeper(
          log.get(), retention, std::chrono::hours(1),
          [] {
            return std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                .count();
          },
          [](const storage::Status& s, const storage::RetentionReport& r) {
            if (!s.ok()) log_warn("retention sweep failed: %s", s.to_string().c_str());
            if (!r.deleted.empty() || r.changed > 0)
              log_info("retention: deleted %zu of %llu stream(s) past --retention",
                       r.deleted.size(), static_cast<unsigned long long>(r.streams_seen));
            if (r.unreadable > 0)
              log_warn("retention: kept %llu unreadable stream(s), first: %s",
                       static_cast<unsigned long long>(r.unreadable), r.first_unreadable.c_str());
          });
      if (retention.max_age.count() > 0)
        log_info("retention: finished sends are deleted %s after their last event",
                 o.retention.c_str());
      RpcServer server(relay, o, *secret);
      if (!server.start(&error, []() { ::kill(::getpid(), SIGUSR1); })) {
        std::fprintf(stderr, "glimpsed: %s\n", error.c_str());
        return 1;
      }
      int sig = 0;
      sigwait(&signals, &sig);
      if (sig == SIGUSR1) {
        log_warn("the RPC server stopped on its own; shutting down");
        code = 1;
      } else if (sig == SIGUSR2) {
        log_error("exiting with status 1: a restart recovers every acknowledged byte");
        code = 1;
      } else {
        log_info("%s: shutting down (finishing appends in flight)", sig == SIGINT ? "SIGINT" : "SIGTERM");
      }
      server.stop();
    }  // Relay: stops its actors
  }    // actor_system: waits for every actor
  log.reset();  // RocksDB: finishes queued appends, closes
  log_info("stopped");
  return code;
}

}  // namespace
}  // namespace glimpse::node

int main(int argc, char** argv) { return glimpse::node::run(argc, argv); }
