#pragma once
// `glimpse-sim workload`: many virtual senders, each sending a photo to another
// user over a network drawn from a mix, through the actors' transfer rules
// (drive.hpp) into one in-memory log, in simulated time; then the figures of
// every transfer (network_model.hpp) and their distributions, and a check of
// the whole log. The relay itself is modelled without a capacity limit: each
// transfer's times depend only on its own links.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "image/image.hpp"

namespace glimpse::sim {

struct NetworkShare {
  std::string profile;  // built-in name or trace file
  double weight = 0;
};

// "wifi:0.5,4g:0.3,3g:0.2" -> shares (weights need not sum to 1). False with
// *error naming the bad item.
bool parse_network_mix(const std::string& text, std::vector<NetworkShare>* out, std::string* error);

struct WorkloadOptions {
  uint64_t users = 100;
  std::vector<NetworkShare> mix;
  double spread_s = 60;  // senders start uniformly within this many seconds
  uint64_t seed = 1;
  uint64_t chunk_bytes = 16 * 1024;
};

struct WorkloadPhoto {
  std::string name;
  image::Prepared prepared;
};

// Loads and prepares every .jpg/.jpeg/.png in `dir` (sorted by name).
bool load_workload_photos(const std::string& dir, std::vector<WorkloadPhoto>* out,
                          std::string* error);

struct Distribution {
  std::string what;
  std::vector<double> values;  // sorted
  double quantile(double q) const;
};

struct WorkloadResult {
  uint64_t transfers = 0;
  uint64_t events = 0;
  bool check_ok = false;
  std::string check_summary;
  // Per network profile (and "all"), the distributions of each figure.
  std::vector<std::pair<std::string, std::vector<Distribution>>> groups;
};

bool simulate_workload(const std::vector<WorkloadPhoto>& photos, const WorkloadOptions& options,
                       WorkloadResult* out, std::string* error);

std::string format_workload(const WorkloadOptions& options, const WorkloadResult& result);

}  // namespace glimpse::sim
