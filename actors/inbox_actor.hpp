#pragma once
// The CAF shell around one user's inbox (actors/inbox.hpp): queues delivered
// files' notifications durably until the user's client acks them. Same
// discipline as the transfer shell: decide against durable + in-flight state,
// append, apply when durable, reply only then, in order; a failed append fails
// what is pending and stops the actor; passivated when quiescent. Replies
// (msg::Reply) are called on this actor's thread; those it still holds when it
// is destroyed answer `unavailable`.
//
// Listeners (Shared::inbox_listeners, keyed by user) survive the actor. A
// subscribe is handled here: the listener gets every pending notification
// (durable, then those whose NotificationQueued is still being written), then
// is registered, so it sees each later one as soon as it is queued — queued
// first, then live, none lost. Live listeners are told when the
// NotificationQueued is issued, not when it is durable: the transfer's
// Delivered is durable already, and the transfer re-queues a notification
// whose write failed (or that a crash lost), so a listener may hear of a file
// id twice — never zero times; clients dedup by file id. The notification
// stays queued durably until acked.
#include <caf/all.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>

#include "actors/inbox.hpp"
#include "actors/shell_common.hpp"
#include "actors/actor_types.hpp"

namespace glimpse::actors {

struct InboxActorState {
  static inline const char* name = "glimpse.inbox";

  struct Pending {
    uint64_t after = 0;  // answer once batch `after` is durable
    msg::Reply<Done> reply;
    Expected<Done> answer = Done{};
  };

  uint64_t user = 0;
  std::shared_ptr<Shared> shared;
  ManagerActorHandle manager;
  InboxState durable;
  InboxState decided;
  std::map<std::string, uint64_t> available;  // file id -> bytes when queued (this run only)
  uint64_t next_seq = 0;
  uint64_t issued = 0;
  uint64_t done = 0;
  std::deque<std::vector<Event>> inflight;
  std::deque<Pending> replies;
  uint64_t handled = 0;
  uint64_t activity = 0;
  bool timer_armed = false;
  bool stopping = false;
  std::optional<RelayError> broken;
};

using InboxActor = InboxActorHandle::stateful_pointer<InboxActorState>;

InboxActorHandle::behavior_type inbox_actor(InboxActor self, uint64_t user,
                                            std::shared_ptr<Shared> shared,
                                            ManagerActorHandle manager);

}  // namespace glimpse::actors
