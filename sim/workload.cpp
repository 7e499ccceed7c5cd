#include "sim/workload.hpp"

#include <dirent.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>

#include "image/mts_policy.hpp"
#include "image/quality.hpp"
#include "sim/check.hpp"
#include "sim/drive.hpp"
#include "sim/network_model.hpp"

namespace glimpse::sim {
namespace {

image::NetworkType network_type_of(const std::string& profile) {
  image::NetworkType t = image::NetworkType::unknown;
  if (profile == "lift") return image::NetworkType::lte4g;
  image::parse_network(profile, &t);
  return t;
}

struct Figures {
  double delivered, first_frame, mts_frame, complete, whole, gain_first, gain_mts, ssim_first,
      ssim_mts;
};

const char* const kFigureNames[] = {
    "time to Delivered (ms)", "time to first frame (ms)",     "time to MTS frame (ms)",
    "time to complete (ms)",  "whole-file: first frame (ms)", "gain, first frame (x)",
    "gain, MTS frame (x)",    "first frame display SSIM",     "MTS frame display SSIM"};

std::vector<double> as_vector(const Figures& f) {
  return {f.delivered,  f.first_frame, f.mts_frame,  f.complete, f.whole,
          f.gain_first, f.gain_mts,    f.ssim_first, f.ssim_mts};
}

}  // namespace

bool parse_network_mix(const std::string& text, std::vector<NetworkShare>* out,
                       std::string* error) {
  std::vector<NetworkShare> mix;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    auto colon = item.rfind(':');
    char* end = nullptr;
    double w = colon == std::string::npos ? 0 : std::strtod(item.c_str() + colon + 1, &end);
    if (colon == std::string::npos || colon == 0 || *end != '\0' || !(w > 0) || !std::isfinite(w)) {
      *error = "--network-mix item '" + item + "' is not PROFILE:WEIGHT with a weight > 0";
      return false;
    }
    NetworkShare s{item.substr(0, colon), w};
    NetworkProfile p;
    if (!load_profile(s.profile, &p, error)) return false;
    mix.push_back(s);
  }
  if (mix.empty()) {
    *error = "--network-mix is empty; e.g. wifi:0.5,4g:0.3,3g:0.2";
    return false;
  }
  *out = std::move(mix);
  return true;
}

bool load_workload_photos(const std::string& dir, std::vector<WorkloadPhoto>* out,
                          std::string* error) {
  DIR* d = opendir(dir.c_str());
  if (!d) {
    *error = "cannot read photo directory " + dir;
    return false;
  }
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    auto dot = n.rfind('.');
    std::string ext = dot == std::string::npos ? "" : n.substr(dot);
    std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
    if (ext == ".jpg" || ext == ".jpeg" || ext == ".png") names.push_back(n);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  std::vector<WorkloadPhoto> photos;
  for (const std::string& n : names) {
    auto bytes = image::read_file(dir + "/" + n);
    if (!bytes.ok()) continue;
    auto prepared = image::prepare(bytes.value());
    if (!prepared.ok()) continue;
    photos.push_back({n, std::move(prepared.value())});
  }
  if (photos.empty()) {
    *error = "no usable .jpg/.jpeg/.png photo in " + dir;
    return false;
  }
  *out = std::move(photos);
  return true;
}

double Distribution::quantile(double q) const {
  if (values.empty()) return std::nan("");
  size_t i = static_cast<size_t>(std::floor(q * static_cast<double>(values.size() - 1) + 0.5));
  return values[std::min(i, values.size() - 1)];
}

bool simulate_workload(const std::vector<WorkloadPhoto>& photos, const WorkloadOptions& options,
                       WorkloadResult* out, std::string* error) {
  std::vector<NetworkProfile> profiles;
  double total_weight = 0;
  for (const NetworkShare& s : options.mix) {
    NetworkProfile p;
    if (!load_profile(s.profile, &p, error)) return false;
    profiles.push_back(p);
    total_weight += s.weight;
  }
  auto log = storage::new_memory_log();
  SplitMix64 rng(options.seed);
  std::map<std::pair<size_t, uint64_t>, double> ssim_cache;  // (photo, prefix) -> SSIM
  std::map<size_t, image::Pixels> finals;
  auto ssim_at = [&](size_t photo, uint64_t prefix) {
    auto key = std::make_pair(photo, prefix);
    if (auto it = ssim_cache.find(key); it != ssim_cache.end()) return it->second;
    const std::string& jpeg = photos[photo].prepared.jpeg;
    if (!finals.count(photo)) {
      auto f = image::decode_prefix(jpeg);
      finals[photo] = f.ok() ? f->pixels : image::Pixels{};
    }
    double v = 0;
    auto shown = image::decode_prefix(std::string_view(jpeg).substr(0, prefix));
    if (shown.ok() && finals[photo].width > 0)
      v = image::display_ssim(shown->pixels, finals[photo]);
    return ssim_cache[key] = v;
  };

  std::map<std::string, std::vector<Figures>> by_group;
  for (uint64_t u = 0; u < options.users; ++u) {
    double pick = rng.next_unit() * total_weight;
    size_t net = 0;
    while (net + 1 < profiles.size() && pick >= options.mix[net].weight) {
      pick -= options.mix[net].weight;
      ++net;
    }
    size_t photo = static_cast<size_t>(rng.next() % photos.size());
    double start_s = rng.next_unit() * options.spread_s;
    uint64_t leg_seed = rng.next();
    const image::Prepared& pp = photos[photo].prepared;
    image::NetworkReport report{network_type_of(options.mix[net].profile),
                                static_cast<int>(rng.next() % 5)};
    auto mts = image::choose_mts(pp.scan_ends, pp.dc_scans, pp.width, pp.height, report);

    SendPlan plan;
    plan.header.transfer_id = u + 1;
    plan.header.sender = 10'000 + u;
    uint64_t other =
        options.users > 1 ? (u + 1 + rng.next() % (options.users - 1)) % options.users : u + 1;
    plan.header.receivers = {10'000 + other};
    plan.header.idempotency_key = "workload-" + std::to_string(u);
    plan.header.total_size = pp.jpeg.size();
    plan.header.mts = mts.mts;
    plan.header.width = static_cast<uint32_t>(pp.width);
    plan.header.height = static_cast<uint32_t>(pp.height);
    plan.header.scan_ends = pp.scan_ends;
    plan.header.network.type = static_cast<actors::NetworkType>(report.type);
    plan.header.network.signal = static_cast<uint8_t>(report.signal);
    plan.header.node = 1;
    plan.bytes = pp.jpeg;
    plan.chunk_bytes = options.chunk_bytes;
    plan.open_ns = 1'763'722'800'000'000'000 + static_cast<int64_t>(start_s * 1e9);
    ModelOptions mo;
    mo.seed = leg_seed;
    mo.chunk_bytes = options.chunk_bytes;
    plan.chunk_ms = modelled_chunk_ms(profiles[net], plan.bytes.size(), mo);
    plan.notify_ms = profiles[net].segments.front().rtt_ms / 2;
    if (!send_through_domain(*log, plan, error)) return false;

    PhotoShape shape{pp.jpeg.size(), mts.mts, pp.scan_ends};
    WhatIf w = simulate_whatif(shape, profiles[net], profiles[net], mo);
    Figures f;
    f.delivered = w.progressive.delivered_ms;
    f.first_frame = w.progressive.first_frame_ms;
    f.mts_frame = w.progressive.mts_frame_ms;
    f.complete = w.progressive.complete_ms;
    f.whole = w.whole_file.first_frame_ms;
    f.gain_first = f.whole / f.first_frame;
    f.gain_mts = f.whole / f.mts_frame;
    f.ssim_first = ssim_at(photo, w.progressive.first_frame_bytes);
    f.ssim_mts = ssim_at(photo, mts.mts);
    by_group[options.mix[net].profile].push_back(f);
    by_group["all"].push_back(f);
  }

  WorkloadResult r;
  CheckReport check;
  check_all(*log, {}, &check);
  r.transfers = check.transfers;
  r.events = check.events;
  r.check_ok = check.ok();
  r.check_summary =
      check.ok() ? "check: ok"
                 : "check: " + (check.violations.empty() ? check.errors.front()
                                                         : check.violations.front().to_string());
  std::vector<std::string> order;
  for (const NetworkShare& s : options.mix)
    if (std::find(order.begin(), order.end(), s.profile) == order.end()) order.push_back(s.profile);
  order.push_back("all");
  for (const std::string& g : order) {
    auto it = by_group.find(g);
    if (it == by_group.end()) continue;
    std::vector<Distribution> ds;
    for (size_t k = 0; k < std::size(kFigureNames); ++k) {
      Distribution d;
      d.what = kFigureNames[k];
      for (const Figures& f : it->second) d.values.push_back(as_vector(f)[k]);
      std::sort(d.values.begin(), d.values.end());
      ds.push_back(std::move(d));
    }
    r.groups.emplace_back(g, std::move(ds));
  }
  *out = std::move(r);
  return true;
}

std::string format_workload(const WorkloadOptions& options, const WorkloadResult& r) {
  std::string s;
  char line[200];
  std::snprintf(line, sizeof line,
                "%llu virtual senders over %.0f s (seed %llu): %llu transfers, %llu events "
                "through the actors' rules; %s\n",
                static_cast<unsigned long long>(options.users), options.spread_s,
                static_cast<unsigned long long>(options.seed),
                static_cast<unsigned long long>(r.transfers),
                static_cast<unsigned long long>(r.events), r.check_summary.c_str());
  s += line;
  for (const auto& [group, ds] : r.groups) {
    std::snprintf(line, sizeof line, "\n%s (%zu transfers)\n%-30s %10s %10s %10s %10s %10s\n",
                  group.c_str(), ds.empty() ? size_t(0) : ds.front().values.size(), "", "min",
                  "p50", "p90", "p99", "max");
    s += line;
    for (const Distribution& d : ds) {
      std::snprintf(line, sizeof line, "%-30s %10.3f %10.3f %10.3f %10.3f %10.3f\n", d.what.c_str(),
                    d.values.front(), d.quantile(0.5), d.quantile(0.9), d.quantile(0.99),
                    d.values.back());
      s += line;
    }
  }
  return s;
}

}  // namespace glimpse::sim
