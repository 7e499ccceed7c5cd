#pragma once
// An EventLog wrapper that injects the failures a disk or a process produces,
// so every failure path above storage/ can be tested (after LevelDB's
// FaultInjectionTestEnv). Faults are armed by the test and consumed by the
// next append(s), in the order appends reach the wrapper.
//
// What each fault leaves behind, as seen through the wrapped (inner) log:
//  - fail_next_appends(code): the append never reaches the inner log; its
//    callback gets `code` (io_error, no_space, ...). Nothing is written.
//  - fail_next_sync(): the append reaches the inner log and is written there
//    in full (events, chunks, index entries; next_seq advanced), but its
//    callback gets io_error, as when the WAL write succeeded and its fsync
//    failed. The outcome is unknown to the caller: it must not acknowledge
//    anything, and it learns the truth only by recovering from the log, which
//    shows the batch. Retrying with the same expected_seq gets conflict.
//  - die_after_next_write(): the append reaches the inner log and is written
//    there in full; the wrapper is then dead, as a process killed between the
//    write and the reply. The callback gets closed (or, with
//    DeathReply::none, never runs: nobody is left to hear it). Every later
//    call on the wrapper fails with closed; the inner log (the "disk") is
//    what a restarted process would open.
//  - kill(): dead at once, nothing written.
//  - hold_appends(): a stalled disk. Appends that would pass wait in the
//    wrapper, in order, until release_held() passes them on (holding goes
//    on) or heal() does (holding stops). wait_held(n) blocks until n wait.
//  - fail_next_reads(code): the next reads (replay, read_chunks, next_seq,
//    get_index, scan_index, list_streams, scan_all) return `code`.
//
// Thread-safe. The wrapper does not own `inner`.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <utility>
#include <vector>

#include "storage/event_log.hpp"

namespace glimpse::storage {

class FaultInjectionLog final : public EventLog {
 public:
  enum class DeathReply { closed, none };

  // "*inner" must remain live while this wrapper is in use.
  explicit FaultInjectionLog(EventLog* inner) : inner_(inner) {}

  void fail_next_appends(Code code, int count = 1);
  void fail_next_sync(int count = 1);
  void die_after_next_write(DeathReply reply = DeathReply::closed);
  void kill();
  void fail_next_reads(Code code, int count = 1);
  void hold_appends();
  void release_held();
  // Blocks until at least `n` appends are held, or `limit` has passed (a
  // failing test's guard); the chunk count of each held one.
  std::vector<size_t> wait_held(size_t n,
                                std::chrono::milliseconds limit = std::chrono::seconds(30));
  // Disarms every pending fault, passes held appends on and revives a dead
  // wrapper (a restart over the same inner log).
  void heal();

  bool dead() const;
  uint64_t appends_seen() const;      // append() calls, including refused ones
  uint64_t appends_injected() const;  // appends that got an injected fault

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

 private:
  // Returns the injected failure for a read, or ok to pass it through.
  Status before_read(const char* what);

  EventLog* const inner_;
  mutable std::mutex mu_;
  Code append_fault_ = Code::ok;  // guarded by mu_, with the counts below
  int append_faults_left_ = 0;
  int sync_faults_left_ = 0;
  bool die_armed_ = false;
  DeathReply death_reply_ = DeathReply::closed;
  Code read_fault_ = Code::ok;
  int read_faults_left_ = 0;
  bool dead_ = false;
  uint64_t appends_seen_ = 0;
  uint64_t appends_injected_ = 0;
  bool holding_ = false;
  std::vector<std::pair<AppendRequest, AppendCallback>> held_;
  std::condition_variable held_changed_;
};

}  // namespace glimpse::storage
