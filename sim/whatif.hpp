#pragma once
// `glimpse-sim whatif`: the photo of a logged transfer sent again over a
// modelled network (network_model.hpp) with an MTS policy, against the same
// photo as an ordinary whole-file transfer; with the display SSIM of what the
// receiver first sees when the photo's bytes are in the log.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/network_model.hpp"
#include "storage/event_log.hpp"

namespace glimpse::sim {

struct Photo {
  uint64_t transfer_id = 0;
  int width = 0;
  int height = 0;
  std::vector<uint64_t> scan_ends;  // last == TS
  uint64_t logged_mts = 0;
  int logged_signal = 2;
  std::string bytes;  // the whole file; empty when the log does not hold all of it
};

// Reads the header (and, when stored, all bytes) of a logged transfer.
bool load_photo(storage::EventLog& log, uint64_t transfer_id, Photo* out, std::string* error);

// MTS policies: "glimpse" (image::choose_mts for the profile's network type,
// the logged signal strength), "log" (the logged MTS), "q=F" (the first scan
// end at or above F * TS), "scan=N" (the N-th scan end, 1-based).
struct MtsPick {
  uint64_t mts = 0;
  std::string why;  // "glimpse policy for 3g: target Q 0.20, snapped to scan 3"
};
bool pick_mts(const Photo& photo, const std::string& policy, const NetworkProfile& network,
              MtsPick* out, std::string* error);

struct WhatIfReport {
  WhatIf times;
  MtsPick mts;
  std::optional<double> first_frame_ssim;  // display SSIM; none without the bytes
  std::optional<double> mts_frame_ssim;
};

bool run_whatif(const Photo& photo, const NetworkProfile& uplink, const NetworkProfile& downlink,
                const std::string& policy, const ModelOptions& options, WhatIfReport* out,
                std::string* error);

// The printed table.
std::string format_whatif(const Photo& photo, const NetworkProfile& network,
                          const ModelOptions& options, const WhatIfReport& report);

}  // namespace glimpse::sim
