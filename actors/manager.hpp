#pragma once
// The manager: one per node. Routes every command by transfer id (or user, for
// inboxes) to the entity's actor, spawning it on demand (it recovers from the
// log); allocates transfer ids (seeded by Relay::recover past the largest
// stored one); resolves idempotency keys through the log's index (and the
// opens still in flight); enforces max open transfers per sender; passivates
// idle actors (see transfer_actor.hpp); expires transfers idle past
// idle_timeout. Children are monitored, not linked: when the manager stops it
// sends each an exit message, and they stop, failing what they have pending
// with `unavailable`. (A link would put one attachable per child on the
// manager, and CAF scans that list on every unlink: quadratic in the number of
// live children.) Internal to actors/.
//
// Calls arrive with their msg::Reply and are forwarded with send, reply
// included: the manager answers only refusals itself and never awaits an
// answer, so its cost per call does not grow with the calls in flight. An
// open's reply is wrapped so that its answer comes back as opened_atom: the
// manager settles `opening` and undoes a failed open's counts, then answers.
//
// Memory per passivated unfinished transfer: one entry of `unfinished`
// (sender, last event time) plus its sender's count.
#include <caf/all.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "actors/shell_common.hpp"
#include "actors/actor_types.hpp"

namespace glimpse::actors {

struct ManagerState {
  static inline const char* name = "glimpse.manager";

  template <class Handle>
  struct Active {
    Handle actor;
    uint64_t sent = 0;  // messages forwarded to it (compared with IdleReport::handled)
  };
  struct Unfinished {
    uint64_t sender = 0;
    int64_t last_event_ns = 0;
  };

  std::shared_ptr<Shared> shared;
  uint64_t next_transfer_id = 1;
  std::unordered_map<uint64_t, Active<TransferActorHandle>> transfers;  // by transfer id
  std::unordered_map<uint64_t, Active<InboxActorHandle>> inboxes;       // by user
  // Every live child's actor id -> its key in `transfers` or `inboxes`, so a
  // down message finds its entry without a scan.
  struct Child {
    bool is_transfer = true;
    uint64_t key = 0;
  };
  std::unordered_map<caf::actor_id, Child> children;
  std::unordered_map<uint64_t, Unfinished> unfinished;
  std::unordered_map<uint64_t, uint32_t> open_per_sender;
  std::unordered_map<std::string, uint64_t> opening;  // index key -> id, until opened_atom
  bool sweep_armed = false;
  bool recovered = false;  // init_atom received: transfer ids are safe to allocate
};

using Manager = ManagerActorHandle::stateful_pointer<ManagerState>;

ManagerActorHandle::behavior_type manager_actor(Manager self, std::shared_ptr<Shared> shared);

}  // namespace glimpse::actors
