// The RocksDB EventLog: opening, closing, error mapping and the read paths.
// The group-commit writer is in rocksdb_writer.cpp.
#include "storage/rocksdb_log.hpp"

#include <rocksdb/convenience.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <tuple>

#include "storage/chunk_reader.hpp"
#include "storage/event_codec.hpp"
#include "storage/rocksdb_keys.hpp"
#include "storage/rocksdb_log_impl.hpp"

namespace glimpse::storage {
namespace {

constexpr const char* kEventsCf = "events";
constexpr const char* kChunksCf = "chunks";
constexpr const char* kIndexCf = "index";
constexpr const char* kMetaCf = "meta";
constexpr const char* kOwnersCf = "owners";
constexpr const char* kChunkRefsCf = "chunk_refs";

rocksdb::CompressionType small_value_compression() {
  auto supported = rocksdb::GetSupportedCompressions();
  for (auto c : {rocksdb::kLZ4Compression, rocksdb::kSnappyCompression}) {
    if (std::find(supported.begin(), supported.end(), c) != supported.end()) return c;
  }
  return rocksdb::kNoCompression;
}

rocksdb::ColumnFamilyOptions small_value_options() {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.compression = small_value_compression();
  return cf;
}

// Format 2's chunk bytes (moved into the value log on open).
rocksdb::ColumnFamilyOptions chunk_options() {
  rocksdb::ColumnFamilyOptions cf;
  cf.compression = rocksdb::kNoCompression;  // JPEG bytes do not compress
  cf.enable_blob_files = true;
  cf.min_blob_size = 4096;
  cf.blob_file_size = 256ull << 20;
  cf.blob_compression_type = rocksdb::kNoCompression;
  cf.enable_blob_garbage_collection = true;
  return cf;
}

// Keeps RocksDB from recovering from a background error (e.g. NoSpace) on a
// thread of its own: the log's writer calls DB::Resume() before its next
// write, so recovery happens at one known point, in order with the appends.
class ResumeOnNextWrite final : public rocksdb::EventListener {
 public:
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status,
                            bool* auto_recovery) override {
    *auto_recovery = false;
  }
};

// Whether files in `dir` can be opened with O_DIRECT (tmpfs, for one, refuses).
bool accepts_direct_io(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return false;
  const std::string probe = dir + "/.direct_io_probe";
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_DIRECT, 0600);
  if (fd < 0) return false;
  ::close(fd);
  ::unlink(probe.c_str());
  return true;
}

const rocksdb::Slice kFormatVersionSlice(keys::kFormatVersionKey.data(),
                                         keys::kFormatVersionKey.size());

// Reads the format version into `*found`; a new directory gets the current one.
Status read_format_version(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta,
                           const std::string& path, int* found) {
  std::string value;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), meta, kFormatVersionSlice, &value);
  if (s.IsNotFound()) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = db->Put(wo, meta, kFormatVersionSlice, std::to_string(keys::kFormatVersion));
    *found = keys::kFormatVersion;
    return s.ok() ? Status() : from_rocksdb(s, "writing the format version", path);
  }
  if (!s.ok()) return from_rocksdb(s, "reading the format version", path);
  int version = 0;
  try {
    version = std::stoi(value);
  } catch (...) {
    return Status(Code::corruption, "format version '" + value + "' in " + path +
                                        " is not a number; the data directory is damaged");
  }
  if (version > keys::kFormatVersion) {
    return Status(Code::newer_version, path + " was written in storage format " +
                                           std::to_string(version) + "; this build reads up to " +
                                           std::to_string(keys::kFormatVersion) +
                                           ". Run a newer glimpsed on it");
  }
  if (version < 1) {
    return Status(Code::corruption, "format version " + value + " in " + path + " is invalid");
  }
  *found = version;
  return Status();
}

// Formats 1 and 2 kept chunk bytes in `chunks`. Moves them into the value log
// a group at a time: the value log write first, then (synced) the batch that
// swaps each chunk's bytes for its reference. An interrupted move is
// resumed by the next open, which finds the format still below 3.
Status move_chunks_to_value_log(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* chunks,
                                rocksdb::ColumnFamilyHandle* refs, ValueLog& values,
                                const std::string& path) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), chunks));
  it->SeekToFirst();
  bool moved = false;
  while (it->Valid()) {
    rocksdb::WriteBatch batch;
    for (uint64_t bytes = 0; it->Valid() && bytes < (32u << 20); it->Next()) {
      uint64_t transfer_id = 0, offset = 0;
      const std::string_view key(it->key().data(), it->key().size());
      if (!keys::decode_chunk_key(key, &transfer_id, &offset))
        return Status(Code::corruption,
                      "chunk key of " + std::to_string(key.size()) + " bytes in " + path);
      if (!it->value().empty()) {
        const ValueRef ref =
            values.add(transfer_id, offset, {it->value().data(), it->value().size()});
        batch.Put(refs, it->key(), ref.encode());
        bytes += it->value().size();
      }
      batch.Delete(chunks, it->key());
    }
    Status s = values.write();
    if (s.ok()) s = values.sync();  // durable before the batch deletes the old copy
    if (!s.ok()) return s;
    rocksdb::WriteOptions wo;
    wo.sync = true;
    rocksdb::Status rs = db->Write(wo, &batch);
    if (!rs.ok()) return from_rocksdb(rs, "moving chunks into the value log", path);
    moved = true;
  }
  if (!it->status().ok()) return from_rocksdb(it->status(), "reading format-2 chunks", path);
  if (moved) db->CompactRange(rocksdb::CompactRangeOptions(), chunks, nullptr, nullptr);
  return Status();
}

// Opens the value log in `path`/values, upgrades an older format, counts the
// references into each segment and deletes segments nothing references (left
// by a crash between a value write and its batch, or a deletion).
Status open_values(const RocksDbOptions& options, rocksdb::DB* db,
                   const std::vector<rocksdb::ColumnFamilyHandle*>& handles,
                   std::unique_ptr<ValueLog>* values, std::map<uint32_t, uint64_t>* refs) {
  int version = 0;
  Status s = read_format_version(db, handles[3], options.path, &version);
  if (!s.ok()) return s;
  ValueLogOptions vo;
  vo.dir = options.path + "/values";
  vo.sync = options.durability == Durability::sync;
  vo.segment_bytes = options.value_segment_bytes;
  s = ValueLog::open(vo, values);
  if (!s.ok()) return s;
  if (version < keys::kFormatVersion) {
    // 1 -> 2 added `owners`, 2 -> 3 `chunk_refs` (both created empty by the open).
    s = move_chunks_to_value_log(db, handles[1], handles[5], **values, options.path);
    if (!s.ok()) return s;
    rocksdb::WriteOptions wo;
    wo.sync = true;
    rocksdb::Status rs =
        db->Put(wo, handles[3], kFormatVersionSlice, std::to_string(keys::kFormatVersion));
    if (!rs.ok()) return from_rocksdb(rs, "upgrading the format version", options.path);
  }
  s = count_segment_refs(db, handles[5], options.path, refs);
  if (!s.ok()) return s;
  for (uint32_t segment : (*values)->initial_segments()) {
    if (refs->count(segment) == 0) (*values)->remove_segment(segment);
  }
  return Status();
}

// Cursor over one transfer's chunk references (see chunk_reader.hpp); a
// chunk's bytes are read from the value log when asked for.
class RocksDbChunkCursor {
 public:
  RocksDbChunkCursor(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* refs, const ValueLog& values,
                     uint64_t transfer_id, const std::string& path)
      : values_(values),
        transfer_id_(transfer_id),
        lower_(keys::chunk_key(transfer_id, 0)),
        upper_(keys::chunk_transfer_end(transfer_id)),
        path_(path) {
    rocksdb::ReadOptions ro;
    lower_slice_ = rocksdb::Slice(lower_);
    upper_slice_ = rocksdb::Slice(upper_);
    ro.iterate_lower_bound = &lower_slice_;
    ro.iterate_upper_bound = &upper_slice_;
    it_.reset(db->NewIterator(ro, refs));
  }
  void seek_for_prev(uint64_t off) { it_->SeekForPrev(keys::chunk_key(transfer_id_, off)); }
  bool valid() const { return it_->Valid() && decode(); }
  void next() { it_->Next(); }
  void prev() { it_->Prev(); }
  uint64_t offset() const { return offset_; }
  uint64_t size() const { return ref_.length; }
  // Empty if the read failed (status() says why).
  std::string_view bytes() const {
    if (loaded_ != offset_) {
      loaded_ = offset_;
      read_ = values_.read(ref_, transfer_id_, offset_, &bytes_);
      if (!read_.ok()) bytes_.clear();
    }
    return bytes_;
  }
  Status status() const {
    if (!bad_key_.empty()) return Status(Code::corruption, bad_key_);
    if (!read_.ok()) return read_;
    return it_->status().ok() ? Status() : from_rocksdb(it_->status(), "reading chunks", path_);
  }

 private:
  bool decode() const {
    const std::string_view key(it_->key().data(), it_->key().size());
    uint64_t tid = 0;
    if (!keys::decode_chunk_key(key, &tid, &offset_)) {
      bad_key_ = "chunk key of " + std::to_string(key.size()) + " bytes in " + path_;
      return false;
    }
    if (!ValueRef::decode(std::string_view(it_->value().data(), it_->value().size()), &ref_)) {
      bad_key_ = "chunk reference at offset " + std::to_string(offset_) + " of transfer " +
                 std::to_string(tid) + " in " + path_ + " does not decode";
      return false;
    }
    return true;
  }

  const ValueLog& values_;
  uint64_t transfer_id_;
  std::string lower_, upper_;
  rocksdb::Slice lower_slice_, upper_slice_;
  std::string path_;
  std::unique_ptr<rocksdb::Iterator> it_;
  mutable uint64_t offset_ = 0;
  mutable ValueRef ref_;
  mutable std::string bad_key_;
  mutable uint64_t loaded_ = ~uint64_t{0};  // offset whose bytes are in bytes_
  mutable std::string bytes_;
  mutable Status read_;
};

// no_space when the disk that holds (or will hold) `path` has less than
// `min_free` bytes free for this process; fine if that cannot be told.
Status check_free_space(const RocksDbOptions& options) {
  const std::optional<uint64_t> free_bytes = free_space(options);
  if (!free_bytes || *free_bytes >= options.min_free_bytes) return Status();
  return Status(Code::no_space,
                "only " + std::to_string(*free_bytes >> 20) + " MiB free on the disk of " +
                    options.path + "; opening the event log needs " +
                    std::to_string(options.min_free_bytes >> 20) +
                    " MiB (RocksDB preallocates its write-ahead log): free disk space");
}

}  // namespace

std::optional<uint64_t> free_space(const RocksDbOptions& options) {
  if (options.free_space_probe) return options.free_space_probe();
  // One statvfs() once the directory exists (the writer asks per group);
  // before the first open, the nearest existing ancestor's disk.
  std::filesystem::path dir = options.path;
  struct statvfs fs {};
  while (::statvfs(dir.c_str(), &fs) != 0) {
    if (errno != ENOENT) return std::nullopt;
    std::error_code ec;
    std::filesystem::path parent = std::filesystem::absolute(dir, ec).parent_path();
    if (ec || parent == dir) return std::nullopt;
    dir = std::move(parent);
  }
  return static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
}

Status from_rocksdb(const rocksdb::Status& s, const std::string& what, const std::string& path) {
  if (s.ok()) return Status();
  std::string message = what + " in " + path + ": " + s.ToString();
  if (s.IsNoSpace()) {
    return Status(Code::no_space, message + " (free disk space; the next write retries)");
  }
  if (s.IsCorruption()) return Status(Code::corruption, message);
  if (s.IsNotFound()) return Status(Code::not_found, message);
  if (s.IsShutdownInProgress()) return Status(Code::closed, message);
  if (s.IsInvalidArgument() || s.IsNotSupported()) return Status(Code::invalid, message);
  return Status(Code::io_error, message);
}

Status count_segment_refs(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* chunk_refs,
                          const std::string& path, std::map<uint32_t, uint64_t>* out) {
  out->clear();
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), chunk_refs));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ValueRef ref;
    if (!ValueRef::decode(std::string_view(it->value().data(), it->value().size()), &ref))
      return Status(Code::corruption, "a chunk reference in " + path + " does not decode");
    ++(*out)[ref.segment];
  }
  return from_rocksdb(it->status(), "counting chunk references", path);
}

Status open_rocksdb_log(const RocksDbOptions& options, std::unique_ptr<RocksDbLog>* out) {
  if (options.path.empty()) return Status(Code::invalid, "RocksDbOptions.path is empty");
  if (Status s = check_free_space(options); !s.ok()) return s;
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = options.max_background_jobs;
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  if (options.env != nullptr) db_options.env = options.env;
  db_options.listeners.push_back(std::make_shared<ResumeOnNextWrite>());
  db_options.use_direct_io_for_flush_and_compaction =
      options.direct_io_for_flush && options.env == nullptr &&
      (options.create_if_missing || std::filesystem::exists(options.path)) &&
      accepts_direct_io(options.path);

  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
      {kEventsCf, small_value_options()},
      {kChunksCf, chunk_options()},
      {kIndexCf, small_value_options()},
      {kMetaCf, rocksdb::ColumnFamilyOptions()},
      {kOwnersCf, small_value_options()},
      {kChunkRefsCf, small_value_options()},
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
  };
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options.path, cfs, &handles, &db);
  if (s.IsIOError() && s.ToString().find("/LOCK") != std::string::npos)
    return Status(Code::io_error, "the event log in " + options.path +
                                      " is in use by another process (is another glimpsed "
                                      "running on this data directory?): " +
                                      s.ToString());
  if (!s.ok()) return from_rocksdb(s, "opening the event log", options.path);
  std::unique_ptr<ValueLog> values;
  std::map<uint32_t, uint64_t> refs;
  Status st = open_values(options, db, handles, &values, &refs);
  if (!st.ok()) {
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    db->Close();
    delete db;
    return st;
  }
  *out = std::make_unique<RocksDbLogImpl>(options, db, std::move(handles), std::move(values),
                                          std::move(refs));
  return Status();
}

Status open_rocksdb_log(const RocksDbOptions& options, std::unique_ptr<EventLog>* out) {
  std::unique_ptr<RocksDbLog> log;
  Status s = open_rocksdb_log(options, &log);
  if (s.ok()) *out = std::move(log);
  return s;
}

RocksDbLogImpl::RocksDbLogImpl(const RocksDbOptions& options, rocksdb::DB* db,
                               std::vector<rocksdb::ColumnFamilyHandle*> handles,
                               std::unique_ptr<ValueLog> values,
                               std::map<uint32_t, uint64_t> segment_refs)
    : options_(options),
      db_(db),
      events_(handles[0]),
      chunk_refs_(handles[5]),
      index_(handles[2]),
      meta_(handles[3]),
      owners_(handles[4]),
      handles_(std::move(handles)),
      values_(std::move(values)),
      segment_refs_(std::move(segment_refs)),
      last_active_segment_(values_->active_segment()),
      writer_([this] { writer_loop(); }) {}

RocksDbLogImpl::~RocksDbLogImpl() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  writer_.join();
  // Under `buffered`, a clean close syncs what was acknowledged unsynced:
  // the chunk bytes first, then the WAL that references them. Not while a
  // write error stands: RocksDB refuses WAL use until it resumes.
  if (options_.durability == Durability::buffered && !resume_needed_ && values_->sync().ok())
    db_->SyncWAL();
  for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
  db_->Close();
  delete db_;
}

Status RocksDbLogImpl::replay(StreamId stream, uint64_t from_seq,
                              const std::function<bool(uint64_t, std::string_view)>& fn) {
  std::string upper = keys::event_stream_end(stream);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, events_));
  for (it->Seek(keys::event_key(stream, from_seq)); it->Valid(); it->Next()) {
    StreamId s;
    uint64_t seq = 0;
    std::string_view value(it->value().data(), it->value().size());
    if (!keys::decode_event_key(std::string_view(it->key().data(), it->key().size()), &s, &seq)) {
      return Status(Code::corruption, "event key of wrong size in " + options_.path);
    }
    EventHeader header;
    Status st = parse_event_header(value, Code::corruption, &header);
    if (!st.ok()) {
      return Status(st.code(), stream_name(stream) + " seq " + std::to_string(seq) + " in " +
                                   options_.path + ": " + st.message());
    }
    if (!fn(seq, value)) return Status();
  }
  return error(it->status(), "replaying " + stream_name(stream));
}

Status RocksDbLogImpl::seek_next_seq(StreamId stream, uint64_t* next) {
  std::string lower = keys::event_key(stream, 0);
  rocksdb::Slice lower_slice(lower);
  rocksdb::ReadOptions ro;
  ro.iterate_lower_bound = &lower_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, events_));
  it->SeekForPrev(keys::event_key(stream, ~uint64_t{0}));
  StreamId s;
  uint64_t seq = 0;
  if (it->Valid() &&
      keys::decode_event_key(std::string_view(it->key().data(), it->key().size()), &s, &seq) &&
      s == stream) {
    *next = seq + 1;
    return Status();
  }
  *next = 0;
  return error(it->status(), "finding the next seq of " + stream_name(stream));
}

Status RocksDbLogImpl::next_seq(StreamId stream, uint64_t* next) {
  std::lock_guard<std::mutex> lock(seq_mu_);
  return cached_next_seq(stream, next);
}

Status RocksDbLogImpl::cached_next_seq(StreamId stream, uint64_t* next) {
  auto it = next_seq_.find(stream);
  if (it != next_seq_.end()) {
    *next = it->second;
    return Status();
  }
  Status s = seek_next_seq(stream, next);
  if (s.ok()) next_seq_.emplace(stream, *next);
  return s;
}

Status RocksDbLogImpl::read_chunks(uint64_t transfer_id, uint64_t offset, uint64_t length,
                                   std::string* out) {
  return assemble_chunks(RocksDbChunkCursor(db_, chunk_refs_, *values_, transfer_id, options_.path),
                         transfer_id, offset, length, out);
}

Status RocksDbLogImpl::get_index(std::string_view key, std::string* value) {
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), index_, rocksdb::Slice(key.data(), key.size()), value);
  if (s.IsNotFound()) return Status(Code::not_found, "no index entry for that key");
  return error(s, "reading an index entry");
}

Status RocksDbLogImpl::scan_index(
    std::string_view prefix, const std::function<bool(std::string_view, std::string_view)>& fn) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), index_));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size()));
       it->Valid() && it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size()));
       it->Next()) {
    if (!fn(std::string_view(it->key().data(), it->key().size()),
            std::string_view(it->value().data(), it->value().size()))) {
      return Status();
    }
  }
  return error(it->status(), "scanning the index");
}

Status RocksDbLogImpl::list_streams(StreamKind kind,
                                    const std::function<bool(StreamId, uint64_t)>& fn) {
  std::string upper = keys::event_kind_end(kind);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, events_));
  it->Seek(keys::event_kind_begin(kind));
  while (it->Valid()) {
    StreamId stream;
    uint64_t seq = 0;
    if (!keys::decode_event_key(std::string_view(it->key().data(), it->key().size()), &stream,
                                &seq)) {
      return Status(Code::corruption, "event key of wrong size in " + options_.path);
    }
    it->SeekForPrev(keys::event_key(stream, ~uint64_t{0}));  // the stream's last event
    if (!it->Valid() || !keys::decode_event_key(
                            std::string_view(it->key().data(), it->key().size()), &stream, &seq)) {
      break;
    }
    if (!fn(stream, seq + 1)) return Status();
    if (stream.id == ~uint64_t{0}) break;
    it->Seek(keys::event_key({kind, stream.id + 1}, 0));
  }
  return error(it->status(), "listing streams");
}

Status RocksDbLogImpl::scan_all(const std::function<bool(const StoredEvent&)>& fn) {
  // Pass 1 sorts (time, stream, seq) of every event at one snapshot; pass 2
  // fetches the bytes in that order. Memory: 32 bytes per event.
  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  std::shared_ptr<const rocksdb::Snapshot> release(
      snapshot, [this](const rocksdb::Snapshot* s) { db_->ReleaseSnapshot(s); });
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  std::vector<std::tuple<int64_t, StreamId, uint64_t>> order;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, events_));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      StreamId stream;
      uint64_t seq = 0;
      if (!keys::decode_event_key(std::string_view(it->key().data(), it->key().size()), &stream,
                                  &seq)) {
        return Status(Code::corruption, "event key of wrong size in " + options_.path);
      }
      EventHeader header;
      Status st = parse_event_header(std::string_view(it->value().data(), it->value().size()),
                                     Code::corruption, &header);
      if (!st.ok()) {
        return Status(st.code(),
                      stream_name(stream) + " seq " + std::to_string(seq) + ": " + st.message());
      }
      order.emplace_back(header.time_ns, stream, seq);
    }
    if (!it->status().ok()) return error(it->status(), "scanning all events");
  }
  std::sort(order.begin(), order.end());
  StoredEvent event;
  for (const auto& [time_ns, stream, seq] : order) {
    rocksdb::Status s = db_->Get(ro, events_, keys::event_key(stream, seq), &event.bytes);
    if (!s.ok()) return error(s, "reading " + stream_name(stream) + " during scan_all");
    event.stream = stream;
    event.seq = seq;
    event.time_ns = time_ns;
    if (!fn(event)) break;
  }
  return Status();
}

}  // namespace glimpse::storage
