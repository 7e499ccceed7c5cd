#pragma once
// The MTS policy: how much of a progressive JPEG must be durable before the
// relay tells receivers "it's here". Poorer network -> earlier delivery.
#include <cstdint>
#include <string>
#include <vector>

namespace glimpse::image {

enum class NetworkType { unknown, wifi, nr5g, lte4g, g3, g2 };

// "wifi", "5g", "4g", "3g", "2g", "unknown"; parse returns false on anything else.
const char* network_name(NetworkType type);
bool parse_network(const std::string& text, NetworkType* out);

struct NetworkReport {
  NetworkType type = NetworkType::unknown;
  int signal = 2;  // 0 (none) .. 4 (full)
};

struct MtsChoice {
  uint64_t mts = 0;   // a scan end; first DC-complete scan end <= mts <= total size
  int scan = 0;       // index into scan_ends of the chosen end
  double q = 0;       // mts / total size
  double target_q = 0;  // the policy's wish before snapping to a scan end
};

// `scan_ends` as from Prepared::scan_ends (last == total size); `dc_scans` is
// how many leading scans it takes to have the first complete DC picture
// (clamped to 1..scan_ends.size()). MTS is the first scan end at or above
// target_q * total size, within those bounds. Empty `scan_ends`: mts = 0,
// scan = -1, q = 0 (nothing to deliver); target_q is still filled in.
MtsChoice choose_mts(const std::vector<uint64_t>& scan_ends, int dc_scans, int width, int height,
                     const NetworkReport& network);

}  // namespace glimpse::image
