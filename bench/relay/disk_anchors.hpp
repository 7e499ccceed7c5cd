#pragma once
// bench_relay's disk anchors: the bytes of a round (`order`: 64 KiB chunks as
// they would arrive) written with nothing of the relay in the way. Each
// prints its line and returns MB/s.
#include <string>
#include <string_view>
#include <vector>

#include "bench/common/raw_rocksdb.hpp"

namespace glimpse::bench {

// Raw RocksDB (the log's former home for chunk bytes), C chunks per synced
// WriteBatch.
double rocksdb_round(RawDb& raw, int c, const std::vector<std::string_view>& order);

// Appended to one file in `dir` with O_DIRECT|O_DSYNC, C chunks per write
// (4 KiB-aligned, as the value log writes): what this disk takes durably with
// nothing else in the way.
double file_round(const std::string& dir, int c, const std::vector<std::string_view>& order);

}  // namespace glimpse::bench
