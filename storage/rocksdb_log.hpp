#pragma once
// The RocksDB EventLog: the node's durable log. Layout and guarantees are in
// storage/FORMAT.md. Callers include only this header; RocksDB's own headers
// stay inside storage/.
//
// Appends are group-committed: append() queues the request and returns; one
// writer thread takes everything queued, checks each request's expected_seq,
// writes all accepted requests as ONE WriteBatch (one WAL sync under
// Durability::sync), then runs their callbacks on the writer thread. A write
// error fails every request of that group; nothing is acknowledged that was
// not persisted. The next group after a write error first calls
// DB::Resume(): once the cause is gone (disk space freed) the log writes
// again without a restart; while it persists, every group fails with it.
//
// All methods are thread-safe. Reads see every batch whose callback has run.
// delete_stream() and drain() wait for the writer thread: never call them
// from an append callback (that thread).
//
// Memory: the next seq of every stream used since open is cached (one small
// map entry per stream; a deleted stream's entry is dropped).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "storage/event_log.hpp"

namespace rocksdb {
class Env;
}

namespace glimpse::storage {

struct RocksDbOptions {
  std::string path;  // data directory
  Durability durability = Durability::sync;
  bool create_if_missing = true;
  // A group stops taking queued requests once it holds this many payload
  // bytes (events + chunks); the rest go into the next group.
  uint64_t max_group_bytes = 32ull << 20;
  // Chunk bytes go to value log segments (<path>/values) of about this size.
  uint64_t value_segment_bytes = 256ull << 20;
  int max_background_jobs = 2;
  // Opening is refused (no_space) with less free space than this on the data
  // directory's disk, and so is every append that would leave less: RocksDB
  // preallocates about 70 MiB for a new write-ahead log, and Debian's build
  // aborts the process on that failed write (an assertion) instead of
  // returning the error. Deletions always pass: they are how space comes back.
  uint64_t min_free_bytes = 96ull << 20;
  // Tests only: reports the free bytes instead of statvfs() on the data
  // directory's disk (nullopt: unknown, which never refuses). Called on the
  // writer thread, once per group that holds an append.
  std::function<std::optional<uint64_t>()> free_space_probe;
  // Flushes and compactions write with O_DIRECT. Used only if the data
  // directory accepts O_DIRECT (not tmpfs) and `env` is nullptr.
  bool direct_io_for_flush = true;
  // Called once, on the writer thread, when writes stopped after an error
  // RocksDB cannot resume from in this process (a failed WAL sync; a second
  // failure right after a resume): every later append fails with `why`, and
  // only a restart, which recovers from the log, brings writes back. glimpsed
  // exits so that its supervisor restarts it. Must not call into the log.
  std::function<void(const Status& why)> on_unrecoverable;
  // Tests only: an Env whose file system injects faults. Not owned; must
  // outlive the log. nullptr: the default Env.
  rocksdb::Env* env = nullptr;
};

// Counters since open, for tests and benchmarks.
struct RocksDbStats {
  uint64_t appends = 0;         // append() calls queued
  uint64_t deletes = 0;         // delete_stream() calls queued
  uint64_t appends_ok = 0;      // appends reported ok (counted before their callbacks run)
  uint64_t write_groups = 0;    // WriteBatches written (one per group with work)
  uint64_t syncs = 0;           // of those, written with sync = true
  uint64_t write_errors = 0;    // WriteBatches RocksDB refused
  uint64_t space_refusals = 0;  // appends refused because too little disk space would be left
  uint64_t resumes = 0;         // DB::Resume() calls that brought writes back after an error
  uint64_t largest_group = 0;   // most requests in one group
};

class RocksDbLog : public EventLog {
 public:
  virtual RocksDbStats stats() const = 0;
  // Blocks until everything queued before the call has been written (or
  // failed) and its callback has run. Not for the writer thread (callbacks).
  virtual void drain() = 0;
};

// Opens (creating if allowed) the log at `options.path`. On error `*out` is
// untouched and the Status says what failed and where. The log's destructor
// finishes every queued append (running its callback) before closing.
Status open_rocksdb_log(const RocksDbOptions& options, std::unique_ptr<RocksDbLog>* out);
Status open_rocksdb_log(const RocksDbOptions& options, std::unique_ptr<EventLog>* out);

}  // namespace glimpse::storage
