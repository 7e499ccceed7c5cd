#pragma once
// Internal to storage/: the value log that holds chunk bytes for the RocksDB
// log (FORMAT.md, "Value log"). Chunk bytes are written once, with O_DIRECT,
// into append-only segment files; RocksDB keeps only a 16-byte reference per
// chunk, written in the same WriteBatch as the chunk's event. This keeps the
// bulk bytes out of RocksDB's WAL, memtable and blob files: no page-cache
// copy, no software CRC over them, no second write at flush.
//
// Threads: add(), write(), discard() and remove_segment() belong to one thread
// (the log's writer). read() may run on any thread, concurrently with them.
// Ownership: the ValueLog owns its segment file descriptors.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/status.hpp"

namespace glimpse::storage {

// Where a chunk's record starts and how many payload bytes it holds.
struct ValueRef {
  uint32_t segment = 0;
  uint64_t offset = 0;  // of the record's header in the segment file
  uint32_t length = 0;  // payload bytes

  static constexpr size_t kEncodedSize = 16;  // segment(4) | offset(8) | length(4), BE
  std::string encode() const;
  // False if `bytes` is not an encoded ValueRef.
  static bool decode(std::string_view bytes, ValueRef* out);
};

struct ValueLogOptions {
  std::string dir;    // created if missing
  bool sync = true;   // O_DSYNC writes (and a directory fsync per new segment)
  // A new segment starts with the first write after the current one reached
  // this size; a segment may exceed it by one write.
  uint64_t segment_bytes = 256ull << 20;
};

class ValueLog {
 public:
  // Opens `options.dir`, creating it if needed. New writes go to a segment
  // numbered past every existing one; existing segments are only read.
  static Status open(const ValueLogOptions& options, std::unique_ptr<ValueLog>* out);
  ~ValueLog();
  ValueLog(const ValueLog&) = delete;
  ValueLog& operator=(const ValueLog&) = delete;

  // Stages a record of `bytes` (chunk `offset` of `transfer_id`) for the next
  // write() and returns the reference it will have once written.
  // `bytes_crc32c`, if given, must be util::crc32c(bytes) (see ChunkPut).
  ValueRef add(uint64_t transfer_id, uint64_t offset, std::string_view bytes,
               std::optional<uint32_t> bytes_crc32c = std::nullopt);
  bool has_staged() const { return staged_ > 0; }
  // Writes every staged record with one positioned write (durable on return
  // under `sync`). On error nothing staged is referenced yet and the staged
  // records are dropped; the next write reuses their place.
  Status write();
  // Drops the staged records.
  void discard();
  // Makes every write() so far durable (a no-op cost under `sync`, whose
  // writes already are). Writer thread only.
  Status sync();

  // The payload of `ref`, checked against the record's header (transfer,
  // offset, length, CRC32C): corruption if they disagree, not_found if the
  // segment is gone. `*out` is empty after any error.
  Status read(const ValueRef& ref, uint64_t transfer_id, uint64_t offset, std::string* out) const;

  // Segment files present when the log was opened, in number order.
  const std::vector<uint32_t>& initial_segments() const { return initial_segments_; }
  // The segment that staged records go to (not on disk until its first write).
  uint32_t active_segment() const { return active_; }
  // Deletes segment `segment`'s file; nothing may reference it any more.
  Status remove_segment(uint32_t segment);

  std::string segment_path(uint32_t segment) const;

 private:
  explicit ValueLog(ValueLogOptions options);
  Status open_active();
  // A read descriptor of `segment`, opened on first use; nullptr if missing.
  std::shared_ptr<int> reader(uint32_t segment, Status* error) const;

  const ValueLogOptions options_;
  bool direct_ = true;  // O_DIRECT works in `dir`
  std::vector<uint32_t> initial_segments_;

  // Writer thread only.
  uint32_t active_ = 1;
  int active_fd_ = -1;
  uint64_t active_pos_ = 0;  // aligned end of the data written to `active_`
  char* buffer_ = nullptr;   // 4 KiB-aligned staging area
  size_t capacity_ = 0;
  size_t staged_ = 0;

  mutable std::mutex readers_mu_;
  mutable std::map<uint32_t, std::shared_ptr<int>> readers_;  // fd, closed when released
};

}  // namespace glimpse::storage
