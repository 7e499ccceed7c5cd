#include "sim/source.hpp"

#include <sys/stat.h>

#include "sim/log_file.hpp"
#include "storage/rocksdb_log.hpp"

namespace glimpse::sim {

bool open_source(const std::string& data_dir, const std::string& log_file, Source* out,
                 std::string* error) {
  if (data_dir.empty() == log_file.empty()) {
    *error =
        "give exactly one of --data DIR (a node's data directory) or --log FILE (from "
        "`glimpse-sim export`)";
    return false;
  }
  if (!log_file.empty()) {
    LogFileHeader h;
    Source s;
    if (!load_log_file(log_file, &s.log, &h, error)) return false;
    s.description = "log file " + log_file + (h.source.empty() ? "" : " (from " + h.source + ")");
    s.file_transfer_id = h.transfer_id;
    *out = std::move(s);
    return true;
  }
  struct stat st;
  if (::stat(data_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    *error = "data directory " + data_dir + " does not exist (give the node's --data directory)";
    return false;
  }
  // glimpsed keeps its RocksDB log in DATA/events; the log directory itself
  // is accepted too.
  std::string db = data_dir;
  if (::stat((db + "/CURRENT").c_str(), &st) != 0) db = data_dir + "/events";
  if (::stat((db + "/CURRENT").c_str(), &st) != 0) {
    *error = data_dir + " is not a Glimpse data directory (no RocksDB log in it or in " + data_dir +
             "/events)";
    return false;
  }
  storage::RocksDbOptions options;
  options.path = db;
  options.create_if_missing = false;
  std::unique_ptr<storage::EventLog> log;
  storage::Status s = storage::open_rocksdb_log(options, &log);
  if (!s.ok()) {
    *error = "cannot open data directory " + data_dir + ": " + s.to_string() +
             (s.message().find("lock") != std::string::npos
                  ? " (is glimpsed running on it? stop the node first)"
                  : "");
    return false;
  }
  out->log = std::move(log);
  out->description = "data dir " + data_dir;
  out->file_transfer_id = 0;
  return true;
}

}  // namespace glimpse::sim
