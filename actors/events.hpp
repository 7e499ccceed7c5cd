#pragma once
// Domain events as plain C++ values, one struct per event of
// schema/events.capnp (field for field). event_codec.hpp turns them into the
// log's bytes and back. Events are facts: past tense, never rewritten; time is
// captured when the command is decided and travels in the event.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace glimpse::actors {

enum class NetworkType : uint8_t { unknown = 0, wifi, nr5g, lte4g, g3, g2 };

struct NetworkReport {
  NetworkType type = NetworkType::unknown;
  uint8_t signal = 0;  // 0 (none) .. 4 (full bars)
  friend bool operator==(const NetworkReport& a, const NetworkReport& b) {
    return a.type == b.type && a.signal == b.signal;
  }
};

struct TransferOpened {
  uint64_t transfer_id = 0;
  uint64_t sender = 0;
  std::vector<uint64_t> receivers;
  std::string idempotency_key;
  uint64_t total_size = 0;  // TS
  uint64_t mts = 0;
  uint32_t width = 0;
  uint32_t height = 0;
  std::vector<uint64_t> scan_ends;
  NetworkReport network;
  uint16_t node = 0;
  friend bool operator==(const TransferOpened& a, const TransferOpened& b) {
    return a.transfer_id == b.transfer_id && a.sender == b.sender && a.receivers == b.receivers &&
           a.idempotency_key == b.idempotency_key && a.total_size == b.total_size &&
           a.mts == b.mts && a.width == b.width && a.height == b.height &&
           a.scan_ends == b.scan_ends && a.network == b.network && a.node == b.node;
  }
};

// The bytes [offset, offset + length) sit beside the event, in the same batch.
struct ChunkAppended {
  uint64_t offset = 0;
  uint32_t length = 0;
  uint32_t crc32c = 0;
  friend bool operator==(const ChunkAppended& a, const ChunkAppended& b) {
    return a.offset == b.offset && a.length == b.length && a.crc32c == b.crc32c;
  }
};

struct Delivered {
  std::string file_id;
  uint64_t offset = 0;  // contiguous prefix when MTS was crossed (>= MTS)
  friend bool operator==(const Delivered& a, const Delivered& b) {
    return a.file_id == b.file_id && a.offset == b.offset;
  }
};

struct ReceiverNotified {
  uint64_t receiver = 0;
  friend bool operator==(const ReceiverNotified& a, const ReceiverNotified& b) {
    return a.receiver == b.receiver;
  }
};

struct Completed {
  // The whole file's CRC-32C; empty in version-1 events, whose nodes checked
  // a SHA-256 instead.
  std::optional<uint32_t> crc32c;
  friend bool operator==(const Completed& a, const Completed& b) { return a.crc32c == b.crc32c; }
};

struct Aborted {
  std::string reason;
  friend bool operator==(const Aborted& a, const Aborted& b) { return a.reason == b.reason; }
};

struct Expired {
  friend bool operator==(const Expired&, const Expired&) { return true; }
};

struct NotificationQueued {
  std::string file_id;
  uint64_t transfer_id = 0;
  uint64_t sender = 0;
  uint64_t total_size = 0;
  uint64_t mts = 0;
  uint32_t width = 0;
  uint32_t height = 0;
  // When the file was delivered (its MTS bytes reported durable), Unix ns; 0 in
  // events written before the field existed.
  int64_t delivered_ns = 0;
  friend bool operator==(const NotificationQueued& a, const NotificationQueued& b) {
    return a.file_id == b.file_id && a.transfer_id == b.transfer_id && a.sender == b.sender &&
           a.total_size == b.total_size && a.mts == b.mts && a.width == b.width &&
           a.height == b.height && a.delivered_ns == b.delivered_ns;
  }
};

struct NotificationAcked {
  std::string file_id;
  friend bool operator==(const NotificationAcked& a, const NotificationAcked& b) {
    return a.file_id == b.file_id;
  }
};

using EventBody = std::variant<TransferOpened, ChunkAppended, Delivered, ReceiverNotified,
                               Completed, Aborted, Expired, NotificationQueued, NotificationAcked>;

struct Event {
  int64_t time_ns = 0;  // wall-clock Unix ns, captured when the command was decided
  EventBody body;
  friend bool operator==(const Event& a, const Event& b) {
    return a.time_ns == b.time_ns && a.body == b.body;
  }
};

}  // namespace glimpse::actors
