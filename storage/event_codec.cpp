#include "storage/event_codec.hpp"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/array.h>
#include <kj/exception.h>

#include <cstring>
#include <string>

#include "schema/events.capnp.h"

namespace glimpse::storage {

Status read_event(std::string_view bytes, Code malformed_code,
                  const std::function<void(schema::Event::Reader)>& fn) {
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0) {
    return Status(malformed_code, "event of " + std::to_string(bytes.size()) +
                                      " bytes is not a flat-array Cap'n Proto message "
                                      "(size must be a non-zero multiple of 8)");
  }
  // Events arrive as std::string bytes with no alignment promise; capnp needs words.
  auto words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), bytes.data(), bytes.size());
  uint16_t version = 0;
  bool newer = false;
  kj::Maybe<kj::Exception> error = kj::runCatchingExceptions([&]() {
    capnp::FlatArrayMessageReader reader(words.asPtr());
    auto event = reader.getRoot<schema::Event>();
    version = event.getVersion();
    newer = version > schema::CURRENT_EVENT_VERSION;
    if (!newer) fn(event);
  });
  KJ_IF_MAYBE (e, error) {
    return Status(malformed_code,
                  std::string("event is not a valid schema::Event: ") + e->getDescription().cStr());
  }
  if (newer) {
    return Status(Code::newer_version, "event has schema version " + std::to_string(version) +
                                           " but this build knows up to " +
                                           std::to_string(schema::CURRENT_EVENT_VERSION) +
                                           "; upgrade this node");
  }
  return Status();
}

Status parse_event_header(std::string_view bytes, Code malformed_code, EventHeader* out) {
  EventHeader header;
  Status s = read_event(bytes, malformed_code, [&](schema::Event::Reader event) {
    header.version = event.getVersion();
    header.time_ns = event.getTimeNs();
  });
  if (s.ok()) *out = header;
  return s;
}

Status check_append_request(const AppendRequest& request) {
  if (request.stream.kind != StreamKind::transfer && request.stream.kind != StreamKind::inbox) {
    return Status(Code::invalid,
                  "unknown stream kind " + std::to_string(static_cast<int>(request.stream.kind)));
  }
  if (request.events.empty()) {
    return Status(Code::invalid, "append to " + stream_name(request.stream) +
                                     " has no events; a batch needs at least one");
  }
  for (size_t i = 0; i < request.events.size(); ++i) {
    EventHeader header;
    Status s = parse_event_header(request.events[i], Code::invalid, &header);
    if (!s.ok()) {
      return Status(s.code(), "append to " + stream_name(request.stream) + ", event " +
                                  std::to_string(i) + ": " + s.message());
    }
  }
  if (!request.chunks.empty() && request.stream.kind != StreamKind::transfer) {
    return Status(Code::invalid, "append to " + stream_name(request.stream) +
                                     " carries chunks; only transfer "
                                     "streams have chunk bytes");
  }
  for (const ChunkPut& chunk : request.chunks) {
    if (chunk.bytes.empty()) {
      return Status(Code::invalid, "append to " + stream_name(request.stream) +
                                       " has an empty chunk at offset " +
                                       std::to_string(chunk.offset));
    }
    if (chunk.offset + chunk.bytes.size() < chunk.offset) {
      return Status(Code::invalid, "chunk at offset " + std::to_string(chunk.offset) +
                                       " overflows the 64-bit offset space");
    }
  }
  for (const IndexPut& put : request.index) {
    if (put.key.empty()) {
      return Status(Code::invalid, "append to " + stream_name(request.stream) +
                                       " has an index entry with an empty key");
    }
  }
  return Status();
}

Status delete_conflict(StreamId stream, uint64_t expected_next_seq, uint64_t next) {
  return Status(Code::conflict, "delete of " + stream_name(stream) + " expected next seq " +
                                    std::to_string(expected_next_seq) + " but it is " +
                                    std::to_string(next) + "; the stream changed, look again");
}

std::string stream_name(StreamId stream) {
  const char* kind = stream.kind == StreamKind::transfer ? "transfer"
                     : stream.kind == StreamKind::inbox  ? "inbox"
                                                         : "stream";
  return std::string(kind) + " " + std::to_string(stream.id);
}

}  // namespace glimpse::storage
