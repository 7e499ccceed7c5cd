#pragma once
// The CAF shell around one transfer (actors/transfer.hpp): decide against the
// state including in-flight batches, append the events (and the chunk's bytes)
// through the EventLog, apply them to the durable state when the log reports
// the batch durable, and only then reply — replies leave in the order commands
// arrived. Internal to actors/; spawned and addressed only by the manager.
//
// - Recovery: the actor replays its stream when it starts (lazily, on its
//   first message, on a worker thread). A replay that fails leaves it answering
//   every command with storage_failure, then exiting.
// - A failed append fails every reply still pending with storage_failure and
//   stops the actor; the manager sees it go down and the next command recovers
//   a fresh actor from the log, which shows exactly what was persisted.
// - Finish hashes the stored bytes [0, TS) read back from the log, after every
//   in-flight batch is durable; commands arriving meanwhile wait behind it.
// - The moment the batch holding Delivered is durable, the log's writer
//   thread (in the batch's callback) asks each receiver's inbox (through the
//   manager) to queue a notification and tells the receivers' live
//   subscribers; the inbox's reply comes back to the actor as notified_atom,
//   and the actor records ReceiverNotified once the inbox has. On recovery it
//   resumes with receivers not yet notified.
// - Replies (msg::Reply) are called on this actor's thread. Those it still
//   holds when it stops are called by fail() or, if it is destroyed first, by
//   the holders' destructors, with `unavailable`.
// - Passivation: quiescent for passivate_after -> IdleReport to the manager,
//   which answers stop_atom only if it has forwarded nothing the actor has not
//   yet handled; the actor then exits.
#include <caf/all.hpp>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>

#include "actors/shell_common.hpp"
#include "actors/transfer.hpp"
#include "actors/actor_types.hpp"

namespace glimpse::actors {

struct TransferActorState {
  static inline const char* name = "glimpse.transfer";
  using Reply = msg::Reply<TransferStatus>;

  struct Pending {
    uint64_t after = 0;  // answer once batch `after` is durable
    Reply reply;         // empty for the actor's own commands
    Expected<TransferStatus> answer = TransferStatus{};
  };
  struct Deferred {
    msg::TransferCmd cmd;
    bool resume = false;  // a ResumeQuery (cmd.body unused)
    uint64_t sender = 0;  // for resume
    Reply reply;
  };

  uint64_t id = 0;
  std::shared_ptr<Shared> shared;
  ManagerActorHandle manager;
  TransferState durable;  // what the log holds
  TransferState decided;  // durable + in-flight batches
  uint64_t next_seq = 0;
  uint64_t issued = 0;  // batch tokens: 1, 2, ...
  uint64_t done = 0;
  std::deque<std::vector<Event>> inflight;
  std::deque<Pending> replies;
  std::deque<Deferred> deferred;
  std::set<uint64_t> notifying;  // receivers whose inbox has not answered yet
  int64_t delivered_at_ns = 0;   // when Delivered was reported durable (0: before this actor)
  bool notify_retry_armed = false;
  uint64_t handled = 0;  // messages received from the manager
  uint64_t activity = 0;
  bool timer_armed = false;
  bool stopping = false;
  std::optional<RelayError> broken;
  // CRC-32C of bytes [0, checked), combined from this actor's own appends in
  // offset order (each chunk's CRC is computed once, for its event), so a
  // finish reads back from the log only what it did not see (chunks stored
  // before a restart, or out of order). `digest` is the whole file's, once a
  // finish computed it.
  uint32_t crc = 0;
  uint64_t checked = 0;
  std::optional<uint32_t> digest;
};

using TransferActor = TransferActorHandle::stateful_pointer<TransferActorState>;

TransferActorHandle::behavior_type transfer_actor(TransferActor self, uint64_t transfer_id,
                                                  std::shared_ptr<Shared> shared,
                                                  ManagerActorHandle manager);

}  // namespace glimpse::actors
