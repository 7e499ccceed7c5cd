// bench_ingest: chunk ingest through the transfer actors (Relay over the
// group-committing RocksDB log, Durability::sync) against raw RocksDB doing
// the same writes with the same options in the same run:
//   raw/chunk: one Put (event + chunk in one WriteBatch) + WAL sync per chunk,
//              one writer thread (the naive anchor);
//   raw/group: one WriteBatch of N chunks (one per transfer) + sync per group.
// Then recovery of 10,000 unfinished transfers (all resumed at once) and memory
// per passivated one.
// Every figure is printed beside its anchor. Data lives in a temp dir, deleted.
//
// Usage: bench_ingest [--seconds S] [--transfers 1,64,1024] [--chunks 16,64]
//                     [--recovery N] [--scheduler stealing|sharing] [--dir D]
#include <malloc.h>

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "actors/relay.hpp"
#include "bench/common/raw_rocksdb.hpp"
#include "storage/rocksdb_log.hpp"
#include "util/args.hpp"

namespace fs = std::filesystem;
using namespace glimpse;
using Clock = std::chrono::steady_clock;

namespace {

struct Result {
  double seconds = 0;
  uint64_t chunks = 0;
  uint64_t bytes = 0;
  std::vector<double> latencies_us;  // per acknowledgement
  double chunks_per_s() const { return chunks / seconds; }
  double mb_per_s() const { return bytes / seconds / 1e6; }
  double pct(double p) {
    if (latencies_us.empty()) return 0;
    std::sort(latencies_us.begin(), latencies_us.end());
    return latencies_us[std::min(latencies_us.size() - 1,
                                 static_cast<size_t>(p * latencies_us.size()))];
  }
};

std::string payload(size_t n, uint64_t seed) {
  std::string s(n, '\0');
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < n; i += 8) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    std::memcpy(&s[i], &x, std::min<size_t>(8, n - i));
  }
  return s;
}

actors::OpenRequest open_request(uint64_t key, uint64_t ts) {
  actors::OpenRequest r;
  r.receivers = {1u << 30};  // a user who never sends
  r.idempotency_key = "bench-" + std::to_string(key);
  r.total_size = ts;
  r.mts = ts;
  r.width = 100;
  r.height = 100;
  r.scan_ends = {ts};
  return r;
}

template <class T>
actors::Expected<T> wait(std::function<void(actors::Relay::Callback<T>)> start) {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<actors::Expected<T>> out;
  start([&](actors::Expected<T> r) {
    std::lock_guard<std::mutex> lock(mu);
    out.emplace(std::move(r));
    cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(mu);
  cv.wait(lock, [&] { return out.has_value(); });
  return std::move(*out);
}

// CAF's scheduler: "sharing" (glimpsed's) or "stealing" (CAF's default).
void use_scheduler(caf::actor_system_config& cfg, const std::string& policy) {
  cfg.set("scheduler.policy", policy == "sharing" ? caf::atom("sharing") : caf::atom("stealing"));
}

// N transfers, each with one chunk in flight (a closed loop per sender);
// a transfer that reaches TS is replaced by a new one.
Result run_actors(const std::string& dir, size_t n, size_t chunk, double seconds,
                  const std::string& policy) {
  std::unique_ptr<storage::EventLog> log;
  storage::RocksDbOptions opts;
  opts.path = dir;
  auto st = storage::open_rocksdb_log(opts, &log);
  if (!st.ok()) {
    std::fprintf(stderr, "open_rocksdb_log: %s\n", st.to_string().c_str());
    std::exit(1);
  }
  caf::actor_system_config cfg;
  use_scheduler(cfg, policy);
  Result res;
  {
    caf::actor_system system{cfg};
    actors::RelayConfig rc;
    rc.node = 1;
    rc.max_open_transfers_per_user = 1u << 30;
    rc.limits.max_chunk_size = 1u << 20;
    actors::Relay relay(system, *log, rc);
    relay.recover();
    const uint64_t ts = 64ull << 20;
    const std::string data = payload(chunk, n);
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> key{0}, in_flight{0};
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::vector<double>> lat(n);
    std::vector<uint64_t> counts(n, 0);
    struct Slot {
      uint64_t id = 0, offset = 0;
    };
    std::vector<Slot> slots(n);
    {  // open all N at once (group-committed too)
      size_t opened = 0;
      for (size_t i = 0; i < n; ++i)
        relay.open_transfer(1, open_request(key++, ts), [&, i](actors::Expected<actors::TransferStatus> r) {
          if (!r.ok()) std::fprintf(stderr, "open: %s\n", r.error().to_string().c_str()), std::abort();
          std::lock_guard<std::mutex> lock(mu);
          slots[i].id = r->transfer_id;
          if (++opened == n) cv.notify_all();
        });
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return opened == n; });
    }
    std::function<void(size_t)> next = [&](size_t i) {
      if (stop.load()) {
        if (--in_flight == 0) cv.notify_all();
        return;
      }
      auto& s = slots[i];
      if (s.offset + chunk > ts) {  // full: a new transfer for this sender slot
        relay.open_transfer(1, open_request(key++, ts), [&, i](actors::Expected<actors::TransferStatus> r) {
          if (!r.ok()) std::fprintf(stderr, "open: %s\n", r.error().to_string().c_str()), std::abort();
          slots[i] = Slot{r->transfer_id, 0};
          next(i);
        });
        return;
      }
      const auto t0 = Clock::now();
      const uint64_t off = s.offset;
      s.offset += chunk;
      relay.append(1, s.id, off, data, [&, i, t0](actors::Expected<actors::TransferStatus> r) {
        if (!r.ok()) std::fprintf(stderr, "append: %s\n", r.error().to_string().c_str()), std::abort();
        lat[i].push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
        ++counts[i];
        next(i);
      });
    };
    const auto start = Clock::now();
    in_flight = n;
    for (size_t i = 0; i < n; ++i) next(i);
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return in_flight.load() == 0; });
    res.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    for (size_t i = 0; i < n; ++i) {
      res.chunks += counts[i];
      res.latencies_us.insert(res.latencies_us.end(), lat[i].begin(), lat[i].end());
    }
    res.bytes = res.chunks * chunk;
  }
  log.reset();
  return res;
}

// group = 1: one sync per chunk; group = N: one sync per N chunks.
Result run_raw(const std::string& dir, size_t group, size_t chunk, double seconds) {
  bench::RawDb raw(dir);
  auto r = raw.write_for(payload(chunk, group + 7), group, seconds);
  Result res;
  res.seconds = r.seconds;
  res.chunks = r.chunks;
  res.bytes = r.bytes;
  res.latencies_us = std::move(r.latencies_us);
  return res;
}

size_t heap_in_use() { return mallinfo2().uordblks; }

void recovery_bench(const std::string& dir, size_t n, const std::string& policy) {
  double setup_s = 0;
  {
    std::unique_ptr<storage::EventLog> log;
    storage::RocksDbOptions opts;
    opts.path = dir;
    if (!storage::open_rocksdb_log(opts, &log).ok()) std::exit(1);
    caf::actor_system_config cfg;
    use_scheduler(cfg, policy);
    caf::actor_system system{cfg};
    actors::RelayConfig rc;
    rc.node = 1;
    rc.max_open_transfers_per_user = 1u << 30;
    actors::Relay relay(system, *log, rc);
    relay.recover();
    const std::string data = payload(16 << 10, 3);
    std::mutex mu;
    std::condition_variable cv;
    size_t done = 0;
    const auto start = Clock::now();
    for (size_t i = 0; i < n; ++i)
      relay.open_transfer(1, open_request(i, 1 << 20), [&](auto r) {
        if (!r.ok()) std::fprintf(stderr, "open: %s\n", r.error().to_string().c_str()), std::abort();
        relay.append(1, r->transfer_id, 0, data, [&](auto a) {
          if (!a.ok()) std::abort();
          std::lock_guard<std::mutex> lock(mu);
          if (++done == n) cv.notify_all();
        });
      });
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done == n; });
    setup_s = std::chrono::duration<double>(Clock::now() - start).count();
  }
  std::unique_ptr<storage::EventLog> log;
  storage::RocksDbOptions opts;
  opts.path = dir;
  auto t0 = Clock::now();
  if (!storage::open_rocksdb_log(opts, &log).ok()) std::exit(1);
  const double open_s = std::chrono::duration<double>(Clock::now() - t0).count();
  caf::actor_system_config cfg;
  use_scheduler(cfg, policy);
  caf::actor_system system{cfg};
  actors::RelayConfig rc;
  rc.node = 1;
  rc.max_open_transfers_per_user = 1u << 30;
  rc.passivate_after = std::chrono::milliseconds(200);
  const size_t h0 = heap_in_use();
  auto relay = std::make_unique<actors::Relay>(system, *log, rc);
  auto report = relay->recover();
  if (!report.ok()) std::fprintf(stderr, "recover: %s\n", report.error().to_string().c_str()), std::exit(1);
  const size_t h1 = heap_in_use();
  const size_t running_before = system.registry().running();  // the manager
  // Every transfer recovers into an actor on its next command (resume).
  t0 = Clock::now();
  std::mutex mu;
  std::condition_variable cv;
  size_t done = 0, ok = 0;
  for (uint64_t id = 1; id <= n; ++id)
    relay->resume(1, id, [&](auto r) {
      std::lock_guard<std::mutex> lock(mu);
      ok += r.ok() && r->acked == (16u << 10);
      if (++done == n) cv.notify_all();
    });
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return done == n; });
  }
  const double resume_s = std::chrono::duration<double>(Clock::now() - t0).count();
  actors::RelayStats stats;
  for (;;) {  // wait for every actor to passivate again
    stats = *wait<actors::RelayStats>([&](auto cb) { relay->stats(cb); });
    if (stats.active_transfers == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // The manager forgets an actor when it tells it to stop; wait until all have
  // exited (and freed their memory), so only the manager is left.
  while (system.registry().running() > running_before)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const size_t h2 = heap_in_use();
  relay.reset();  // frees the manager's directory; RocksDB's caches stay
  system.await_all_actors_done();
  const size_t h3 = heap_in_use();
  std::printf(
      "\nrecovery of %zu unfinished transfers (1 chunk each), RocksDB sync log, CAF "
      "scheduler %s\n",
      n, policy.c_str());
  std::printf("  setup: open + 1 chunk, all at once %6.3f s   (before the restart)\n", setup_s);
  std::printf("  log open                         %8.3f s\n", open_s);
  std::printf("  Relay::recover() (scan all)      %8.3f s   found %llu unfinished   goal < 2 s\n",
              report->elapsed.count() / 1e6, static_cast<unsigned long long>(report->unfinished));
  std::printf("  resume all (actor per transfer)  %8.3f s   %zu/%zu resumed at their acked offset\n",
              resume_s, ok, n);
  std::printf("  memory per passivated transfer   %8.0f B held by the Relay (heap freed when it "
              "stops, after all %zu actors ran and passivated)   goal < 1024 B\n",
              (double(h2) - double(h3)) / n, n);
  std::printf("                                   %8.0f B heap growth after recover(), %.0f B after "
              "all ran (both incl. RocksDB block cache filled by the reads)\n",
              (double(h1) - double(h0)) / n, (double(h2) - double(h0)) / n);
  std::printf("  active actors after passivation  %llu, unfinished %llu\n",
              static_cast<unsigned long long>(stats.active_transfers),
              static_cast<unsigned long long>(stats.unfinished_transfers));
}

std::vector<size_t> parse_list(const std::string& s) {
  std::vector<size_t> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(std::stoul(item));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  static const char kHelp[] =
      "usage: bench_ingest [--seconds S] [--transfers 1,64,1024] [--chunks 16,64]\n"
      "                    [--recovery N] [--scheduler stealing|sharing] [--dir D]\n\n"
      "N concurrent transfers appending chunks through the actors with sync durability,\n"
      "next to raw RocksDB doing the same writes (one Put + sync per chunk; one\n"
      "WriteBatch + sync per group) in the same run; then recovery of N unfinished\n"
      "transfers and memory per passivated transfer. --scheduler picks CAF's\n"
      "scheduler policy: sharing (default, as glimpsed) or stealing (CAF's own\n"
      "default). Data goes to a temporary directory (or D), deleted afterwards.\n";
  std::string error;
  auto args = glimpse::util::Args::parse(
      argc, argv, 1, {{"seconds"}, {"transfers"}, {"chunks"}, {"recovery"}, {"scheduler"}, {"dir"}},
      &error);
  if (!args || !args->positionals().empty()) {
    std::fprintf(stderr, "bench_ingest: %s\n%s", args ? "unexpected argument" : error.c_str(),
                 kHelp);
    return 2;
  }
  if (args->has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  double seconds = args->get_double("seconds", &error).value_or(2);
  std::vector<size_t> transfers = parse_list(args->get("transfers", "1,64,1024"));
  std::vector<size_t> chunks_kib = parse_list(args->get("chunks", "16,64"));
  size_t recovery = args->get_u64("recovery", &error).value_or(10000);
  std::string base = args->get("dir");
  std::string scheduler = args->get("scheduler", "sharing");
  if (scheduler != "stealing" && scheduler != "sharing")
    error = "--scheduler must be stealing or sharing, not '" + scheduler + "'";
  if (!error.empty()) {
    std::fprintf(stderr, "bench_ingest: %s\n", error.c_str());
    return 2;
  }
  if (base.empty()) {
    char tmpl[] = "/tmp/bench_ingest.XXXXXX";
    base = mkdtemp(tmpl);
  }
  int run = 0;
  auto fresh = [&] {
    std::string d = base + "/run" + std::to_string(run++);
    fs::remove_all(d);
    return d;
  };
  std::printf("bench_ingest: %.1f s per config, Durability::sync, data in %s\n", seconds,
              base.c_str());
  std::printf("%-6s %-6s %-10s %10s %9s %10s %10s\n", "N", "chunk", "path", "chunks/s", "MB/s",
              "p50 us", "p99 us");
  for (size_t kib : chunks_kib) {
    for (size_t n : transfers) {
      const size_t chunk = kib << 10;
      auto actors = run_actors(fresh(), n, chunk, seconds, scheduler);
      auto per_chunk = run_raw(fresh(), 1, chunk, seconds);
      auto grouped = run_raw(fresh(), n, chunk, seconds);
      auto row = [&](const char* name, Result& r) {
        std::printf("%-6zu %-6s %-10s %10.0f %9.1f %10.0f %10.0f\n", n,
                    (std::to_string(kib) + "K").c_str(), name, r.chunks_per_s(), r.mb_per_s(),
                    r.pct(0.5), r.pct(0.99));
      };
      row("actors", actors);
      row("raw/chunk", per_chunk);
      row("raw/group", grouped);
      std::printf("%-6s %-6s ratios: actors/raw-group %.2fx (goal >= 0.8 at N=1024), "
                  "actors/raw-chunk %.1fx (goal >= 10 at N=1024)\n",
                  "", "", actors.chunks_per_s() / grouped.chunks_per_s(),
                  actors.chunks_per_s() / per_chunk.chunks_per_s());
      // What grouping alone buys on this disk: no layer over this RocksDB
      // can beat raw/chunk by more than raw/group does.
      std::printf("%-6s %-6s ceiling: raw-group/raw-chunk %.1fx on this disk\n", "", "",
                  grouped.chunks_per_s() / per_chunk.chunks_per_s());
      std::fflush(stdout);
    }
  }
  if (recovery > 0) recovery_bench(fresh(), recovery, scheduler);
  fs::remove_all(base);
  return 0;
}
