#pragma once
// The sending half of the client library: streams one prepared photo to a
// node, resuming where the node's durable prefix ends.
//
// Threads: everything runs on the Connection's thread; observer callbacks are
// called there, from inside send_photo().
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "client/connection.hpp"
#include "image/mts_policy.hpp"

namespace glimpse::client {

struct SendRequest {
  std::vector<uint64_t> receivers;
  std::string jpeg;                 // the progressive JPEG (TS = size)
  int width = 0;
  int height = 0;
  std::vector<uint64_t> scan_ends;  // last == jpeg.size()
  uint64_t mts = 0;
  image::NetworkReport network;
  std::string idempotency_key;      // same key -> the node resumes the same transfer
  size_t chunk_bytes = 64 * 1024;
  uint64_t rate_bytes_per_s = 0;    // 0: as fast as flow control allows
};

struct SendObserver {
  // The node accepted the header; writing continues at `resume_from`.
  std::function<void(uint64_t transfer_id, uint64_t resume_from)> on_open;
  // The node's durable contiguous prefix grew to `acked`.
  std::function<void(uint64_t acked)> on_acked;
  // Called once, the moment the file is delivered (MTS durable).
  std::function<void(const std::string& file_id)> on_delivered;
};

// Sends `request` and returns the file id once every byte is durable and the
// node checked the file's CRC-32C. Throws kj::Exception (see describe()) on a
// refusal or a lost connection; running it again with the same key resumes.
std::string send_photo(Connection& connection, rpc::Session::Client session,
                       const SendRequest& request, const SendObserver& observer);

// Hex SHA-256 over the photo's bytes, the sorted, deduplicated receivers and
// `variant` (the options that shape the header: network report, size): the
// same photo to the same people, sent the same way, is the same transfer.
std::string idempotency_key(std::string_view photo, std::vector<uint64_t> receivers,
                            std::string_view variant = "");

// Fills `header` from `request` (for tests that need to bend one field).
void fill_header(const SendRequest& request, rpc::SendHeader::Builder header);

}  // namespace glimpse::client
