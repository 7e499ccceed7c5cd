#pragma once
// The portable log file (sim/log_file.capnp): export streams of an EventLog to
// one file, read it back, or load it into an in-memory EventLog so every
// command works the same on `--data DIR` and `--log FILE`.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "storage/event_log.hpp"

namespace glimpse::sim {

struct LogFileHeader {
  uint16_t format_version = 0;
  std::string source;
  uint64_t transfer_id = 0;  // 0: several streams
  uint16_t event_schema_version = 0;
  int64_t exported_at_ns = 0;
};

struct LogRecord {
  storage::StreamId stream;
  uint64_t seq = 0;
  int64_t time_ns = 0;
  std::string event;                      // serialized schema::Event
  std::vector<storage::ChunkPut> chunks;  // bytes beside a ChunkAppended event
};

// Writes `header` and `records` to `path` through a temporary file and a
// rename: a failure leaves no partial file. False with *error on failure.
bool write_log_file(const std::string& path, const LogFileHeader& header,
                    const std::vector<LogRecord>& records, std::string* error);

// Reads the whole stream of `streams` from `log` (events and, for each
// ChunkAppended, its bytes) and writes them as one file, record by record as
// they are read (memory holds one event and its chunk). The header's format
// and schema versions are filled in here. On failure (an unreadable event or
// chunk, named in *error) no file is left behind.
bool export_log(storage::EventLog& log, const std::vector<storage::StreamId>& streams,
                LogFileHeader header, const std::string& path, std::string* error);

// Calls `fn` for each record in file order, after filling *header. Stops early
// when `fn` returns false. False with *error when the file is missing, not a
// log file, of a newer format, or damaged (the error names the record).
bool read_log_file(const std::string& path, LogFileHeader* header,
                   const std::function<bool(LogRecord&)>& fn, std::string* error);

// Loads a file into a fresh in-memory EventLog. Errors as read_log_file, and
// when the log refuses a record (e.g. an event of a newer schema version);
// the message names the record's stream and seq.
bool load_log_file(const std::string& path, std::unique_ptr<storage::EventLog>* out,
                   LogFileHeader* header, std::string* error);

}  // namespace glimpse::sim
