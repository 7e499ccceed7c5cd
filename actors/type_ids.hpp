#pragma once
// The project's one CAF type-ID block, its atoms, and the messages the relay's
// actors exchange (internal to actors/; node/ uses relay.hpp). CAF 0.17.6:
// atoms are atom_constants (at most 10 characters) and CAF_ADD_ATOM takes four
// arguments. A call travels as a message whose last element is its
// msg::Reply<T> (actors/reply.hpp): the actor that answers calls it, so no
// actor awaits a response. Messages carry callbacks and stay in one process,
// so they are whitelisted as unsafe (not serializable) rather than given
// `inspect` overloads; cluster messages will need those when the middleman
// carries them.
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/type_id.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/inbox.hpp"
#include "actors/listeners.hpp"
#include "actors/relay.hpp"
#include "actors/reply.hpp"
#include "actors/transfer.hpp"

namespace glimpse::actors::msg {

// A command for one transfer; `bytes` only with AppendChunk, and `more` only
// after one: further chunks of the same sender, decided in order after it and
// answered together (Relay::append of several chunks).
struct TransferCmd {
  uint64_t transfer_id = 0;
  TransferCommandBody body;
  util::SharedBytes bytes;
  std::optional<uint32_t> crc32c;  // of `bytes`, if the caller had it
  std::vector<ChunkBytes> more;
};

struct ResumeQuery {
  uint64_t transfer_id = 0;
  uint64_t sender = 0;
};

// open_file (max_len unused), read_file, and watch_file (with `watcher`).
struct FileQuery {
  uint64_t transfer_id = 0;
  uint64_t user = 0;
  std::string file_id;
  uint64_t offset = 0;
  uint64_t max_len = 0;
  std::shared_ptr<Listener<Expected<FileProgress>>> watcher;
};

struct InboxCmd {
  uint64_t user = 0;
  InboxCommandBody body;
  uint64_t available = 0;  // with QueueNotification: durable bytes when queued
};

struct SubscribeReq {
  uint64_t user = 0;
  std::shared_ptr<Listener<Notification>> listener;
};

// Durability report of one append batch, sent by the log's callback.
struct BatchDone {
  uint64_t token = 0;
  bool ok = true;
  std::string message;
  int64_t at_ns = 0;  // when the log reported it (RelayConfig::now_ns)
};

// What Relay::recover() found, handed to the manager.
struct RecoveryData {
  uint64_t next_transfer_id = 1;
  struct Unfinished {
    uint64_t transfer_id;
    uint64_t sender;
    int64_t last_event_ns;
  };
  std::vector<Unfinished> unfinished;
  std::vector<uint64_t> pending_notifies;  // transfer ids
};

// A transfer's answer to an open, on its way back to the manager: the manager
// settles its open bookkeeping, then passes `result` to `reply`.
struct OpenOutcome {
  std::string index_key;  // idempotency index key held in `opening`; empty = none
  bool fresh = false;     // the open allocated `transfer_id` (undone if it failed)
  uint64_t transfer_id = 0;
  Expected<TransferStatus> result = TransferStatus{};
  Reply<TransferStatus> reply;
};

// Sent by an actor that has been quiescent for passivate_after.
struct IdleReport {
  uint64_t key = 0;       // transfer id or user
  uint64_t handled = 0;   // messages received from the manager so far
  int64_t last_event_ns = 0;
  bool inbox = false;     // from an inbox actor (key = user), else a transfer
};

}  // namespace glimpse::actors::msg

CAF_BEGIN_TYPE_ID_BLOCK(glimpse, caf::first_custom_type_id)
CAF_ADD_ATOM(glimpse, glimpse, transfer_atom, "transfer")
CAF_ADD_ATOM(glimpse, glimpse, resume_atom, "resume")
CAF_ADD_ATOM(glimpse, glimpse, file_atom, "file")
CAF_ADD_ATOM(glimpse, glimpse, read_atom, "read")
CAF_ADD_ATOM(glimpse, glimpse, watch_atom, "watch")
CAF_ADD_ATOM(glimpse, glimpse, inbox_atom, "inbox")
CAF_ADD_ATOM(glimpse, glimpse, subscr_atom, "subscribe")
CAF_ADD_ATOM(glimpse, glimpse, notify_atom, "notify")
CAF_ADD_ATOM(glimpse, glimpse, durable_atom, "durable")
CAF_ADD_ATOM(glimpse, glimpse, idle_atom, "idle")
CAF_ADD_ATOM(glimpse, glimpse, tick_atom, "tick")
CAF_ADD_ATOM(glimpse, glimpse, stop_atom, "stop")
CAF_ADD_ATOM(glimpse, glimpse, finished_atom, "finished")
CAF_ADD_ATOM(glimpse, glimpse, expire_atom, "expire")
CAF_ADD_ATOM(glimpse, glimpse, sweep_atom, "sweep")
CAF_ADD_ATOM(glimpse, glimpse, init_atom, "init")
CAF_ADD_ATOM(glimpse, glimpse, stats_atom, "stats")
CAF_ADD_ATOM(glimpse, glimpse, opened_atom, "opened")
CAF_ADD_ATOM(glimpse, glimpse, notified_atom, "notified")
CAF_ADD_ATOM(glimpse, glimpse, gone_atom, "gone")
CAF_ADD_TYPE_ID(glimpse, (glimpse::actors::msg::TransferCmd))
CAF_ADD_TYPE_ID(glimpse, (glimpse::actors::msg::ResumeQuery))
CAF_ADD_TYPE_ID(glimpse, (glimpse::actors::msg::FileQuery))
CAF_ADD_TYPE_ID(glimpse, (glimpse::actors::msg::InboxCmd))
CAF_ADD_TYPE_ID(glimpse, (glimpse::actors::msg::SubscribeReq))
CAF_ADD_TYPE_ID(glimpse, (glimpse::actors::msg::BatchDone))
CAF_ADD_TYPE_ID(glimpse, (glimpse::actors::msg::RecoveryData))
CAF_ADD_TYPE_ID(glimpse, (glimpse::actors::msg::IdleReport))
CAF_ADD_TYPE_ID(glimpse, (glimpse::actors::msg::OpenOutcome))
CAF_ADD_TYPE_ID(glimpse, (glimpse::actors::msg::Reply<glimpse::actors::TransferStatus>))
CAF_ADD_TYPE_ID(glimpse, (glimpse::actors::msg::Reply<glimpse::actors::FileInfo>))
CAF_ADD_TYPE_ID(glimpse, (glimpse::actors::msg::Reply<std::string>))
CAF_ADD_TYPE_ID(glimpse, (glimpse::actors::msg::Reply<glimpse::actors::Done>))
CAF_ADD_TYPE_ID(glimpse, (glimpse::actors::msg::Reply<glimpse::actors::RelayStats>))
CAF_END_TYPE_ID_BLOCK(glimpse)

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(glimpse::actors::msg::TransferCmd)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(glimpse::actors::msg::ResumeQuery)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(glimpse::actors::msg::FileQuery)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(glimpse::actors::msg::InboxCmd)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(glimpse::actors::msg::SubscribeReq)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(glimpse::actors::msg::BatchDone)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(glimpse::actors::msg::RecoveryData)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(glimpse::actors::msg::IdleReport)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(glimpse::actors::msg::OpenOutcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(glimpse::actors::msg::Reply<glimpse::actors::TransferStatus>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(glimpse::actors::msg::Reply<glimpse::actors::FileInfo>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(glimpse::actors::msg::Reply<std::string>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(glimpse::actors::msg::Reply<glimpse::actors::Done>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(glimpse::actors::msg::Reply<glimpse::actors::RelayStats>)
