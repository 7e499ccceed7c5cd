#pragma once
// The transfer entity as pure domain code: state, commands, decide, apply.
// No CAF, no clock, no I/O: time comes in with the command and leaves in the
// events; bytes never enter (the shell stores them beside ChunkAppended).
//
// Rules (each one tested in tests/actors/transfer_test.cpp):
// - Open validates the header (see validate_header); a refused open emits nothing.
//   Opening an opened transfer with the same header is a resume (no events).
// - Chunks may arrive out of order; only the contiguous prefix [0, acked) counts
//   as received. Stored chunks never overlap. A chunk identical to a stored one
//   (offset, length, CRC32C) is accepted again without events; one with the same
//   offset but another length or CRC, or overlapping a stored chunk, is a
//   conflict. Nothing may pass TS. A chunk shorter than min_chunk_size must end
//   at TS; a new chunk beyond max_chunks stored ones is refused.
// - Delivered is emitted exactly once, in the same batch as the chunk that makes
//   the contiguous prefix reach MTS, so it is durable exactly when that prefix is.
// - Completed needs the prefix at TS and the sender's declared CRC-32C of the
//   whole file equal to that of the stored bytes. The shell computes the
//   latter (combining the CRCs of the chunks it appended in order, reading
//   back from the log what it did not see; replay needs no such state) and
//   passes it in FinishTransfer::stored_crc32c.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "actors/events.hpp"
#include "actors/relay_error.hpp"

namespace glimpse::actors {

struct TransferLimits {
  uint64_t max_total_size = 64ull << 20;  // TS
  size_t max_scan_ends = 256;
  size_t max_receivers = 64;
  size_t max_idempotency_key = 128;  // bytes
  uint32_t min_chunk_size = 1;       // except a chunk that ends at TS
  uint32_t max_chunk_size = 1u << 20;
  // Stored chunks per transfer: bounds TransferState (the actor keeps two
  // copies, recovery one per transfer) whatever chunk sizes a sender picks.
  size_t max_chunks = 1u << 16;
};

enum class TransferPhase : uint8_t { none, open, completed, aborted, expired };

// What a sender (and tests) see of a transfer.
struct TransferStatus {
  uint64_t transfer_id = 0;
  uint64_t acked = 0;   // contiguous prefix; durable once the reply is delivered
  std::string file_id;  // empty until Delivered
  bool completed = false;
  friend bool operator==(const TransferStatus& a, const TransferStatus& b) {
    return a.transfer_id == b.transfer_id && a.acked == b.acked && a.file_id == b.file_id &&
           a.completed == b.completed;
  }
};

struct StoredChunk {
  uint32_t length = 0;
  uint32_t crc32c = 0;
  friend bool operator==(const StoredChunk& a, const StoredChunk& b) {
    return a.length == b.length && a.crc32c == b.crc32c;
  }
};

struct TransferState {
  TransferPhase phase = TransferPhase::none;
  TransferOpened header;                   // valid once phase != none
  std::map<uint64_t, StoredChunk> chunks;  // by offset; never overlapping
  uint64_t acked = 0;                      // [0, acked) is contiguous
  std::string file_id;                     // set by Delivered
  uint64_t delivered_offset = 0;
  int64_t delivered_ns = 0;                // the Delivered event's time
  std::vector<uint64_t> notified;  // receivers with ReceiverNotified, in event order
  std::optional<uint32_t> crc32c;  // set by Completed (empty from version-1 events)
  std::string abort_reason;
  int64_t last_event_ns = 0;

  bool finished() const {
    return phase == TransferPhase::completed || phase == TransferPhase::aborted ||
           phase == TransferPhase::expired;
  }
  bool delivered() const { return !file_id.empty(); }
  // Stored ranges beyond the contiguous prefix, merged: [first, second).
  std::vector<std::pair<uint64_t, uint64_t>> out_of_order_ranges() const;
  // Receivers not yet notified, once delivered (empty before).
  std::vector<uint64_t> receivers_to_notify() const;
  TransferStatus status() const {
    return TransferStatus{header.transfer_id, acked, file_id, phase == TransferPhase::completed};
  }

  friend bool operator==(const TransferState& a, const TransferState& b) {
    return a.phase == b.phase && a.header == b.header && a.chunks == b.chunks &&
           a.acked == b.acked && a.file_id == b.file_id &&
           a.delivered_offset == b.delivered_offset && a.delivered_ns == b.delivered_ns &&
           a.notified == b.notified &&
           a.crc32c == b.crc32c && a.abort_reason == b.abort_reason &&
           a.last_event_ns == b.last_event_ns;
  }
};

// -- commands -----------------------------------------------------------------

// The header of a new transfer; transfer_id and node are filled in by the manager.
struct OpenTransfer {
  TransferOpened header;
};

// A chunk's bytes stay in the shell; the domain sees their length and CRC32C.
struct AppendChunk {
  uint64_t sender = 0;
  uint64_t offset = 0;
  uint32_t length = 0;
  uint32_t crc32c = 0;
};

struct FinishTransfer {
  uint64_t sender = 0;
  uint32_t declared_crc32c = 0;
  // CRC-32C of the stored bytes [0, TS); the shell supplies it whenever the
  // (decided) prefix has reached TS, and leaves it empty otherwise.
  std::optional<uint32_t> stored_crc32c;
};

struct AbortTransfer {
  uint64_t sender = 0;
  std::string reason;
};

// Idle timeout; decided by the shell/manager, not by the sender.
struct ExpireTransfer {};

// The receiver's inbox has durably queued the notification.
struct MarkReceiverNotified {
  uint64_t receiver = 0;
};

using TransferCommandBody = std::variant<OpenTransfer, AppendChunk, FinishTransfer, AbortTransfer,
                                         ExpireTransfer, MarkReceiverNotified>;

struct TransferCommand {
  int64_t now_ns = 0;
  TransferCommandBody body;
};

struct TransferDecision {
  std::vector<Event> events;  // to persist, in order; empty for refusals and repeats
  Expected<TransferStatus> reply = TransferStatus{};  // status after `events`, or the refusal
};

// The header checks of an open, as a refusal (nullopt when valid).
std::optional<RelayError> validate_header(const TransferOpened& header,
                                          const TransferLimits& limits);

TransferDecision decide(const TransferState& state, const TransferCommand& command,
                        const TransferLimits& limits);

// Folds one event of this transfer's stream. Events of other entities are ignored.
TransferState apply(TransferState state, const Event& event);
// In-place variant of apply, for replay and the shells.
void apply_in_place(TransferState& state, const Event& event);

// "n<node>-<transfer id as 16 lowercase hex digits>"; names the owning node.
std::string make_file_id(uint16_t node, uint64_t transfer_id);
// The (node, transfer id) a file id names; nullopt if it is not one.
std::optional<std::pair<uint16_t, uint64_t>> parse_file_id(const std::string& file_id);

}  // namespace glimpse::actors
