#pragma once
// Where a command's events come from: a node's RocksDB data directory
// (`--data DIR`) or an exported log file (`--log FILE`), opened as one
// storage::EventLog so every command treats both alike.
#include <memory>
#include <string>

#include "storage/event_log.hpp"

namespace glimpse::sim {

struct Source {
  std::unique_ptr<storage::EventLog> log;
  std::string description;        // "data dir /var/glimpse" or "log file bug.glog (from ...)"
  uint64_t file_transfer_id = 0;  // a log file's exported transfer, 0 if several or a data dir
};

// Exactly one of `data_dir` and `log_file` must be non-empty. A data
// directory must exist and hold a Glimpse log, directly or in DIR/events as
// glimpsed lays it out (it is never created here).
// False with *error saying what was wrong and what to do.
bool open_source(const std::string& data_dir, const std::string& log_file, Source* out,
                 std::string* error);

}  // namespace glimpse::sim
