#include "image/mts_policy.hpp"

#include <algorithm>
#include <cmath>

namespace glimpse::image {
namespace {

// Q wished for at full signal: how much of the file the receiver's first
// picture gets. A fast link delivers the sharp picture about as quickly as a
// slow one delivers the blurry one, so it can afford to wait for more.
double network_q(NetworkType type) {
  switch (type) {
    case NetworkType::wifi:
      return 0.50;
    case NetworkType::nr5g:
      return 0.45;
    case NetworkType::lte4g:
      return 0.35;
    case NetworkType::g3:
      return 0.20;
    case NetworkType::g2:
      return 0.06;
    case NetworkType::unknown:
      return 0.25;
  }
  return 0.25;
}

// Signal 0..4 scales Q from half (no bars) to all of it (full bars).
double signal_factor(int signal) { return 0.5 + 0.125 * std::clamp(signal, 0, 4); }

// More pixels -> the early scans already show a phone screen's worth of
// detail, so a smaller Q suffices: (1 MP / pixels)^0.2, kept within
// [0.7, 1.2] (a 12 MP photo gets 0.7x, a 0.25 MP thumbnail 1.2x).
double size_factor(int width, int height) {
  const double pixels = std::max(1.0, static_cast<double>(width) * std::max(height, 0));
  return std::clamp(std::pow(1e6 / pixels, 0.2), 0.7, 1.2);
}

}  // namespace

const char* network_name(NetworkType type) {
  switch (type) {
    case NetworkType::wifi:
      return "wifi";
    case NetworkType::nr5g:
      return "5g";
    case NetworkType::lte4g:
      return "4g";
    case NetworkType::g3:
      return "3g";
    case NetworkType::g2:
      return "2g";
    case NetworkType::unknown:
      return "unknown";
  }
  return "unknown";
}

bool parse_network(const std::string& text, NetworkType* out) {
  for (NetworkType t : {NetworkType::wifi, NetworkType::nr5g, NetworkType::lte4g, NetworkType::g3,
                        NetworkType::g2, NetworkType::unknown}) {
    if (text == network_name(t)) {
      *out = t;
      return true;
    }
  }
  return false;
}

// Snaps to the first scan end at or above the target, within
// [scan_ends[dc_scans - 1], scan_ends.back()]. dc_scans is clamped to
// [1, scan_ends.size()]. Empty scan_ends: nothing to deliver, so
// mts = 0, scan = -1, q = 0 (target_q still reports the policy's wish).
MtsChoice choose_mts(const std::vector<uint64_t>& scan_ends, int dc_scans, int width, int height,
                     const NetworkReport& network) {
  MtsChoice c;
  c.target_q = std::clamp(
      network_q(network.type) * signal_factor(network.signal) * size_factor(width, height), 0.0,
      1.0);
  if (scan_ends.empty()) {
    c.scan = -1;
    return c;
  }
  const uint64_t total = scan_ends.back();
  const int last = static_cast<int>(scan_ends.size()) - 1;
  const int first = std::clamp(dc_scans, 1, last + 1) - 1;
  const double target = c.target_q * static_cast<double>(total);

  int chosen = last;
  for (int i = first; i <= last; ++i) {
    if (static_cast<double>(scan_ends[i]) >= target) {
      chosen = i;
      break;
    }
  }
  c.scan = chosen;
  c.mts = scan_ends[chosen];
  c.q = total > 0 ? static_cast<double>(c.mts) / total : 1.0;
  return c;
}

}  // namespace glimpse::image
