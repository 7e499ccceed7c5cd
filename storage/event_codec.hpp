#pragma once
// Internal to storage/: the few fields of a serialized schema::Event that the
// log reads, and the request checks every EventLog implementation shares.
#include <cstdint>
#include <functional>
#include <string_view>

#include "schema/events.capnp.h"
#include "storage/event_log.hpp"

namespace glimpse::storage {

struct EventHeader {
  uint16_t version = 0;
  int64_t time_ns = 0;
};

// Reads version and timeNs from `bytes` (one unpacked flat-array schema::Event).
// Malformed bytes -> `malformed_code` (invalid for a caller's request,
// corruption for stored data); version above schema::CURRENT_EVENT_VERSION ->
// newer_version. Thread-safe.
Status parse_event_header(std::string_view bytes, Code malformed_code, EventHeader* out);

// Checks `bytes` as parse_event_header does, then calls `fn` with the event,
// which lives only during the call. A field `fn` reads that does not parse
// is reported as `malformed_code`.
Status read_event(std::string_view bytes, Code malformed_code,
                  const std::function<void(schema::Event::Reader)>& fn);

// Checks a request before anything is written: at least one event, every
// event parses with a known version, chunks only on transfer streams and not
// empty. Says nothing about expected_seq.
Status check_append_request(const AppendRequest& request);

// The conflict delete_stream() reports when the stream moved on.
Status delete_conflict(StreamId stream, uint64_t expected_next_seq, uint64_t next);

// "transfer 42" / "inbox 7", for messages.
std::string stream_name(StreamId stream);

}  // namespace glimpse::storage
