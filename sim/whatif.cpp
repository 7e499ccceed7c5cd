#include "sim/whatif.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "image/image.hpp"
#include "image/mts_policy.hpp"
#include "image/quality.hpp"
#include "sim/timeline.hpp"

namespace glimpse::sim {
namespace {

// The network type a sender on `profile` would report at open.
image::NetworkType network_type_of(const NetworkProfile& profile) {
  image::NetworkType t = image::NetworkType::unknown;
  if (profile.name == "lift") return image::NetworkType::lte4g;  // it opens on 4g
  image::parse_network(profile.name, &t);
  return t;
}

std::string fixed(double v, int digits) {
  char b[48];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

std::string ms(double v) { return std::isfinite(v) ? fixed(v, 1) + " ms" : "never"; }

std::string ratio(double whole, double progressive) {
  if (!std::isfinite(whole) || !std::isfinite(progressive) || progressive <= 0) return "-";
  return fixed(whole / progressive, 2) + "x";
}

}  // namespace

bool load_photo(storage::EventLog& log, uint64_t transfer_id, Photo* out, std::string* error) {
  Timeline t;
  if (!load_timeline(log, transfer_id, &t, error)) return false;
  const auto& h = t.header;
  if (h.total_size == 0 || h.scan_ends.empty()) {
    *error = "transfer " + std::to_string(transfer_id) + " has no TransferOpened header";
    return false;
  }
  Photo p;
  p.transfer_id = transfer_id;
  p.width = static_cast<int>(h.width);
  p.height = static_cast<int>(h.height);
  p.scan_ends = h.scan_ends;
  p.logged_mts = h.mts;
  p.logged_signal = h.network.signal;
  if (t.state.acked == h.total_size) {
    storage::Status s = log.read_chunks(transfer_id, 0, h.total_size, &p.bytes);
    if (!s.ok()) p.bytes.clear();
  }
  *out = std::move(p);
  return true;
}

bool pick_mts(const Photo& photo, const std::string& policy, const NetworkProfile& network,
              MtsPick* out, std::string* error) {
  const auto& ends = photo.scan_ends;
  const uint64_t ts = ends.back();
  if (policy == "glimpse") {
    image::NetworkReport report{network_type_of(network), photo.logged_signal};
    image::MtsChoice c = image::choose_mts(ends, 1, photo.width, photo.height, report);
    out->mts = c.mts;
    out->why = std::string("glimpse policy for ") + image::network_name(report.type) + " (signal " +
               std::to_string(report.signal) + "): target Q " + fixed(c.target_q, 2) +
               ", snapped to scan " + std::to_string(c.scan + 1);
  } else if (policy == "log") {
    out->mts = photo.logged_mts;
    out->why = "as logged";
  } else if (policy.rfind("q=", 0) == 0) {
    char* end = nullptr;
    double q = std::strtod(policy.c_str() + 2, &end);
    if (*end != '\0' || !(q > 0 && q <= 1)) {
      *error = "--mts-policy q=F needs 0 < F <= 1, got '" + policy + "'";
      return false;
    }
    auto it = std::lower_bound(ends.begin(), ends.end(),
                               static_cast<uint64_t>(std::ceil(q * static_cast<double>(ts))));
    out->mts = it == ends.end() ? ts : *it;
    out->why = "first scan end at or above Q " + fixed(q, 2);
  } else if (policy.rfind("scan=", 0) == 0) {
    char* end = nullptr;
    long n = std::strtol(policy.c_str() + 5, &end, 10);
    if (*end != '\0' || n < 1 || n > static_cast<long>(ends.size())) {
      *error = "--mts-policy scan=N needs 1 <= N <= " + std::to_string(ends.size()) + ", got '" +
               policy + "'";
      return false;
    }
    out->mts = ends[static_cast<size_t>(n - 1)];
    out->why = "end of scan " + std::to_string(n);
  } else {
    *error = "unknown --mts-policy '" + policy + "' (glimpse, log, q=F, scan=N)";
    return false;
  }
  if (out->mts == 0 || out->mts > ts) {
    *error = "MTS policy '" + policy + "' gave no usable MTS for this photo";
    return false;
  }
  return true;
}

bool run_whatif(const Photo& photo, const NetworkProfile& uplink, const NetworkProfile& downlink,
                const std::string& policy, const ModelOptions& options, WhatIfReport* out,
                std::string* error) {
  WhatIfReport r;
  if (!pick_mts(photo, policy, uplink, &r.mts, error)) return false;
  PhotoShape shape;
  shape.total_size = photo.scan_ends.back();
  shape.scan_ends = photo.scan_ends;
  shape.mts = r.mts.mts;
  r.times = simulate_whatif(shape, uplink, downlink, options);
  if (!photo.bytes.empty()) {
    auto final_picture = image::decode_prefix(photo.bytes);
    if (final_picture.ok()) {
      auto at = [&](uint64_t n) -> std::optional<double> {
        auto shown = image::decode_prefix(std::string_view(photo.bytes).substr(0, n));
        if (!shown.ok()) return std::nullopt;
        return image::display_ssim(shown->pixels, final_picture->pixels);
      };
      r.first_frame_ssim = at(r.times.progressive.first_frame_bytes);
      r.mts_frame_ssim = at(shape.mts);
    }
  }
  *out = std::move(r);
  return true;
}

std::string format_whatif(const Photo& photo, const NetworkProfile& network,
                          const ModelOptions& options, const WhatIfReport& r) {
  const uint64_t ts = photo.scan_ends.back();
  const TransferTimes& p = r.times.progressive;
  const TransferTimes& w = r.times.whole_file;
  std::string s;
  s += "photo: transfer " + std::to_string(photo.transfer_id) + ", " + std::to_string(photo.width) +
       "x" + std::to_string(photo.height) + ", TS " + std::to_string(ts) + " bytes, " +
       std::to_string(photo.scan_ends.size()) + " scans\n";
  s += "MTS:   " + std::to_string(r.mts.mts) + " bytes (Q " +
       fixed(static_cast<double>(r.mts.mts) / static_cast<double>(ts), 3) + "), " + r.mts.why +
       "\n";
  const NetworkSegment& n0 = network.segments.front();
  s +=
      "network: " + network.name + " (" + fixed(n0.bandwidth_kbps, 0) + " kbps, RTT " +
      fixed(n0.rtt_ms, 0) + " ms, loss " + fixed(100 * n0.loss, 1) + "%" +
      (network.segments.size() > 1 ? ", " + std::to_string(network.segments.size() - 1) + " changes"
                                   : std::string()) +
      "), seed " + std::to_string(options.seed) + ", " + std::to_string(options.chunk_bytes) +
      "-byte chunks\n\n";
  char line[200];
  auto row = [&](const char* what, const std::string& a, const std::string& b,
                 const std::string& gain) {
    std::snprintf(line, sizeof line, "%-28s %18s %14s %8s\n", what, a.c_str(), b.c_str(),
                  gain.c_str());
    s += line;
  };
  row("", "progressive+MTS", "whole-file", "gain");
  row("time to Delivered", ms(p.delivered_ms), ms(w.delivered_ms),
      ratio(w.delivered_ms, p.delivered_ms));
  row("time to first frame", ms(p.first_frame_ms), ms(w.first_frame_ms),
      ratio(w.first_frame_ms, p.first_frame_ms));
  row("  first frame bytes", std::to_string(p.first_frame_bytes),
      std::to_string(w.first_frame_bytes), "");
  row("  first frame display SSIM",
      r.first_frame_ssim ? fixed(*r.first_frame_ssim, 3) : std::string("n/a"), "1.000", "");
  row("time to MTS frame", ms(p.mts_frame_ms), ms(w.first_frame_ms),
      ratio(w.first_frame_ms, p.mts_frame_ms));
  row("  MTS frame display SSIM",
      r.mts_frame_ssim ? fixed(*r.mts_frame_ssim, 3) : std::string("n/a"), "1.000", "");
  row("time to complete", ms(p.complete_ms), ms(w.complete_ms),
      ratio(w.complete_ms, p.complete_ms));
  if (photo.bytes.empty()) s += "\n(SSIM n/a: the log does not hold the whole file)\n";
  return s;
}

}  // namespace glimpse::sim
