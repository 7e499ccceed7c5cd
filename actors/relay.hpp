#pragma once
// Relay: the one face of actors/ for node/ (and benchmarks). It owns the CAF
// actors of one node — a manager that routes by transfer id, one actor per
// active transfer, one per active inbox — and hides CAF from every signature
// except the constructor's actor_system.
//
// Threads: every method may be called from any thread and never blocks, except
// recover(). Callbacks and listeners run on a CAF worker thread, never on the
// calling thread; a callback runs inside the actor that answers it (the
// transfer's, the inbox's, or the manager's for a refusal), which handles
// nothing else meanwhile. An inbox listener also hears of a new delivery on
// the event log's writer thread, the moment the delivering batch is durable.
// They must not block or throw (bridge to your own
// thread, e.g. kj::Executor) and may call back into the Relay. Each callback
// runs exactly once, also when the actor holding its call stops first (then
// with `unavailable`).
//
// Scheduling: no actor here waits for a response, so a call costs the same
// however many are in flight. Give the actor_system scheduler.policy=sharing
// (glimpsed does): CAF 0.17's work-stealing queue walks the victim's whole
// queue on every steal, so a burst that readies K transfer actors at once
// (e.g. 40,000 resumes) costs O(K^2) under the default policy.
//
// Durability: a reply that reports bytes, a file id or completion is sent only
// after the events saying so are durable in the EventLog. Replies of one
// transfer are delivered in the order its commands were received.
//
// Lifetimes: `system` and `log` must outlive the Relay. Destroying the Relay
// stops its actors; every callback still pending then runs, with its answer
// or with `unavailable` (no call may start during or after destruction).
// Callbacks may run until the actor system has finished all actors
// (actor_system's destructor waits), so anything they capture must live that
// long or be guarded (e.g. a weak_ptr). Shut down in this order: stop
// callers, destroy the Relay, destroy the actor_system, close the log.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/events.hpp"
#include "actors/relay_error.hpp"
#include "actors/transfer.hpp"  // TransferStatus, TransferLimits (pure, no CAF)
#include "util/shared_bytes.hpp"

namespace caf {
class actor_system;
}
namespace glimpse::storage {
class EventLog;
}

namespace glimpse::actors {

struct RelayConfig {
  uint16_t node = 0;                      // named in every file id of this node
  TransferLimits limits;                  // TS (64 MiB), scan ends, receivers, chunk bounds
  size_t max_open_transfers_per_user = 64;  // unfinished transfers one sender may have
  // An active transfer or inbox actor with no work for this long exits (its
  // memory freed); the next command recovers it from the log.
  std::chrono::milliseconds passivate_after{std::chrono::seconds(30)};
  // An unfinished transfer with no event for this long is Expired; 0 = never.
  std::chrono::milliseconds idle_timeout{std::chrono::hours(24)};
  std::chrono::milliseconds expiry_sweep_every{std::chrono::minutes(1)};
  // Called once a transfer's Expired event is durable, on a CAF thread (so
  // thread-safe); may be empty.
  std::function<void(uint64_t transfer_id)> on_expired;
  // Wall clock, Unix time in ns: captured into events. Called from any CAF
  // thread, so it must be thread-safe. Default: system_clock.
  std::function<int64_t()> now_ns;
};

// The header a sender opens a transfer with (what TransferOpened records,
// minus what the relay fills in: transfer id, sender, node).
struct OpenRequest {
  std::vector<uint64_t> receivers;
  std::string idempotency_key;  // (sender, key) names one transfer; empty = no resume by key
  uint64_t total_size = 0;      // TS
  uint64_t mts = 0;             // a scan end, <= TS
  uint32_t width = 0;
  uint32_t height = 0;
  std::vector<uint64_t> scan_ends;  // ascending, last == TS
  NetworkReport network;
};

// Bytes [offset, offset + bytes.size()) of a transfer, with their CRC-32C
// when the caller has it (computed while the bytes are still in its cache);
// the transfer actor computes it otherwise.
struct ChunkBytes {
  ChunkBytes() = default;
  ChunkBytes(uint64_t offset, util::SharedBytes bytes,
             std::optional<uint32_t> crc32c = std::nullopt)
      : offset(offset), bytes(std::move(bytes)), crc32c(crc32c) {}

  uint64_t offset = 0;
  util::SharedBytes bytes;
  std::optional<uint32_t> crc32c;
};

// A delivered file waiting in a receiver's inbox.
struct Notification {
  std::string file_id;
  uint64_t transfer_id = 0;
  uint64_t sender = 0;
  uint64_t total_size = 0;
  uint64_t mts = 0;
  uint32_t width = 0;
  uint32_t height = 0;
  uint64_t available = 0;  // durable bytes when queued (>= MTS); open_file for the current figure
  int64_t delivered_ns = 0;  // when the file was delivered (MTS durable), Unix ns; 0 = unknown
};

struct FileInfo {
  std::string file_id;
  uint64_t transfer_id = 0;
  uint64_t sender = 0;
  uint64_t total_size = 0;
  uint64_t mts = 0;
  uint32_t width = 0;
  uint32_t height = 0;
  std::vector<uint64_t> scan_ends;
  uint64_t available = 0;  // durable contiguous prefix: bytes [0, available) can be read
  bool completed = false;  // all TS bytes present and CRC-32C verified
  bool aborted = false;    // aborted or expired: `available` will not grow
};

struct FileProgress {
  uint64_t available = 0;
  bool completed = false;
  bool aborted = false;
};

struct RecoveryReport {
  uint64_t transfers = 0;           // transfer streams found
  uint64_t unfinished = 0;          // of which neither completed, aborted nor expired
  uint64_t pending_notifies = 0;    // delivered transfers whose receivers were not all notified
  uint64_t unreadable = 0;          // transfers skipped: their stream could not be replayed
  std::string first_unreadable;     // the first one's error
  uint64_t next_transfer_id = 1;
  std::chrono::microseconds elapsed{0};
};

// Diagnostics, for tests and benchmarks.
struct RelayStats {
  uint64_t active_transfers = 0;    // transfer actors alive (the rest are passivated)
  uint64_t active_inboxes = 0;
  uint64_t unfinished_transfers = 0;
  uint64_t next_transfer_id = 0;
};

// Keeps a listener registered. Move-only. cancel() (or the destructor) stops
// further calls: once it returns, the listener is not running and will not be
// called again (except when cancel() is called from inside the listener, in
// which case that call finishes first).
class Subscription {
 public:
  struct State;
  Subscription() = default;
  explicit Subscription(std::shared_ptr<State> state);
  Subscription(Subscription&&) noexcept;
  Subscription& operator=(Subscription&&) noexcept;
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription();

  void cancel();
  bool active() const;

 private:
  std::shared_ptr<State> state_;
};

class Relay {
 public:
  template <class T>
  using Callback = std::function<void(Expected<T>)>;

  Relay(caf::actor_system& system, storage::EventLog& log, RelayConfig config);
  ~Relay();
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Reads the log once: seeds transfer ids past the largest stored one, counts
  // unfinished transfers per sender, and restarts the notification of every
  // delivered transfer whose receivers were not all notified. Reads the log on
  // the calling thread (not an actor thread; it never waits for an actor);
  // call once, before serving. Queued,
  // unacked notifications need nothing: they are read when their inbox is
  // subscribed. Unfinished transfers recover on demand, on their next command.
  // A transfer whose stream cannot be read is counted in `unreadable` and
  // skipped; only a failure to list the transfers is an error.
  // Until it has run, opening a new transfer is refused with `unavailable`.
  Expected<RecoveryReport> recover();

  // -- sender ----------------------------------------------------------------

  // Opens a transfer, or resumes the one (sender, idempotency_key) already
  // names: then the status carries its acked offset and, if delivered, its
  // file id. A different header under the same key is a conflict.
  void open_transfer(uint64_t sender, OpenRequest request, Callback<TransferStatus> done);
  // Status of an existing transfer of `sender` (resume by transfer id).
  void resume(uint64_t sender, uint64_t transfer_id, Callback<TransferStatus> done);
  // Stores bytes [offset, offset + bytes.size()); replies once they (and any
  // Delivered they cause) are durable. `acked` is the durable contiguous prefix.
  void append(uint64_t sender, uint64_t transfer_id, uint64_t offset, util::SharedBytes bytes,
              Callback<TransferStatus> done);
  // Several appends of one transfer in one call: each chunk is decided as if
  // appended alone, in order (its boundaries are kept), and the accepted ones
  // are persisted together. One reply: the first refusal (the chunks after it
  // are not decided; those before it are stored), else the status after the
  // last. Cheaper per chunk than single appends, for callers that queue
  // chunks while an earlier append is in flight.
  void append(uint64_t sender, uint64_t transfer_id, std::vector<ChunkBytes> chunks,
              Callback<TransferStatus> done);
  // Completes the transfer once all TS bytes are stored and their CRC-32C
  // equals `crc32c`. Replies after earlier appends of the transfer are durable.
  void finish(uint64_t sender, uint64_t transfer_id, uint32_t crc32c,
              Callback<TransferStatus> done);
  void abort(uint64_t sender, uint64_t transfer_id, std::string reason,
             Callback<TransferStatus> done);

  // -- receiver ----------------------------------------------------------------

  // Calls `listener` with every queued, unacked notification of `user` first,
  // then with new ones as soon as they are delivered, until the subscription
  // is cancelled; each file once per subscription (of its last 4096 files).
  // A notification can be seen again on another subscription, e.g. after a
  // restart, until acked: clients dedup by file id.
  Subscription subscribe_inbox(uint64_t user, std::function<void(const Notification&)> listener);
  void ack_notification(uint64_t user, std::string file_id, Callback<Done> done);

  // not_found, with the same message, for a file that does not exist, is not
  // delivered yet, or of which `user` is neither a receiver nor the sender.
  void open_file(uint64_t user, std::string file_id, Callback<FileInfo> done);
  // Up to `max_len` bytes from `offset`, only from the durable prefix (an empty
  // string at its end). offset beyond TS is invalid_argument.
  void read_file(uint64_t user, std::string file_id, uint64_t offset, uint64_t max_len,
                 Callback<std::string> done);
  // Calls `listener` first with the current progress (or once with the same
  // error as open_file, then never again), then every time the durable prefix
  // grows or the file completes or is aborted.
  Subscription watch_file(uint64_t user, std::string file_id,
                          std::function<void(Expected<FileProgress>)> listener);

  void stats(Callback<RelayStats> done);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace glimpse::actors
