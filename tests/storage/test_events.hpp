#pragma once
// Builders for serialized schema::Event messages, shared by the storage tests.
#include <capnp/message.h>
#include <capnp/serialize.h>

#include <cstdint>
#include <string>

#include "schema/events.capnp.h"
#include "storage/event_log.hpp"

namespace glimpse::storage::testing {

inline std::string serialize(capnp::MessageBuilder& message) {
  kj::Array<capnp::word> words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

// The root Event of `message`, stamped with its version and time.
inline schema::Event::Builder new_event(capnp::MessageBuilder& message, int64_t time_ns,
                                        uint16_t version = schema::CURRENT_EVENT_VERSION) {
  auto event = message.initRoot<schema::Event>();
  event.setVersion(version);
  event.setTimeNs(time_ns);
  return event;
}

// A ChunkAppended event at `time_ns` describing [offset, offset + length).
inline std::string chunk_event(int64_t time_ns, uint64_t offset = 0, uint32_t length = 0,
                               uint16_t version = schema::CURRENT_EVENT_VERSION) {
  capnp::MallocMessageBuilder message;
  auto event = new_event(message, time_ns, version);
  auto chunk = event.initChunkAppended();
  chunk.setOffset(offset);
  chunk.setLength(length);
  return serialize(message);
}

// An Aborted event whose reason is `tag`, to tell events apart in assertions.
inline std::string tagged_event(int64_t time_ns, const std::string& tag) {
  capnp::MallocMessageBuilder message;
  auto event = new_event(message, time_ns);
  event.initAborted().setReason(tag);
  return serialize(message);
}

// A Completed event (terminal for a transfer).
inline std::string completed_event(int64_t time_ns) {
  capnp::MallocMessageBuilder message;
  auto event = new_event(message, time_ns);
  event.initCompleted().setCrc32c(0x0badf00d);
  return serialize(message);
}

// An inbox's NotificationQueued / NotificationAcked for `file_id`.
inline std::string queued_event(int64_t time_ns, const std::string& file_id) {
  capnp::MallocMessageBuilder message;
  auto event = new_event(message, time_ns);
  event.initNotificationQueued().setFileId(file_id);
  return serialize(message);
}
inline std::string acked_event(int64_t time_ns, const std::string& file_id) {
  capnp::MallocMessageBuilder message;
  auto event = new_event(message, time_ns);
  event.initNotificationAcked().setFileId(file_id);
  return serialize(message);
}

inline StreamId transfer(uint64_t id) { return StreamId{StreamKind::transfer, id}; }
inline StreamId inbox(uint64_t id) { return StreamId{StreamKind::inbox, id}; }

inline AppendRequest request(StreamId stream, uint64_t expected_seq,
                             std::vector<std::string> events) {
  AppendRequest r;
  r.stream = stream;
  r.expected_seq = expected_seq;
  r.events = std::move(events);
  return r;
}

// Deterministic, offset-dependent bytes so misplaced data shows in a compare.
inline std::string pattern_bytes(uint64_t offset, size_t length) {
  std::string s(length, '\0');
  for (size_t i = 0; i < length; ++i) {
    uint64_t x = (offset + i) * 0x9E3779B97F4A7C15ull;
    s[i] = static_cast<char>(x >> 56);
  }
  return s;
}

}  // namespace glimpse::storage::testing
