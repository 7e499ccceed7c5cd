#pragma once
// Virtual senders: a photo sent through the actors' pure transfer domain
// (actors::decide/apply, the same rules the node runs) in simulated time,
// each decision's events appended to an EventLog with the chunk bytes beside
// them, exactly as the transfer actor would persist them. Used by the
// workload command, the benchmarks and the tests to make realistic logs.
#include <cstdint>
#include <string>
#include <vector>

#include "actors/events.hpp"
#include "sim/network_model.hpp"
#include "storage/event_log.hpp"

namespace glimpse::sim {

struct SendPlan {
  actors::TransferOpened header;  // total_size must equal bytes.size()
  std::string bytes;              // the progressive JPEG
  uint64_t chunk_bytes = 16 * 1024;
  int64_t open_ns = 0;  // TransferOpened time
  // Relay-side durable time of each chunk, ms after open_ns, ascending (one
  // per chunk); empty: 1 ms apart.
  std::vector<double> chunk_ms;
  double notify_ms = 5;  // receivers' inboxes queue this long after Delivered
};

// Appends the whole transfer (open, chunks, Delivered, ReceiverNotified per
// receiver, Completed) to `log`. False with *error if the rules refuse a
// command (the message names it) or the log fails.
bool send_through_domain(storage::EventLog& log, const SendPlan& plan, std::string* error);

// Chunk durable times for `plan`'s bytes uploaded over `link` (seeded).
std::vector<double> modelled_chunk_ms(const NetworkProfile& link, uint64_t total_size,
                                      const ModelOptions& options);

}  // namespace glimpse::sim
