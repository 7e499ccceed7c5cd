#pragma once
// The event log: the only durable truth of a Glimpse node. Each entity
// (transfer, inbox) owns one stream of events numbered 0, 1, 2, ...; a
// transfer's chunk bytes are stored beside its events, in the same atomic batch.
//
// Events are opaque bytes here: each is one serialized schema::Event message
// (schema/events.capnp, unpacked flat array). The log reads only the fields
// it needs to order and check them (version, timeNs).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/status.hpp"
#include "util/shared_bytes.hpp"

namespace glimpse::storage {

enum class StreamKind : uint8_t { transfer = 1, inbox = 2 };

struct StreamId {
  StreamKind kind = StreamKind::transfer;
  uint64_t id = 0;  // transfer id, or user id for an inbox

  friend bool operator==(const StreamId& a, const StreamId& b) {
    return a.kind == b.kind && a.id == b.id;
  }
  friend bool operator!=(const StreamId& a, const StreamId& b) { return !(a == b); }
  friend bool operator<(const StreamId& a, const StreamId& b) {
    return a.kind != b.kind ? a.kind < b.kind : a.id < b.id;
  }
};

// Bytes [offset, offset + bytes.size()) of the batch's transfer stream.
// `crc32c`, when given, is util::crc32c(bytes) as the caller already has it
// (a ChunkAppended event carries it); the log trusts it for the stored
// record's checksum instead of reading the bytes once more. A wrong value
// makes the stored chunk read back as corrupt.
struct ChunkPut {
  ChunkPut() = default;
  ChunkPut(uint64_t offset, util::SharedBytes bytes, std::optional<uint32_t> crc32c = std::nullopt)
      : offset(offset), bytes(std::move(bytes)), crc32c(crc32c) {}

  uint64_t offset = 0;
  util::SharedBytes bytes;
  std::optional<uint32_t> crc32c;
};

// A secondary-index entry, written atomically with the batch (e.g. receiver ->
// transfer, (sender, idempotency key) -> transfer). Keys are opaque bytes. The
// entry belongs to the batch's stream: delete_stream() of that stream removes it.
struct IndexPut {
  std::string key;
  std::string value;
};

struct AppendRequest {
  StreamId stream;
  // Sequence number the first event gets; must equal the stream's next one,
  // counting batches already queued before this one (optimistic concurrency).
  uint64_t expected_seq = 0;
  std::vector<std::string> events;  // serialized schema::Event, at least one
  std::vector<ChunkPut> chunks;     // only for transfer streams
  std::vector<IndexPut> index;
};

enum class Durability {
  sync,      // acknowledged only after the WAL is synced (default)
  buffered,  // acknowledged after the WAL write, before its sync
  none,      // no WAL at all; benchmarks only
};

struct StoredEvent {
  StreamId stream;
  uint64_t seq = 0;
  int64_t time_ns = 0;
  std::string bytes;  // serialized schema::Event
};

class EventLog {
 public:
  using AppendCallback = std::function<void(Status)>;

  virtual ~EventLog() = default;

  // Queues `request`. `done` runs exactly once: with ok after the whole batch
  // is durable under the log's durability mode, or with an error. After
  // conflict, invalid or newer_version nothing was written. After io_error,
  // no_space, corruption or closed nothing is acknowledged but the outcome is
  // unknown: the batch may be in the log (now or after a restart), as when a
  // WAL write lands and its fsync fails; the caller stops and recovers from
  // the log, never retries blindly. Batches of one stream become durable in
  // the order they were queued. `done` may run on the calling thread (memory
  // log) or on the log's writer thread (RocksDB); it must not block and must
  // not call append() recursively.
  virtual void append(AppendRequest request, AppendCallback done) = 0;

  // append(), waiting for the result. Not for actor threads.
  Status append_and_wait(AppendRequest request);

  // Calls `fn` for each event of `stream` with seq >= from_seq, in order, until
  // `fn` returns false. A stream with no events is not an error.
  virtual Status replay(StreamId stream, uint64_t from_seq,
                        const std::function<bool(uint64_t seq, std::string_view event)>& fn) = 0;

  // The stream's next sequence number (0 for an empty stream).
  virtual Status next_seq(StreamId stream, uint64_t* next) = 0;

  // Bytes [offset, offset + length) of transfer `transfer_id`, assembled from
  // stored chunks. not_found if any byte in the range was never stored.
  virtual Status read_chunks(uint64_t transfer_id, uint64_t offset, uint64_t length,
                             std::string* out) = 0;

  virtual Status get_index(std::string_view key, std::string* value) = 0;
  // Entries whose key starts with `prefix`, in key order, until `fn` returns false.
  virtual Status scan_index(
      std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>& fn) = 0;

  // Every stream of `kind` with at least one event, in id order.
  virtual Status list_streams(StreamKind kind,
                              const std::function<bool(StreamId, uint64_t next_seq)>& fn) = 0;

  // All events of all streams in (time_ns, stream, seq) order, for the simulator.
  virtual Status scan_all(const std::function<bool(const StoredEvent&)>& fn) = 0;

  // Removes `stream` if its next sequence number is still `expected_next_seq`
  // (else conflict, and nothing is removed): its events, its chunks (a
  // transfer's) and every index entry an append to it wrote. The stream then
  // starts again from seq 0. Deleting a stream with no events (expected 0) is
  // not an error. When to delete is storage/retention.hpp's policy. Blocks
  // until the deletion is durable under the log's durability mode.
  virtual Status delete_stream(StreamId stream, uint64_t expected_next_seq) = 0;
};

// Forwards every call to `target`, which it does not own and which must
// outlive it. Derive and override only what a decorator changes (as LevelDB's
// EnvWrapper does).
class EventLogWrapper : public EventLog {
 public:
  explicit EventLogWrapper(EventLog* target) : target_(target) {}
  EventLog* target() const { return target_; }

  void append(AppendRequest request, AppendCallback done) override {
    target_->append(std::move(request), std::move(done));
  }
  Status replay(StreamId stream, uint64_t from_seq,
                const std::function<bool(uint64_t seq, std::string_view event)>& fn) override {
    return target_->replay(stream, from_seq, fn);
  }
  Status next_seq(StreamId stream, uint64_t* next) override {
    return target_->next_seq(stream, next);
  }
  Status read_chunks(uint64_t transfer_id, uint64_t offset, uint64_t length,
                     std::string* out) override {
    return target_->read_chunks(transfer_id, offset, length, out);
  }
  Status get_index(std::string_view key, std::string* value) override {
    return target_->get_index(key, value);
  }
  Status scan_index(
      std::string_view prefix,
      const std::function<bool(std::string_view key, std::string_view value)>& fn) override {
    return target_->scan_index(prefix, fn);
  }
  Status list_streams(StreamKind kind,
                      const std::function<bool(StreamId, uint64_t next_seq)>& fn) override {
    return target_->list_streams(kind, fn);
  }
  Status scan_all(const std::function<bool(const StoredEvent&)>& fn) override {
    return target_->scan_all(fn);
  }
  Status delete_stream(StreamId stream, uint64_t expected_next_seq) override {
    return target_->delete_stream(stream, expected_next_seq);
  }

 private:
  EventLog* target_;
};

// An in-memory log with the same contract, for unit tests and the simulator.
// append() completes on the calling thread, before returning.
std::unique_ptr<EventLog> new_memory_log();

}  // namespace glimpse::storage
