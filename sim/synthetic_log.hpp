#pragma once
// Transfer logs built by hand, event by event, for tests and benchmarks: the
// serialized schema::Event bytes of each event kind, and a whole well-formed
// transfer written into any EventLog. Nothing here decides anything; a test
// that wants a broken log writes the broken events itself.
#include <cstdint>
#include <string>
#include <vector>

#include "storage/event_log.hpp"

namespace glimpse::sim::synth {

// Every event builder takes the event's time and its schema version (the
// current one unless a test wants an older or newer one).
struct Stamp {
  int64_t time_ns = 0;
  uint16_t version = 0;  // 0: schema::CURRENT_EVENT_VERSION
};

struct OpenSpec {
  uint64_t transfer_id = 1;
  uint64_t sender = 100;
  std::vector<uint64_t> receivers{200};
  std::string idempotency_key = "key";
  uint64_t total_size = 0;
  uint64_t mts = 0;
  uint32_t width = 64;
  uint32_t height = 48;
  std::vector<uint64_t> scan_ends;
  uint16_t node = 1;
};

std::string transfer_opened(const OpenSpec& spec, Stamp stamp);
std::string chunk_appended(uint64_t offset, uint32_t length, uint32_t crc32c, Stamp stamp);
std::string delivered(const std::string& file_id, uint64_t offset, Stamp stamp);
std::string receiver_notified(uint64_t receiver, Stamp stamp);
std::string completed(uint32_t file_crc32c, Stamp stamp);
std::string aborted(const std::string& reason, Stamp stamp);
std::string expired(Stamp stamp);
std::string notification_queued(const std::string& file_id, uint64_t transfer_id, uint64_t sender,
                                Stamp stamp);
std::string notification_acked(const std::string& file_id, Stamp stamp);

// The whole file as a well-formed transfer would log it: TransferOpened;
// ChunkAppended for each `chunk_bytes` piece (its CRC32C, bytes beside it);
// Delivered (file id actors::make_file_id) right after the chunk that takes
// the prefix to >= MTS, each ReceiverNotified after it; Completed with the
// file's CRC-32C. Event i is stamped start_ns + i * step_ns. One append per
// event. `spec.total_size` is set from `file`; empty scan ends become {TS},
// an MTS of 0 the first scan end.
storage::Status write_transfer(storage::EventLog& log, OpenSpec spec, const std::string& file,
                               uint64_t chunk_bytes, int64_t start_ns, int64_t step_ns);

// Appends one event (and the chunks beside it) at the stream's next seq.
storage::Status append_event(storage::EventLog& log, storage::StreamId stream, std::string event,
                             std::vector<storage::ChunkPut> chunks = {});

// The file id write_transfer uses (the actors' make_file_id).
std::string file_id_for(uint16_t node, uint64_t transfer_id);

}  // namespace glimpse::sim::synth
