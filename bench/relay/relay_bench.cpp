// bench_relay: how close does the relay get to raw Cap'n Proto streaming?
//
// For C concurrent senders (default 1, 16, 256), each on its own connection,
// all driven from one KJ thread: every sender streams prepared photos one after
// another (64 KiB writes) to a real glimpsed (sync durability) while C
// receivers, in a process of their own (as on their own devices), are
// subscribed. Printed: sender MB/s, first byte -> Delivered (the sender hears
// of it) p50/p99, and Delivered (the node's log reported the MTS bytes
// durable; the notification says when) -> the receiver has the notification,
// p50/p99, and the CPU seconds per GB sent of the server process and of this
// client (where client and node share a few cores, the ratio below comes down
// to those). Anchors, same run, same bytes:
//   sink:    streamed with the same client code to a sink process (this
//            program with --sink) that persists nothing — the ceiling;
//   rocksdb: written to raw RocksDB (WAL + BlobDB, where chunk bytes lived
//            before the value log), C chunks per WriteBatch + WAL sync;
//   file:    appended to one file with O_DIRECT|O_DSYNC, C chunks per write —
//            what this disk takes durably with nothing else in the way.
// Each C runs --repeat times (sink, relay, rocksdb, file in turn); the last line per C
// gives the medians.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <thread>

#include "bench/common/raw_rocksdb.hpp"
#include "bench/relay/disk_anchors.hpp"
#include "bench/relay/peers.hpp"
#include "bench/relay/processes.hpp"
#include "image/image.hpp"
#include "image/mts_policy.hpp"
#include "schema/glimpse.capnp.h"
#include "util/crc32c.hpp"
#include "util/token.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace glimpse::bench;

namespace {

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Photo {
  std::string jpeg;
  glimpse::image::Prepared prepared;
  uint64_t mts = 0;
};

struct Sample {
  Clock::time_point first_write, delivered, done;
  std::string file_id;
};

double pct(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))];
}

kj::Promise<void> pump(glimpse::rpc::Upload::Client up, const std::string& data, uint64_t off) {
  if (off >= data.size()) return kj::READY_NOW;
  size_t n = std::min<uint64_t>(64 << 10, data.size() - off);
  auto req = up.writeRequest();
  req.setOffset(off);
  req.setBytes(kj::arrayPtr(reinterpret_cast<const kj::byte*>(data.data()) + off, n));
  return req.send().then([up, &data, off, n]() mutable { return pump(kj::mv(up), data, off + n); });
}

kj::Promise<void> finish(glimpse::rpc::Upload::Client up, const std::string& data) {
  auto done = up.doneRequest();
  done.setCrc32c(glimpse::util::crc32c(data));
  return done.send().ignoreResult();
}

class Callback final : public glimpse::rpc::SendCallback::Server {
 public:
  explicit Callback(Sample& s) : s_(s) {}

 protected:
  kj::Promise<void> acked(AckedContext) override { return kj::READY_NOW; }
  kj::Promise<void> delivered(DeliveredContext c) override {
    s_.delivered = Clock::now();
    s_.file_id = c.getParams().getFileId();
    return kj::READY_NOW;
  }

 private:
  Sample& s_;
};

struct RoundResult {
  double mbps = 0;
  double delivered_p50 = 0, delivered_p99 = 0;  // first byte -> sender told Delivered, ms
  double notified_p50 = 0, notified_p99 = 0;    // Delivered durable -> receiver notified, ms
  size_t notified = 0, files = 0;
  CpuPerGb cpu;  // glimpsed and this client
};

RoundResult round_relay(kj::AsyncIoContext& io, pid_t node, int port, const std::string& dir,
                        const std::string& secret, int c, int per, int round,
                        const std::vector<Photo>& photos) {
  Driver d{io, {}, {}};
  const std::string out = dir + "/notified." + std::to_string(round);
  // New receivers every round: older rounds' files stay queued for the old ones.
  const uint64_t first_receiver = 1'000'000 * static_cast<uint64_t>(round);
  pid_t receivers = spawn({"/proc/self/exe", "--receivers", std::to_string(port),
                           dir + "/data/token.secret", std::to_string(first_receiver),
                           std::to_string(c), std::to_string(static_cast<size_t>(c) * per), out},
                          out + ".log");
  for (int i = 0; i < 6000 && !fs::exists(out + ".ready"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::vector<glimpse::rpc::Session::Client> senders;
  std::vector<kj::Own<void>> keep;
  std::vector<glimpse::rpc::Handle::Client> handles;
  int64_t exp = time(nullptr) + 3600;
  for (int i = 0; i < c; ++i) {
    auto login = [&](uint64_t user) {
      auto req = d.connect(port).castAs<glimpse::rpc::Gateway>().loginRequest();
      req.setToken(glimpse::token::mint(secret, user, exp));
      return req.send().wait(io.waitScope).getSession();
    };
    senders.push_back(login(1 + i));
  }
  std::vector<Sample> samples(static_cast<size_t>(c) * per);
  uint64_t bytes = 0;
  std::function<kj::Promise<void>(int, int)> send_one = [&](int i, int k) -> kj::Promise<void> {
    if (k == per) return kj::READY_NOW;
    const Photo& p = photos[(i + k) % photos.size()];
    Sample& s = samples[static_cast<size_t>(i) * per + k];
    bytes += p.jpeg.size();
    auto req = senders[i].sendRequest();
    auto h = req.initHeader();
    h.initReceivers(1).set(0, first_receiver + i);
    h.setTotalSize(p.jpeg.size());
    h.setMts(p.mts);
    h.setWidth(p.prepared.width);
    h.setHeight(p.prepared.height);
    auto ends = h.initScanEnds(p.prepared.scan_ends.size());
    for (size_t e = 0; e < p.prepared.scan_ends.size(); ++e) ends.set(e, p.prepared.scan_ends[e]);
    h.setIdempotencyKey("bench-" + std::to_string(getpid()) + "-" + std::to_string(round) + "-" +
                        std::to_string(i) + "-" + std::to_string(k));
    req.setCallback(kj::heap<Callback>(s));
    return req.send()
        .then([&s, &p](auto reply) {
          s.first_write = Clock::now();
          auto up = reply.getUpload();
          return pump(up, p.jpeg, 0).then([up, &p]() mutable { return finish(up, p.jpeg); });
        })
        .then([&s, &send_one, i, k]() {
          s.done = Clock::now();
          return send_one(i, k + 1);
        });
  };
  CpuMeter cpu(node);
  auto start = Clock::now();
  kj::Vector<kj::Promise<void>> all;
  for (int i = 0; i < c; ++i) all.add(send_one(i, 0));
  kj::joinPromises(all.releaseAsArray()).wait(io.waitScope);
  const double secs = ms(Clock::now() - start) / 1000;
  const CpuPerGb used = cpu.per_gb(bytes);
  // The receivers exit once every file was notified (or after their timeout).
  ::waitpid(receivers, nullptr, 0);
  std::map<std::string, double> seen;
  {
    std::ifstream in(out);
    std::string id;
    double since = 0;
    while (in >> id >> since) seen.emplace(id, since);
  }
  RoundResult r;
  r.mbps = bytes / secs / 1e6;
  r.cpu = used;
  r.files = samples.size();
  std::vector<double> to_delivered, to_notified;
  for (auto& s : samples) {
    to_delivered.push_back(ms(s.delivered - s.first_write));
    auto it = seen.find(s.file_id);
    if (it == seen.end() || it->second < 0) continue;
    ++r.notified;
    to_notified.push_back(it->second);
  }
  r.delivered_p50 = pct(to_delivered, 0.5);
  r.delivered_p99 = pct(to_delivered, 0.99);
  r.notified_p50 = pct(to_notified, 0.5);
  r.notified_p99 = pct(to_notified, 0.99);
  std::printf(
      "relay  C=%-4d %8.1f MB/s  first byte->Delivered p50 %7.2f ms p99 %7.2f ms  "
      "Delivered->notified p50 %6.2f ms p99 %6.2f ms (%zu/%zu notified)\n"
      "              CPU per GB sent: glimpsed %s, client %s\n",
      c, r.mbps, r.delivered_p50, r.delivered_p99, r.notified_p50, r.notified_p99, r.notified,
      r.files, cpu_text(r.cpu.server).c_str(), cpu_text(r.cpu.client).c_str());
  std::fflush(stdout);
  return r;
}

struct SinkResult {
  double mbps = 0;
  CpuPerGb cpu;  // the sink and this client
};

SinkResult sink_round(kj::AsyncIoContext& io, pid_t sink, int port, int c, int per,
                      const std::vector<Photo>& photos) {
  Driver d{io, {}, {}};
  std::vector<glimpse::rpc::Upload::Client> ups;
  for (int i = 0; i < c; ++i) ups.push_back(d.connect(port).castAs<glimpse::rpc::Upload>());
  uint64_t bytes = 0;
  std::function<kj::Promise<void>(int, int)> send_one = [&](int i, int k) -> kj::Promise<void> {
    if (k == per) return kj::READY_NOW;
    const Photo& p = photos[(i + k) % photos.size()];
    bytes += p.jpeg.size();
    return pump(ups[i], p.jpeg, 0)
        .then([up = ups[i], &p]() mutable { return finish(up, p.jpeg); })
        .then([&send_one, i, k]() { return send_one(i, k + 1); });
  };
  CpuMeter cpu(sink);
  auto start = Clock::now();
  kj::Vector<kj::Promise<void>> all;
  for (int i = 0; i < c; ++i) all.add(send_one(i, 0));
  kj::joinPromises(all.releaseAsArray()).wait(io.waitScope);
  SinkResult r{bytes / (ms(Clock::now() - start) / 1000) / 1e6, cpu.per_gb(bytes)};
  std::printf(
      "sink   C=%-4d %8.1f MB/s  (raw Cap'n Proto streaming, nothing persisted)\n"
      "              CPU per GB sent: sink %s, client %s\n",
      c, r.mbps, cpu_text(r.cpu.server).c_str(), cpu_text(r.cpu.client).c_str());
  return r;
}

// The bytes of one round as they would arrive: each sender's photos cut into
// 64 KiB chunks, interleaved across senders.
std::vector<std::string_view> round_chunks(int c, int per, const std::vector<Photo>& photos) {
  std::vector<std::vector<std::string_view>> by_sender(c);
  for (int i = 0; i < c; ++i)
    for (int k = 0; k < per; ++k) {
      const std::string& jpeg = photos[(i + k) % photos.size()].jpeg;
      for (size_t off = 0; off < jpeg.size(); off += 64 << 10)
        by_sender[i].push_back(std::string_view(jpeg).substr(off, 64 << 10));
    }
  std::vector<std::string_view> order;
  for (size_t n = 0;; ++n) {
    size_t added = 0;
    for (auto& chunks : by_sender)
      if (n < chunks.size()) order.push_back(chunks[n]), ++added;
    if (added == 0) break;
  }
  return order;
}

double median(std::vector<double> v) { return pct(std::move(v), 0.5); }

std::vector<Photo> load_photos(const std::string& dir) {
  std::vector<Photo> photos;
  std::error_code ec;
  for (auto& entry : fs::directory_iterator(dir, ec)) {
    auto ext = entry.path().extension().string();
    if (ext != ".jpg" && ext != ".png") continue;
    auto bytes = glimpse::image::read_file(entry.path().string());
    if (!bytes.ok()) continue;
    glimpse::image::PrepareOptions options;
    options.max_edge = 2560;
    auto prepared = glimpse::image::prepare(bytes.value(), options);
    if (!prepared.ok()) continue;
    Photo p;
    p.prepared = prepared.value();
    p.jpeg = p.prepared.jpeg;
    p.mts = glimpse::image::choose_mts(p.prepared.scan_ends, p.prepared.dc_scans, p.prepared.width,
                                       p.prepared.height, {glimpse::image::NetworkType::lte4g, 3})
                .mts;
    photos.push_back(std::move(p));
  }
  return photos;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--sink") return run_sink(argv[2]);
  if (argc == 8 && std::string(argv[1]) == "--receivers")
    return run_receivers(std::atoi(argv[2]), argv[3], std::stoull(argv[4]), std::atoi(argv[5]),
                         std::stoull(argv[6]), argv[7]);
  std::string corpus = "../shared/corpus";
  std::vector<int> counts;
  std::string durability = "sync";
  std::vector<std::string> node_flags;  // --node-flag=--name=value, passed to glimpsed
  int repeat = 3, per_sender = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help") {
      std::puts(
          "usage: bench_relay [--corpus DIR] [--durability sync|buffered|none] [--repeat R]\n"
          "                   [--per-sender N] [--node-flag=F ...] [C ...]\n"
          "C concurrent senders per round (default 1 16 256), each sending N photos in\n"
          "turn (default max(2, 256/C)); every C runs R times (default 3) and ends with\n"
          "the medians. Photos from DIR (default ../shared/corpus, else\n"
          "/work/shared/corpus). --node-flag passes F to glimpsed. GLIMPSE_BENCH_KEEP=1\n"
          "keeps the run's directory (node and receiver logs).");
      return 0;
    } else if (a == "--corpus" && i + 1 < argc) {
      corpus = argv[++i];
    } else if (a == "--repeat" && i + 1 < argc) {
      repeat = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--per-sender" && i + 1 < argc) {
      per_sender = std::max(1, std::atoi(argv[++i]));
    } else if (a.rfind("--node-flag=", 0) == 0) {
      node_flags.push_back(a.substr(12));
    } else if (a == "--durability" && i + 1 < argc) {
      durability = argv[++i];
    } else {
      counts.push_back(std::atoi(a.c_str()));
    }
  }
  if (counts.empty()) counts = {1, 16, 256};
  if (!fs::exists(corpus)) corpus = "/work/shared/corpus";
  auto photos = load_photos(corpus);
  if (photos.empty()) {
    std::fprintf(stderr, "bench_relay: no photos in %s (--corpus DIR)\n", corpus.c_str());
    return 1;
  }
  uint64_t total = 0;
  for (auto& p : photos) total += p.jpeg.size();
  std::printf("bench_relay: %zu photos from %s, mean %.0f KiB; durability %s\n", photos.size(),
              corpus.c_str(), total / 1024.0 / photos.size(), durability.c_str());

  const char* env = std::getenv("GLIMPSE_BUILD_DIR");
  std::string build = env != nullptr ? env : GLIMPSE_DEFAULT_BUILD_DIR;
  std::string tmpl = (fs::temp_directory_path() / "glimpse-bench-XXXXXX").string();
  std::string dir = ::mkdtemp(tmpl.data());
  std::vector<std::string> node_argv{
      build + "/node/glimpsed",     "--listen=127.0.0.1:0",
      "--data=" + dir + "/data",    "--port-file=" + dir + "/node.port",
      "--durability=" + durability, "--max-open-transfers=100000"};
  node_argv.insert(node_argv.end(), node_flags.begin(), node_flags.end());
  pid_t node = spawn(node_argv, dir + "/glimpsed.log");
  pid_t sink = spawn({"/proc/self/exe", "--sink", dir + "/sink.port"}, dir + "/sink.log");
  int node_port = wait_port(dir + "/node.port"), sink_port = wait_port(dir + "/sink.port");
  if (node_port == 0 || sink_port == 0) {
    std::fprintf(stderr, "bench_relay: glimpsed or the sink did not start (logs in %s)\n",
                 dir.c_str());
    return 1;
  }
  std::string error;
  auto secret = glimpse::token::load_or_create_secret(dir + "/data/token.secret", &error);
  auto io = kj::setupAsyncIo();
  glimpse::bench::RawDb raw(dir + "/raw");
  // A round that fails (glimpsed refused a send: a full disk, a limit) ends
  // the run with its message; the node and sink still stop, the logs stay.
  bool failed = false;
  try {
    int round = 0;
    for (int c : counts) {
      const int per = per_sender > 0 ? per_sender : std::max(2, 256 / c);
      std::vector<double> to_sink, to_rocksdb, to_file, p99, node_cpu, sink_cpu;
      const auto order = round_chunks(c, per, photos);
      for (int r = 0; r < repeat; ++r) {
        const SinkResult sunk = sink_round(io, sink, sink_port, c, per, photos);
        RoundResult relay = round_relay(io, node, node_port, dir, *secret, c, per, ++round, photos);
        if (relay.cpu.server >= 0) node_cpu.push_back(relay.cpu.server);
        if (sunk.cpu.server >= 0) sink_cpu.push_back(sunk.cpu.server);
        double rocksdb_mbps = rocksdb_round(raw, c, order);
        double file_mbps = file_round(dir, c, order);
        to_sink.push_back(relay.mbps / sunk.mbps);
        to_rocksdb.push_back(relay.mbps / rocksdb_mbps);
        to_file.push_back(relay.mbps / file_mbps);
        p99.push_back(relay.notified_p99);
        std::printf("ratio  C=%-4d relay/sink = %.2fx  relay/rocksdb = %.2fx  relay/file = %.2fx\n",
                    c, to_sink.back(), to_rocksdb.back(), to_file.back());
        std::fflush(stdout);
      }
      std::printf(
          "MEDIAN C=%-4d relay/sink %.2fx (goal >= 0.7 at 256)  relay/rocksdb %.2fx  "
          "relay/file %.2fx  Delivered->notified p99 %.2f ms (goal < 5)  "
          "CPU per GB glimpsed %s sink %s\n\n",
          c, median(to_sink), median(to_rocksdb), median(to_file), median(p99),
          cpu_text(node_cpu.empty() ? -1 : median(node_cpu)).c_str(),
          cpu_text(sink_cpu.empty() ? -1 : median(sink_cpu)).c_str());
      std::fflush(stdout);
    }
  } catch (const kj::Exception& e) {
    std::fprintf(stderr, "bench_relay: a round failed: %s\n", e.getDescription().cStr());
    failed = true;
  }
  ::kill(node, SIGTERM);
  ::kill(sink, SIGKILL);
  ::waitpid(node, nullptr, 0);
  ::waitpid(sink, nullptr, 0);
  if (failed || std::getenv("GLIMPSE_BENCH_KEEP") != nullptr) {
    std::printf("kept %s (glimpsed.log, receivers' logs)\n", dir.c_str());
  } else {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  return failed ? 1 : 0;
}
