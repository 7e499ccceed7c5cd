#pragma once
// One stored event (an unpacked flat-array schema::Event) opened for reading,
// whatever the alignment of the bytes it came in. Kept for as long as the
// reader is used; parse() may be called again to reuse the buffers.
#include <memory>
#include <string>
#include <string_view>

#include <capnp/serialize.h>

#include "schema/events.capnp.h"
#include "storage/event_log.hpp"

namespace glimpse::sim {

class EventView {
 public:
  // False with *error when `bytes` is not one whole message. `bytes` must
  // outlive the view when it is 8-byte aligned (it is then read in place).
  bool parse(std::string_view bytes, std::string* error);
  schema::Event::Reader event() const { return root_; }

 private:
  kj::Array<capnp::word> copy_;
  std::unique_ptr<capnp::FlatArrayMessageReader> reader_;
  schema::Event::Reader root_;
};

// "TransferOpened", "ChunkAppended", ...; "unknown(N)" for a union member this
// build does not know.
std::string event_kind_name(schema::Event::Reader event);

// "transfer 42" / "inbox 7", for messages.
std::string stream_name(storage::StreamId stream);

}  // namespace glimpse::sim
