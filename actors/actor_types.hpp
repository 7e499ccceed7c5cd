#pragma once
// The typed interfaces of the relay's actors (CAF 0.17: reacts_to<...>). One
// alias per actor; every message an actor accepts, including those it sends
// itself (timers, log callbacks), is listed. Internal to actors/: node/ talks
// to the Relay facade.
#include <caf/typed_actor.hpp>

#include "actors/type_ids.hpp"

namespace glimpse::actors {

// A call (a message ending in msg::Reply<T>) is answered by calling its reply,
// never by a response message: no actor here sends request() or awaits one.

// One per active transfer (actors/transfer_actor.hpp).
using TransferActorHandle = caf::typed_actor<
    caf::reacts_to<transfer_atom, msg::TransferCmd, msg::Reply<TransferStatus>>,
    caf::reacts_to<resume_atom, msg::ResumeQuery, msg::Reply<TransferStatus>>,
    caf::reacts_to<file_atom, msg::FileQuery, msg::Reply<FileInfo>>,
    caf::reacts_to<read_atom, msg::FileQuery, msg::Reply<std::string>>,
    caf::reacts_to<watch_atom, msg::FileQuery, msg::Reply<Done>>,
    caf::reacts_to<expire_atom, int64_t>,          // manager's expiry sweep (now)
    caf::reacts_to<durable_atom, msg::BatchDone>,  // the log's callback
    caf::reacts_to<notify_atom>,                   // (re)start notifying receivers
    caf::reacts_to<notified_atom, uint64_t, bool>,  // receiver's inbox answered: queued?
    caf::reacts_to<idle_atom, uint64_t>,           // own passivation timer
    caf::reacts_to<stop_atom>>;                    // manager: passivate now

// One per active inbox (actors/inbox_actor.hpp).
using InboxActorHandle = caf::typed_actor<
    caf::reacts_to<inbox_atom, msg::InboxCmd, msg::Reply<Done>>,
    caf::reacts_to<subscr_atom, msg::SubscribeReq, msg::Reply<Done>>,
    caf::reacts_to<durable_atom, msg::BatchDone>,
    caf::reacts_to<idle_atom, uint64_t>,
    caf::reacts_to<stop_atom>>;

// One per node (actors/manager.hpp).
using ManagerActorHandle = caf::typed_actor<
    caf::reacts_to<transfer_atom, msg::TransferCmd, msg::Reply<TransferStatus>>,
    caf::reacts_to<resume_atom, msg::ResumeQuery, msg::Reply<TransferStatus>>,
    caf::reacts_to<file_atom, msg::FileQuery, msg::Reply<FileInfo>>,
    caf::reacts_to<read_atom, msg::FileQuery, msg::Reply<std::string>>,
    caf::reacts_to<watch_atom, msg::FileQuery, msg::Reply<Done>>,
    caf::reacts_to<inbox_atom, msg::InboxCmd, msg::Reply<Done>>,  // Relay, or a transfer notifying
    caf::reacts_to<subscr_atom, msg::SubscribeReq, msg::Reply<Done>>,
    caf::reacts_to<opened_atom, msg::OpenOutcome>,  // a transfer answered an open
    caf::reacts_to<init_atom, msg::RecoveryData>,
    caf::reacts_to<stats_atom, msg::Reply<RelayStats>>,
    caf::reacts_to<idle_atom, msg::IdleReport>,         // a child is quiescent
    caf::reacts_to<finished_atom, uint64_t, uint64_t>,  // transfer id, sender
    caf::reacts_to<notify_atom, uint64_t>,  // own: restart a failed transfer's notifying
    caf::reacts_to<gone_atom, uint64_t, bool>,  // a child stops on its own (key, is an inbox)
    caf::reacts_to<sweep_atom>,
    caf::reacts_to<stop_atom>>;

}  // namespace glimpse::actors
