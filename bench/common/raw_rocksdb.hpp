#pragma once
// The storage anchor of the benchmarks: raw RocksDB opened with the event
// log's options (storage/rocksdb_log.cpp: an events column family and a
// BlobDB chunks column family, no compression), written without any of our
// code. What it reaches with `sync` writes is what this machine's disk allows
// through a synced WAL; our figures are printed as a ratio to it.
#include <rocksdb/db.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace glimpse::bench {

struct RawResult {
  uint64_t chunks = 0;
  uint64_t bytes = 0;
  double seconds = 0;
  std::vector<double> latencies_us;  // one per chunk: its batch's Write() time

  double mb_per_s() const { return seconds > 0 ? bytes / seconds / 1e6 : 0; }
  double chunks_per_s() const { return seconds > 0 ? chunks / seconds : 0; }
};

// Owns an open RocksDB in `dir` (created). Exits the process on an open error:
// a benchmark without its anchor has nothing to print.
class RawDb {
 public:
  explicit RawDb(const std::string& dir);
  ~RawDb();
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  // Writes each of `payloads` as one chunk (a ~96-byte event Put plus the
  // payload Put), `group` chunks per WriteBatch, each batch one Write() with
  // WAL sync when `sync`.
  RawResult write(const std::vector<std::string_view>& payloads, size_t group, bool sync = true);

  // Writes `payload` as every chunk, in batches of `group`, for `seconds`.
  RawResult write_for(std::string_view payload, size_t group, double seconds, bool sync = true);

 private:
  rocksdb::DB* db_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs_;  // default, events, chunks
  uint64_t seq_ = 0;
};

}  // namespace glimpse::bench
