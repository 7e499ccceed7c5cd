#include "sim/network_model.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

namespace glimpse::sim {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

NetworkProfile constant(const std::string& name, double kbps, double rtt, double loss) {
  return NetworkProfile{name, {NetworkSegment{0, kbps, rtt, loss}}};
}

// Uplink-class figures (the sender's side is the bottleneck), in the spirit of
// browser throttling presets.
const NetworkSegment kWifi{0, 20000, 20, 0.001};
const NetworkSegment k4g{0, 8000, 60, 0.005};
const NetworkSegment k3g{0, 750, 300, 0.01};
const NetworkSegment k2g{0, 100, 650, 0.02};

const NetworkSegment& segment_at(const NetworkProfile& p, double t) {
  size_t k = 0;
  while (k + 1 < p.segments.size() && p.segments[k + 1].start_ms <= t) ++k;
  return p.segments[k];
}

// When `bytes` sent from `start` have all left the transmitter.
double transmit_end(const NetworkProfile& p, double start, uint64_t bytes) {
  double bits = static_cast<double>(bytes) * 8.0;
  double t = start;
  size_t k = 0;
  while (k + 1 < p.segments.size() && p.segments[k + 1].start_ms <= t) ++k;
  for (;; ++k) {
    const NetworkSegment& s = p.segments[k];
    double end = k + 1 < p.segments.size() ? p.segments[k + 1].start_ms : kInf;
    if (s.bandwidth_kbps > 0) {
      double need_ms = bits / s.bandwidth_kbps;  // 1 kbps == 1 bit per ms
      if (t + need_ms <= end) return t + need_ms;
      bits -= (end - t) * s.bandwidth_kbps;
    }
    t = end;
  }
}

}  // namespace

const std::vector<std::string>& builtin_profile_names() {
  static const std::vector<std::string> names{"wifi", "4g", "3g", "2g", "lift"};
  return names;
}

bool builtin_profile(const std::string& name, NetworkProfile* out) {
  if (name == "wifi") {
    *out = constant(name, kWifi.bandwidth_kbps, kWifi.rtt_ms, kWifi.loss);
  } else if (name == "4g") {
    *out = constant(name, k4g.bandwidth_kbps, k4g.rtt_ms, k4g.loss);
  } else if (name == "3g") {
    *out = constant(name, k3g.bandwidth_kbps, k3g.rtt_ms, k3g.loss);
  } else if (name == "2g") {
    *out = constant(name, k2g.bandwidth_kbps, k2g.rtt_ms, k2g.loss);
  } else if (name == "lift") {
    NetworkSegment a = k4g, b = k2g, c = k4g;
    b.start_ms = 500;
    c.start_ms = 5500;
    *out = NetworkProfile{name, {a, b, c}};
  } else {
    return false;
  }
  return true;
}

bool validate_profile(const NetworkProfile& p, std::string* error) {
  if (p.segments.empty()) {
    *error = "profile '" + p.name + "' has no segments";
    return false;
  }
  if (p.segments.front().start_ms != 0) {
    *error = "profile '" + p.name + "' must start at time 0";
    return false;
  }
  for (size_t i = 0; i < p.segments.size(); ++i) {
    const NetworkSegment& s = p.segments[i];
    std::string where = "profile '" + p.name + "' segment " + std::to_string(i + 1);
    if (i > 0 && !(s.start_ms > p.segments[i - 1].start_ms)) {
      *error = where + ": times must increase";
      return false;
    }
    if (!(s.bandwidth_kbps >= 0) || !(s.rtt_ms >= 0) || !(s.loss >= 0 && s.loss < 1)) {
      *error = where + ": need bandwidth >= 0, rtt >= 0 and 0 <= loss < 1";
      return false;
    }
  }
  if (!(p.segments.back().bandwidth_kbps > 0)) {
    *error = "profile '" + p.name + "': the last segment needs bandwidth > 0";
    return false;
  }
  return true;
}

bool parse_trace(std::string_view text, const std::string& name, NetworkProfile* out,
                 std::string* error) {
  NetworkProfile p{name, {}};
  std::istringstream in{std::string(text)};
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    line = line.substr(0, line.find('#'));
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::istringstream fields(line);
    NetworkSegment s;
    std::string rest;
    if (!(fields >> s.start_ms >> s.bandwidth_kbps >> s.rtt_ms >> s.loss) || (fields >> rest)) {
      *error =
          name + ":" + std::to_string(line_no) + ": expected 'time_ms bandwidth_kbps rtt_ms loss'";
      return false;
    }
    p.segments.push_back(s);
  }
  if (!validate_profile(p, error)) return false;
  *out = std::move(p);
  return true;
}

bool load_profile(const std::string& name_or_path, NetworkProfile* out, std::string* error) {
  if (builtin_profile(name_or_path, out)) return true;
  std::ifstream f(name_or_path, std::ios::binary);
  if (!f) {
    std::string names;
    for (const auto& n : builtin_profile_names()) names += (names.empty() ? "" : ", ") + n;
    *error = "network '" + name_or_path + "' is neither a built-in profile (" + names +
             ") nor a readable trace file";
    return false;
  }
  std::stringstream buf;
  buf << f.rdbuf();
  return parse_trace(buf.str(), name_or_path, out, error);
}

uint64_t SplitMix64::next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

double SplitMix64::next_unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double time_to_reach(const std::vector<ProgressPoint>& progress, uint64_t offset) {
  if (offset == 0) return progress.empty() ? 0 : std::min(0.0, progress.front().time_ms);
  auto it = std::lower_bound(progress.begin(), progress.end(), offset,
                             [](const ProgressPoint& p, uint64_t o) { return p.offset < o; });
  return it == progress.end() ? kInf : it->time_ms;
}

std::vector<ProgressPoint> simulate_leg(const NetworkProfile& link, uint64_t total,
                                        const std::vector<ProgressPoint>& ready, double start_ms,
                                        const ModelOptions& options, SplitMix64* rng) {
  const uint64_t chunk = std::max<uint64_t>(1, options.chunk_bytes);
  const size_t n = static_cast<size_t>((total + chunk - 1) / chunk);
  const size_t window = static_cast<size_t>(std::max<uint64_t>(1, options.window_bytes / chunk));
  auto chunk_end = [&](size_t i) { return std::min<uint64_t>(total, (i + 1) * chunk); };

  std::vector<double> arrival(n, kInf), ack(n, kInf), prefix_ack(n, kInf);
  size_t acked_prefix = 0;  // chunks [0, acked_prefix) acknowledged, prefix_ack known
  std::vector<std::pair<double, size_t>> retransmit;  // (eligible time, chunk)
  size_t next_fresh = 0, arrived = 0;
  double link_free = start_ms;

  while (arrived < n) {
    double fresh_at = kInf;
    if (next_fresh < n) {
      fresh_at = std::max(start_ms, time_to_reach(ready, chunk_end(next_fresh)));
      if (next_fresh >= window) {
        size_t must = next_fresh - window;  // cumulative ack through `must` opens the window
        fresh_at = must < acked_prefix ? std::max(fresh_at, prefix_ack[must]) : kInf;
      }
    }
    auto retx = std::min_element(retransmit.begin(), retransmit.end());
    double retx_at = retx == retransmit.end() ? kInf : retx->first;
    if (fresh_at == kInf && retx_at == kInf) break;  // source never supplies the rest

    size_t idx;
    double eligible;
    if (retx_at <= fresh_at) {
      idx = retx->second;
      eligible = retx_at;
      retransmit.erase(retx);
    } else {
      idx = next_fresh++;
      eligible = fresh_at;
    }
    double start = std::max(link_free, eligible);
    uint64_t bytes = chunk_end(idx) - idx * chunk;
    double end = transmit_end(link, start, bytes);
    link_free = end;
    const NetworkSegment& seg = segment_at(link, start);
    double rtt = segment_at(link, end).rtt_ms;
    if (rng->next_unit() < seg.loss) {
      retransmit.emplace_back(end + 1.5 * rtt, idx);
      continue;
    }
    arrival[idx] = end + rtt / 2;
    ack[idx] = end + rtt;
    ++arrived;
    while (acked_prefix < n && ack[acked_prefix] != kInf) {
      prefix_ack[acked_prefix] =
          std::max(ack[acked_prefix], acked_prefix ? prefix_ack[acked_prefix - 1] : 0.0);
      ++acked_prefix;
    }
  }

  std::vector<ProgressPoint> out;
  out.reserve(n);
  double t = start_ms;
  for (size_t i = 0; i < n && arrival[i] != kInf; ++i) {
    t = std::max(t, arrival[i]);
    out.push_back({t, chunk_end(i)});
  }
  return out;
}

namespace {

std::vector<ProgressPoint> shifted(std::vector<ProgressPoint> p, double by) {
  for (auto& x : p) x.time_ms += by;
  return p;
}

// Upload, relay notification at `notify_offset` durable, receiver download.
TransferTimes run(const PhotoShape& photo, uint64_t notify_offset, uint64_t paint_offset,
                  const NetworkProfile& up, const NetworkProfile& down,
                  const ModelOptions& options) {
  TransferTimes t;
  SplitMix64 up_rng(options.seed);
  SplitMix64 down_rng(options.seed ^ 0x5bd1e9955bd1e995ull);
  auto uploaded = simulate_leg(up, photo.total_size, {{0, photo.total_size}}, 0, options, &up_rng);
  auto durable = shifted(uploaded, options.fsync_ms);
  t.upload_done_ms = time_to_reach(durable, photo.total_size);
  double notify_sent = time_to_reach(durable, notify_offset);
  t.delivered_ms = notify_sent + segment_at(down, notify_sent).rtt_ms / 2;
  double request_at_relay = t.delivered_ms + segment_at(down, t.delivered_ms).rtt_ms / 2;
  auto received =
      simulate_leg(down, photo.total_size, durable, request_at_relay, options, &down_rng);
  t.first_frame_bytes = paint_offset;
  t.first_frame_ms = time_to_reach(received, paint_offset);
  t.mts_frame_ms = time_to_reach(received, photo.mts);
  t.complete_ms = time_to_reach(received, photo.total_size);
  return t;
}

}  // namespace

WhatIf simulate_whatif(const PhotoShape& photo, const NetworkProfile& uplink,
                       const NetworkProfile& downlink, const ModelOptions& options) {
  WhatIf w;
  uint64_t first_scan = photo.scan_ends.empty() ? photo.total_size : photo.scan_ends.front();
  w.progressive = run(photo, photo.mts, first_scan, uplink, downlink, options);
  w.whole_file = run(photo, photo.total_size, photo.total_size, uplink, downlink, options);
  return w;
}

}  // namespace glimpse::sim
