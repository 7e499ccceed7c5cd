#pragma once
// The inbox entity (one per user) as pure domain code: notifications of
// delivered files wait here, durably, until the user's client acknowledges
// them. No CAF, no clock, no I/O.
//
// Rules: a file id is queued at most once per inbox, ever (a second
// NotificationQueued for it, e.g. after a transfer recovered and notified
// again, emits nothing); acknowledging removes it from the pending list;
// acknowledging again is accepted without events; acknowledging a file id
// that was never queued is not_found.
#include <cstdint>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "actors/events.hpp"
#include "actors/relay_error.hpp"

namespace glimpse::actors {

struct InboxState {
  uint64_t user = 0;
  std::vector<NotificationQueued> pending;  // queued, not yet acked, in queue order
  std::set<std::string> seen;               // every file id ever queued here (dedup)

  friend bool operator==(const InboxState& a, const InboxState& b) {
    return a.user == b.user && a.pending == b.pending && a.seen == b.seen;
  }
};

struct QueueNotification {
  NotificationQueued notification;
};

struct AckNotification {
  std::string file_id;
};

using InboxCommandBody = std::variant<QueueNotification, AckNotification>;

struct InboxCommand {
  int64_t now_ns = 0;
  InboxCommandBody body;
};

struct InboxDecision {
  std::vector<Event> events;
  Expected<Done> reply = Done{};
};

InboxDecision decide(const InboxState& state, const InboxCommand& command);

// Folds one event of this inbox's stream; transfer events are ignored.
void apply_in_place(InboxState& state, const Event& event);
InboxState apply(InboxState state, const Event& event);

}  // namespace glimpse::actors
