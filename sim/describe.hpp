#pragma once
// One-line, human-readable descriptions of domain events and phases, shared by
// every command's output and by check's violation messages.
#include <string>

#include "actors/events.hpp"
#include "actors/transfer.hpp"

namespace glimpse::sim {

// "TransferOpened", "ChunkAppended", ...
const char* event_name(const actors::Event& event);
// "ChunkAppended offset=1024 length=512 crc32c=1a2b3c4d", "Delivered file=n1-... offset=3072", ...
std::string describe_event(const actors::Event& event);
// "open", "completed", "aborted", "expired", "none"
std::string phase_name(actors::TransferPhase phase);

}  // namespace glimpse::sim
