#pragma once
// Domain events <-> the event log's bytes: one schema::Event message
// (schema/events.capnp) as an unpacked flat array, carrying
// schema::CURRENT_EVENT_VERSION. Thread-safe; no CAF.
#include <string>
#include <string_view>

#include "actors/events.hpp"
#include "actors/relay_error.hpp"

namespace glimpse::actors {

std::string encode_event(const Event& event);

// Refuses, with storage_failure and a message saying why: bytes that are not a
// schema::Event, an event whose version is above the one this build knows
// (never skipped silently), a union member this build does not know, or a
// malformed field (e.g. a SHA-256 that is not 32 bytes).
Expected<Event> decode_event(std::string_view bytes);

}  // namespace glimpse::actors
