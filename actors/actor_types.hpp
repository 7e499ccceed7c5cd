#pragma once
// The typed interfaces of the relay's actors (CAF 0.17: replies_to<...>::with<...>,
// reacts_to<...>). One alias per actor; every message an actor accepts,
// including those it sends itself (timers, log callbacks), is listed.
// Internal to actors/: node/ talks to the Relay facade.
#include <caf/typed_actor.hpp>

#include "actors/type_ids.hpp"

namespace glimpse::actors {

// One per active transfer (actors/transfer_actor.hpp).
using TransferActorHandle = caf::typed_actor<
    caf::replies_to<transfer_atom, msg::TransferCmd>::with<Expected<TransferStatus>>,
    caf::replies_to<resume_atom, msg::ResumeQuery>::with<Expected<TransferStatus>>,
    caf::replies_to<file_atom, msg::FileQuery>::with<Expected<FileInfo>>,
    caf::replies_to<read_atom, msg::FileQuery>::with<Expected<std::string>>,
    caf::replies_to<watch_atom, msg::FileQuery>::with<Expected<Done>>,
    caf::reacts_to<expire_atom, int64_t>,        // manager's expiry sweep (now)
    caf::reacts_to<durable_atom, msg::BatchDone>,  // the log's callback
    caf::reacts_to<notify_atom>,                 // (re)start notifying receivers
    caf::reacts_to<idle_atom, uint64_t>,         // own passivation timer
    caf::reacts_to<stop_atom>>;                  // manager: passivate now

// One per active inbox (actors/inbox_actor.hpp).
using InboxActorHandle = caf::typed_actor<
    caf::replies_to<inbox_atom, msg::InboxCmd>::with<Expected<Done>>,
    caf::replies_to<subscr_atom, msg::SubscribeReq>::with<Expected<Done>>,
    caf::reacts_to<durable_atom, msg::BatchDone>,
    caf::reacts_to<idle_atom, uint64_t>,
    caf::reacts_to<stop_atom>>;

// One per node (actors/manager.hpp).
using ManagerActorHandle = caf::typed_actor<
    caf::replies_to<transfer_atom, msg::TransferCmd>::with<Expected<TransferStatus>>,
    caf::replies_to<resume_atom, msg::ResumeQuery>::with<Expected<TransferStatus>>,
    caf::replies_to<file_atom, msg::FileQuery>::with<Expected<FileInfo>>,
    caf::replies_to<read_atom, msg::FileQuery>::with<Expected<std::string>>,
    caf::replies_to<watch_atom, msg::FileQuery>::with<Expected<Done>>,
    caf::replies_to<inbox_atom, msg::InboxCmd>::with<Expected<Done>>,
    caf::replies_to<notify_atom, msg::InboxCmd>::with<Expected<Done>>,  // from a transfer
    caf::replies_to<subscr_atom, msg::SubscribeReq>::with<Expected<Done>>,
    caf::replies_to<init_atom, msg::RecoveryData>::with<Expected<Done>>,
    caf::replies_to<stats_atom>::with<Expected<RelayStats>>,
    caf::reacts_to<idle_atom, msg::IdleReport>,         // a child is quiescent
    caf::reacts_to<finished_atom, uint64_t, uint64_t>,  // transfer id, sender
    caf::reacts_to<notify_atom, uint64_t>,  // own: restart a failed transfer's notifying
    caf::reacts_to<sweep_atom>,
    caf::reacts_to<stop_atom>>;

}  // namespace glimpse::actors
