#pragma once
// A transfer's log folded into what a person debugging it wants to see: one
// row per event (relative time, event, contiguous prefix, % of TS, scans the
// prefix completes), and a one-line summary per transfer for `list`. Folding
// uses the actors' own codec and apply; nothing here judges the log (that is
// check's job), so a broken log still shows its timeline.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/transfer.hpp"
#include "storage/event_log.hpp"

namespace glimpse::sim {

struct TimelineRow {
  uint64_t seq = 0;
  int64_t time_ns = 0;
  double rel_ms = 0;  // since TransferOpened (or the first event)
  actors::Event event;
  uint64_t prefix = 0;          // contiguous prefix after the event
  int scans = 0;                // complete scans within the prefix
  bool scan_completed = false;  // this event completed at least one more scan
};

struct Timeline {
  uint64_t transfer_id = 0;
  actors::TransferOpened header;  // empty if the stream never opened
  std::vector<TimelineRow> rows;
  actors::TransferState state;  // after the last event
};

// False with *error when the transfer has no events or an event cannot be
// read (the message names its seq; rows before it are kept in *out).
bool load_timeline(storage::EventLog& log, uint64_t transfer_id, Timeline* out, std::string* error);

// "    +12.500 ms  ChunkAppended     offset=1024 length=1024 crc32c=...   prefix=2048  51.2%  scan
// 2/9"
std::string format_row(const Timeline& t, const TimelineRow& row);

struct TransferSummary {
  uint64_t transfer_id = 0;
  uint64_t sender = 0;
  std::vector<uint64_t> receivers;
  std::string phase;  // open, completed, aborted, expired
  uint64_t total_size = 0;
  uint64_t mts = 0;
  uint64_t prefix = 0;
  int64_t opened_ns = 0;
  std::optional<double> delivered_ms;  // since opened
  std::optional<double> completed_ms;
  uint64_t events = 0;
};

TransferSummary summarize(const Timeline& t);

// One header line and one line per summary, aligned.
std::string format_summaries(const std::vector<TransferSummary>& rows);

// "2026-11-21T11:00:00Z" or Unix seconds -> Unix ns; false if neither.
bool parse_time(const std::string& text, int64_t* unix_ns);

}  // namespace glimpse::sim
