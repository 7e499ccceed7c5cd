// bench_sim: glimpse-sim's figures (issue #5), each beside its anchor.
//  1. check and replay speed, events/s, on a generated in-memory log of
//     1,000,000 events (goal: check >= 1,000,000 events/s without image
//     decoding); anchor: iterating the same events through EventLog::replay
//     alone, and decoding them alone.
//  2. for each corpus photo under the 3g profile: time to first frame,
//     progressive + MTS against whole-file (goal >= 5x sooner, first frame at
//     display SSIM >= 0.80).
// usage: bench_sim [EVENTS] [CORPUS_DIR]
#include <dirent.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "actors/event_codec.hpp"
#include "image/image.hpp"
#include "image/mts_policy.hpp"
#include "sim/check.hpp"
#include "sim/drive.hpp"
#include "sim/synthetic_log.hpp"
#include "sim/timeline.hpp"
#include "sim/whatif.hpp"

using namespace glimpse;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::vector<uint64_t> transfer_ids(storage::EventLog& log) {
  std::vector<uint64_t> ids;
  log.list_streams(storage::StreamKind::transfer, [&](storage::StreamId s, uint64_t) {
    ids.push_back(s.id);
    return true;
  });
  return ids;
}

void bench_speed(uint64_t target_events) {
  // 100 events per transfer: open, 96 chunks of 128 bytes, Delivered, one
  // ReceiverNotified, Completed.
  const uint64_t per_transfer = 100, chunk = 128, ts = 96 * chunk;
  const uint64_t transfers = std::max<uint64_t>(1, target_events / per_transfer);
  auto log = storage::new_memory_log();
  std::string file(ts, '\0');
  for (size_t i = 0; i < file.size(); ++i) file[i] = static_cast<char>(i * 31 + 7);
  auto t0 = Clock::now();
  for (uint64_t id = 1; id <= transfers; ++id) {
    sim::synth::OpenSpec spec;
    spec.transfer_id = id;
    spec.sender = 1000 + id % 97;
    spec.receivers = {1 + id % 89};
    spec.scan_ends = {ts / 8, ts / 4, ts / 2, ts};
    spec.mts = ts / 4;
    file[0] = static_cast<char>(id);
    if (!sim::synth::write_transfer(*log, spec, file, chunk, int64_t(id) * 1'000'000'000, 1000)
             .ok()) {
      std::fprintf(stderr, "generating the log failed\n");
      std::exit(1);
    }
  }
  const uint64_t events = transfers * per_transfer;
  std::printf("generated %llu transfers, %llu events in %.1f s (memory log)\n\n",
              static_cast<unsigned long long>(transfers), static_cast<unsigned long long>(events),
              seconds_since(t0));
  auto ids = transfer_ids(*log);

  // Anchors.
  t0 = Clock::now();
  uint64_t n = 0, bytes = 0;
  for (uint64_t id : ids)
    log->replay({storage::StreamKind::transfer, id}, 0, [&](uint64_t, std::string_view e) {
      ++n;
      bytes += e.size();
      return true;
    });
  double t_iter = seconds_since(t0);
  t0 = Clock::now();
  uint64_t decoded = 0;
  for (uint64_t id : ids)
    log->replay({storage::StreamKind::transfer, id}, 0, [&](uint64_t, std::string_view e) {
      decoded += actors::decode_event(e).ok();
      return true;
    });
  double t_decode = seconds_since(t0);

  // Figures.
  auto check = [&](bool with_bytes) {
    sim::CheckOptions o;
    o.verify_chunks = o.verify_sha256 = with_bytes;
    sim::CheckReport r;
    auto c0 = Clock::now();
    sim::check_all(*log, o, &r);
    double t = seconds_since(c0);
    if (!r.ok()) std::printf("  (check reported problems: %zu)\n", r.violations.size());
    return std::make_pair(t, r.events);
  };
  auto [t_check_bytes, ev1] = check(true);
  auto [t_check, ev2] = check(false);
  t0 = Clock::now();
  uint64_t rows = 0, chars = 0;
  for (uint64_t id : ids) {
    sim::Timeline t;
    std::string error;
    sim::load_timeline(*log, id, &t, &error);
    for (const auto& row : t.rows) {
      chars += sim::format_row(t, row).size();
      ++rows;
    }
  }
  double t_replay = seconds_since(t0);

  auto rate = [](uint64_t k, double s) { return static_cast<double>(k) / s; };
  std::printf("%-52s %14s\n", "events/s on a 1,000,000-event log", "events/s");
  std::printf("%-52s %14.0f\n", "anchor: EventLog::replay, iterate only", rate(n, t_iter));
  std::printf("%-52s %14.0f\n", "anchor: replay + actors::decode_event", rate(decoded, t_decode));
  std::printf("%-52s %14.0f   (goal >= 1,000,000)\n", "check, rules only (--no-bytes)",
              rate(ev2, t_check));
  std::printf("%-52s %14.0f\n", "check, rules + CRC32C + SHA-256 of stored bytes",
              rate(ev1, t_check_bytes));
  std::printf("%-52s %14.0f\n", "replay, timeline rows formatted (as fast as possible)",
              rate(rows, t_replay));
  std::printf("ratios: check/decode-anchor %.2f, check/iterate-anchor %.2f\n\n",
              rate(ev2, t_check) / rate(decoded, t_decode), rate(ev2, t_check) / rate(n, t_iter));
  (void)bytes;
  (void)chars;
}

void bench_corpus(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (!d) {
    std::printf("corpus %s not present: whatif figure skipped\n", dir.c_str());
    return;
  }
  std::vector<std::string> files;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    auto dot = name.rfind('.');
    std::string ext = dot == std::string::npos ? "" : name.substr(dot);
    if (ext == ".jpg" || ext == ".jpeg" || ext == ".png") files.push_back(name);
  }
  closedir(d);
  std::sort(files.begin(), files.end());
  sim::NetworkProfile g3;
  sim::builtin_profile("3g", &g3);
  sim::ModelOptions options;
  std::printf("corpus under 3g (seed %llu): progressive + MTS (glimpse policy) vs whole-file\n",
              static_cast<unsigned long long>(options.seed));
  std::printf("%-26s %8s %6s %11s %11s %7s %6s %11s %7s %6s\n", "photo", "TS", "Q", "whole (ms)",
              "first (ms)", "gain", "SSIM", "MTS fr(ms)", "gain", "SSIM");
  double worst_gain = 1e9, worst_ssim = 1, worst_mts_gain = 1e9, worst_mts_ssim = 1;
  uint64_t id = 1;
  for (const std::string& name : files) {
    auto input = image::read_file(dir + "/" + name);
    if (!input.ok()) continue;
    auto prepared = image::prepare(input.value());
    if (!prepared.ok()) {
      std::printf("%-26s prepare failed: %s\n", name.c_str(), prepared.error().message.c_str());
      continue;
    }
    sim::Photo photo;
    photo.transfer_id = id++;
    photo.width = prepared->width;
    photo.height = prepared->height;
    photo.scan_ends = prepared->scan_ends;
    photo.logged_signal = 3;
    photo.bytes = prepared->jpeg;
    auto choice = image::choose_mts(photo.scan_ends, prepared->dc_scans, photo.width, photo.height,
                                    {image::NetworkType::g3, 3});
    photo.logged_mts = choice.mts;
    sim::WhatIfReport r;
    std::string error;
    if (!sim::run_whatif(photo, g3, g3, "log", options, &r, &error)) {
      std::printf("%-26s %s\n", name.c_str(), error.c_str());
      continue;
    }
    const auto& p = r.times.progressive;
    const auto& w = r.times.whole_file;
    double gain = w.first_frame_ms / p.first_frame_ms;
    double mts_gain = w.first_frame_ms / p.mts_frame_ms;
    double ssim = r.first_frame_ssim.value_or(0), mts_ssim = r.mts_frame_ssim.value_or(0);
    worst_gain = std::min(worst_gain, gain);
    worst_ssim = std::min(worst_ssim, ssim);
    worst_mts_gain = std::min(worst_mts_gain, mts_gain);
    worst_mts_ssim = std::min(worst_mts_ssim, mts_ssim);
    std::printf("%-26s %8zu %6.3f %11.0f %11.0f %6.2fx %6.3f %11.0f %6.2fx %6.3f\n", name.c_str(),
                prepared->jpeg.size(), choice.q, w.first_frame_ms, p.first_frame_ms, gain, ssim,
                p.mts_frame_ms, mts_gain, mts_ssim);
  }
  std::printf(
      "worst: first frame %.2fx at SSIM %.3f; MTS frame %.2fx at SSIM %.3f "
      "(goal >= 5x sooner at display SSIM >= 0.80)\n",
      worst_gain, worst_ssim, worst_mts_gain, worst_mts_ssim);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t events = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
#ifdef GLIMPSE_CORPUS_DIR
  std::string corpus = argc > 2 ? argv[2] : GLIMPSE_CORPUS_DIR;
#else
  std::string corpus = argc > 2 ? argv[2] : "";
#endif
  bench_speed(events);
  if (!corpus.empty()) bench_corpus(corpus);
  return 0;
}
