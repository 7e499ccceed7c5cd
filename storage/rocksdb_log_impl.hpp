#pragma once
// Internal to storage/: the RocksDB EventLog's class. Reads are in
// rocksdb_log.cpp, the group-commit writer in rocksdb_writer.cpp.
#include <rocksdb/db.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "storage/rocksdb_log.hpp"
#include "storage/value_log.hpp"

namespace glimpse::storage {

// Bytes free for this process on the disk that holds (or will hold)
// options.path; nullopt when that cannot be told.
std::optional<uint64_t> free_space(const RocksDbOptions& options);

// A RocksDB status as ours; `what` names the operation, the path is appended.
Status from_rocksdb(const rocksdb::Status& s, const std::string& what, const std::string& path);

// References per value segment: counts the `chunk_refs` column family.
Status count_segment_refs(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* chunk_refs,
                          const std::string& path, std::map<uint32_t, uint64_t>* out);

class RocksDbLogImpl final : public RocksDbLog {
 public:
  // Takes ownership of `db`, `handles` (events, chunks, index, meta, owners,
  // chunk_refs, default) and `values`; `segment_refs` counts the references
  // into each of `values`' segments.
  RocksDbLogImpl(const RocksDbOptions& options, rocksdb::DB* db,
                 std::vector<rocksdb::ColumnFamilyHandle*> handles,
                 std::unique_ptr<ValueLog> values, std::map<uint32_t, uint64_t> segment_refs);
  ~RocksDbLogImpl() override;

  void append(AppendRequest request, AppendCallback done) override;
  Status replay(StreamId stream, uint64_t from_seq,
                const std::function<bool(uint64_t seq, std::string_view event)>& fn) override;
  Status next_seq(StreamId stream, uint64_t* next) override;
  Status read_chunks(uint64_t transfer_id, uint64_t offset, uint64_t length,
                     std::string* out) override;
  Status get_index(std::string_view key, std::string* value) override;
  Status scan_index(
      std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>& fn) override;
  Status list_streams(StreamKind kind,
                      const std::function<bool(StreamId, uint64_t next_seq)>& fn) override;
  Status scan_all(const std::function<bool(const StoredEvent&)>& fn) override;
  Status delete_stream(StreamId stream, uint64_t expected_next_seq) override;

  RocksDbStats stats() const override;
  void drain() override;

 private:
  // One queued request: an append, or a stream deletion (delete_stream goes
  // through the queue so it is ordered with the appends around it; its
  // expected next seq travels in request.expected_seq).
  struct Pending {
    bool is_delete = false;
    AppendRequest request;
    AppendCallback done;
    Status precheck;  // a refusal found before queueing
    uint64_t bytes = 0;
  };

  void enqueue(Pending p);
  void writer_loop();
  // Checks, batches and writes one group; returns each request's result.
  std::vector<Status> write_group(std::vector<Pending>& group);
  // The stream's durable next seq: from the cache or a reverse seek.
  // Caller holds seq_mu_.
  Status cached_next_seq(StreamId stream, uint64_t* next);
  // Index keys whose owner records name `stream` (FORMAT.md, `owners`).
  Status owned_index_keys(StreamId stream, std::vector<std::string>* keys);
  // After a failed write, RocksDB refuses writes until DB::Resume() succeeds.
  // Writer thread only. ok when no resume was needed or it worked.
  Status resume_if_needed();
  // Passes `why` to options_.on_unrecoverable the first time; returns it.
  Status unrecoverable(Status why);
  Status seek_next_seq(StreamId stream, uint64_t* next);
  // The value segments a transfer's stored chunks reference, one per chunk.
  Status chunk_segments(uint64_t transfer_id, std::vector<uint32_t>* segments);
  // After a group is written: applies its reference deltas and deletes
  // segments nothing references any more (never the active one).
  void settle_segments(const std::map<uint32_t, int64_t>& deltas);
  // The refusal of an append that would leave too little free space.
  Status no_space_left(uint64_t free_bytes) const;
  Status error(const rocksdb::Status& s, const std::string& what) const {
    return from_rocksdb(s, what, options_.path);
  }

  const RocksDbOptions options_;
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* events_;
  rocksdb::ColumnFamilyHandle*
      chunk_refs_;  // chunk key -> ValueRef (format 2's `chunks` is only read at open)
  rocksdb::ColumnFamilyHandle* index_;
  rocksdb::ColumnFamilyHandle* meta_;
  rocksdb::ColumnFamilyHandle* owners_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // all, for closing
  std::unique_ptr<ValueLog> values_;

  mutable std::mutex mu_;  // guards the queue, stopping_, groups_done_, stats_
  std::condition_variable queue_cv_;
  std::condition_variable done_cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  uint64_t queued_total_ = 0;  // requests ever queued
  uint64_t done_total_ = 0;    // requests whose callback has run
  RocksDbStats stats_;

  // The durable next seq of streams seen since open. Written only by the
  // writer thread, after the batch is written; read by next_seq().
  std::mutex seq_mu_;
  std::map<StreamId, uint64_t> next_seq_;

  // Writer thread only: the last write failed, so the next group first asks
  // RocksDB to resume; `write_error_` is that failure, for messages.
  bool resume_needed_ = false;
  std::string write_error_;
  bool unrecoverable_reported_ = false;
  // Writer thread only (after construction): references into each segment.
  std::map<uint32_t, uint64_t> segment_refs_;
  uint32_t last_active_segment_ = 0;

  std::thread writer_;  // last: starts after everything above exists
};

}  // namespace glimpse::storage
