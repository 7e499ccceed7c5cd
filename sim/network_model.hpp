#pragma once
// The "what if" network model: a deterministic discrete-event model of one
// photo travelling sender -> relay -> receiver over modelled links.
//
// A link is piecewise constant in time (bandwidth, RTT, loss); the same
// profile serves the sender's uplink and the receiver's downlink unless told
// otherwise. Data moves in chunks over one serial transmitter with a window of
// unacknowledged bytes; a lost chunk is detected one and a half RTTs after it
// was sent and sent again, ahead of fresh chunks. Loss is drawn from a fixed
// splitmix64 sequence, so a (profile, seed) pair gives identical results on
// every platform. No clock is read: all times are simulated milliseconds from
// the moment the sender starts uploading.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace glimpse::sim {

struct NetworkSegment {
  double start_ms = 0;        // the segment holds from here until the next one starts
  double bandwidth_kbps = 0;  // 0 is an outage; the last segment must be > 0
  double rtt_ms = 0;
  double loss = 0;  // probability that one chunk transmission is lost, [0, 1)
};

struct NetworkProfile {
  std::string name;
  std::vector<NetworkSegment> segments;  // ascending start_ms, the first at 0
};

// Built-in profiles: "wifi", "4g", "3g", "2g", and "lift" (4g that drops to
// 2g from 0.5 s to 5.5 s, then recovers). False for any other name.
bool builtin_profile(const std::string& name, NetworkProfile* out);
const std::vector<std::string>& builtin_profile_names();

// Trace text: one "time_ms bandwidth_kbps rtt_ms loss" line per change; '#'
// starts a comment; blank lines are ignored. On error returns false and says
// which line was wrong in *error.
bool parse_trace(std::string_view text, const std::string& name, NetworkProfile* out,
                 std::string* error);

// A built-in name, or else the path of a trace file.
bool load_profile(const std::string& name_or_path, NetworkProfile* out, std::string* error);

// Checks the invariants stated on NetworkProfile; *error says what is wrong.
bool validate_profile(const NetworkProfile& profile, std::string* error);

// Deterministic PRNG (splitmix64).
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next();
  double next_unit();  // [0, 1), 53 bits

 private:
  uint64_t state_;
};

struct ModelOptions {
  uint64_t chunk_bytes = 16 * 1024;    // upload and download chunk size
  uint64_t window_bytes = 256 * 1024;  // unacknowledged bytes in flight per leg
  double fsync_ms = 2.0;               // relay: arrival -> durable
  uint64_t seed = 1;
};

// Bytes [0, offset) are in hand at time_ms.
struct ProgressPoint {
  double time_ms = 0;
  uint64_t offset = 0;
};

// One leg (sender -> relay or relay -> receiver). `ready` gives, for the
// source, when each byte becomes available to send (ascending offsets); the
// leg cannot send before `start_ms`. Returns the destination's contiguous
// prefix over time, one point per chunk, ending at `total`.
std::vector<ProgressPoint> simulate_leg(const NetworkProfile& link, uint64_t total,
                                        const std::vector<ProgressPoint>& ready, double start_ms,
                                        const ModelOptions& options, SplitMix64* rng);

// Time at which `progress` first reaches `offset`; +inf if never.
double time_to_reach(const std::vector<ProgressPoint>& progress, uint64_t offset);

struct PhotoShape {
  uint64_t total_size = 0;          // TS
  uint64_t mts = 0;                 // 0 < mts <= total_size
  std::vector<uint64_t> scan_ends;  // ascending, last == total_size
};

struct TransferTimes {
  double delivered_ms = 0;    // receiver has the notification
  double first_frame_ms = 0;  // receiver holds its first paintable prefix
  uint64_t first_frame_bytes = 0;
  double mts_frame_ms = 0;    // receiver holds the MTS prefix
  double complete_ms = 0;     // receiver holds the whole file
  double upload_done_ms = 0;  // relay has the whole file durable
};

struct WhatIf {
  TransferTimes progressive;  // notify at MTS; paint from the first complete scan
  TransferTimes whole_file;   // notify at 100%; paint when the download is complete
};

// Progressive + MTS against whole-file, over the same links and loss draws
// (both variants replay the same seed). `downlink` may equal `uplink`.
WhatIf simulate_whatif(const PhotoShape& photo, const NetworkProfile& uplink,
                       const NetworkProfile& downlink, const ModelOptions& options);

}  // namespace glimpse::sim
