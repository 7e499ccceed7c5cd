#include "actors/transfer_actor.hpp"

#include <algorithm>
#include <cstring>

#include "actors/event_codec.hpp"
#include "actors/passivation.hpp"
#include "util/crc32c.hpp"

namespace glimpse::actors {
namespace {

using State = TransferActorState;

RelayError no_such_file(const std::string& file_id) {
  return RelayError{ErrorCode::not_found,
                    "no file " + file_id + " for you; check the id or ask the sender"};
}

std::optional<RelayError> file_access(const TransferState& s, uint64_t user,
                                      const std::string& file_id) {
  const auto& r = s.header.receivers;
  const bool allowed =
      user == s.header.sender || std::find(r.begin(), r.end(), user) != r.end();
  if (!s.delivered() || s.file_id != file_id || !allowed) return no_such_file(file_id);
  return std::nullopt;
}

FileProgress progress_of(const TransferState& s) {
  return FileProgress{s.acked, s.phase == TransferPhase::completed,
                      s.phase == TransferPhase::aborted || s.phase == TransferPhase::expired};
}

bool quiescent(const State& st) {
  return st.inflight.empty() && st.deferred.empty() && st.replies.empty() &&
         st.notifying.empty() && !st.notify_retry_armed;
}


void flush_replies(State& st) {
  while (!st.replies.empty() && st.replies.front().after <= st.done) {
    auto p = std::move(st.replies.front());
    st.replies.pop_front();
    p.reply(std::move(p.answer));
  }
}

// Fails everything pending and exits; the manager recovers a fresh actor on demand.
void fail(TransferActor self, const RelayError& error) {
  auto& st = self->state;
  announce_exit(self, st.id, false);
  auto replies = std::move(st.replies);
  auto deferred = std::move(st.deferred);
  st.replies.clear();
  st.deferred.clear();
  for (auto& p : replies) p.reply(Expected<TransferStatus>(error));
  for (auto& d : deferred) d.reply(Expected<TransferStatus>(error));
  self->quit(caf::make_error(caf::sec::runtime_error, error.to_string()));
}

// Tells one receiver of a delivered file, from any thread: asks its inbox
// (through the manager) to queue the notification durably, with a reply that
// comes back to the transfer as notified_atom, and then, if `live`, tells the
// receiver's live subscribers at once, without waiting for the inbox.
// Ordering: the queue request is in the manager's mailbox before any
// subscriber hears of the file, so an ack the subscriber sends reaches the
// inbox after the notification it acks. The inbox tells its live subscribers
// again when it queues; those repeats are the listener's to drop (by file id).
struct Announcement {
  uint64_t receiver = 0;
  NotificationQueued queued;
  uint64_t available = 0;  // durable bytes once the announcing batch is
};

void announce(const TransferActorHandle& me, const ManagerActorHandle& manager, Shared& shared,
              Announcement a, bool live) {
  const Notification now = notification_of(a.queued, a.available);
  const uint64_t receiver = a.receiver;
  msg::InboxCmd cmd{receiver, QueueNotification{std::move(a.queued)}, a.available};
  // Answered on the inbox's thread (or wherever the call is dropped): only a send.
  msg::Reply<Done> queued{[me, receiver](Expected<Done> r) {
    caf::anon_send(me, notified_atom_v, receiver, r.ok());
  }};
  caf::anon_send(manager, inbox_atom_v, std::move(cmd), std::move(queued));
  if (live) shared.inbox_listeners->notify(receiver, now);
}

// The announcements owed to receivers not yet being notified, marking them
// as being notified. `delivered_ns` 0 is filled in by the caller.
std::vector<Announcement> owed_announcements(State& st, const TransferState& s,
                                             int64_t delivered_ns) {
  std::vector<Announcement> out;
  const auto& h = s.header;
  for (uint64_t receiver : s.receivers_to_notify()) {
    if (!st.notifying.insert(receiver).second) continue;
    out.push_back(Announcement{receiver,
                               NotificationQueued{s.file_id, h.transfer_id, h.sender, h.total_size,
                                                  h.mts, h.width, h.height, delivered_ns},
                               s.acked});
  }
  return out;
}

// Persists `events` (already applied to st.decided) as one batch; `chunk_bytes`
// holds the bytes of their ChunkAppended events, in order.
void issue(TransferActor self, std::vector<Event> events,
           std::vector<util::SharedBytes> chunk_bytes) {
  auto& st = self->state;
  storage::AppendRequest req;
  req.stream = transfer_stream(st.id);
  req.expected_seq = st.next_seq;
  bool delivers = false;
  size_t next_bytes = 0;
  for (const auto& e : events) {
    req.events.push_back(encode_event(e));
    if (auto* c = std::get_if<ChunkAppended>(&e.body))
      req.chunks.push_back(
          storage::ChunkPut{c->offset, std::move(chunk_bytes.at(next_bytes++)), c->crc32c});
    if (auto* o = std::get_if<TransferOpened>(&e.body)) {
      std::string id_be;
      put_be64(id_be, o->transfer_id);
      if (!o->idempotency_key.empty())
        req.index.push_back({idempotency_index_key(o->sender, o->idempotency_key), id_be});
      for (uint64_t r : o->receivers)
        req.index.push_back({receiver_index_key(r, o->transfer_id), std::string()});
    }
    delivers |= std::holds_alternative<Delivered>(e.body);
  }
  st.next_seq += events.size();
  const uint64_t token = ++st.issued;
  st.inflight.push_back(std::move(events));
  // A batch that delivers the file announces it from the log's thread the
  // moment it is durable: receivers do not wait for this actor's next turn.
  // (Should the batch fail, the actor fails and its successor re-announces
  // from what the log holds.)
  std::vector<Announcement> owed;
  if (delivers) owed = owed_announcements(st, st.decided, 0);
  auto handle = caf::actor_cast<TransferActorHandle>(self);
  // Runs on the log's writer thread (or inline for the memory log): a clock
  // read and sends.
  st.shared->log->append(
      std::move(req), [handle, token, shared = st.shared, manager = st.manager,
                       owed = std::move(owed)](storage::Status s) mutable {
        const int64_t at = shared->now_ns();
        caf::anon_send(handle, durable_atom_v, msg::BatchDone{token, s.ok(), s.to_string(), at});
        if (!s.ok()) return;
        for (auto& a : owed) {
          a.queued.delivered_ns = at;
          announce(handle, manager, *shared, std::move(a), /*live=*/true);
        }
      });
}

std::optional<uint32_t> stored_crc32c(State& st) {
  if (st.digest) return st.digest;
  const uint64_t ts = st.durable.header.total_size;
  std::string buf;
  for (uint64_t off = st.checked; off < ts;) {
    const uint64_t len = std::min<uint64_t>(1 << 20, ts - off);
    buf.clear();
    if (!st.shared->log->read_chunks(st.id, off, len, &buf).ok() || buf.size() != len)
      return std::nullopt;  // [0, checked) stays valid for the next finish
    st.crc = util::crc32c_extend(st.crc, buf.data(), buf.size());
    st.checked = off += len;
  }
  st.digest = st.crc;
  return st.digest;
}

// Decides one command against st.decided and applies its events there; the
// bytes of an accepted new chunk go to `chunk_bytes`, its events to `events`.
Expected<TransferStatus> decide_one(State& st, TransferCommandBody body, util::SharedBytes bytes,
                                    std::optional<uint32_t> bytes_crc, std::vector<Event>& events,
                                    std::vector<util::SharedBytes>& chunk_bytes) {
  if (auto* f = std::get_if<FinishTransfer>(&body)) {
    if (st.decided.phase == TransferPhase::open &&
        st.decided.acked == st.decided.header.total_size)
      f->stored_crc32c = stored_crc32c(st);  // reads only once durable == decided (must_wait)
  }
  auto* append = std::get_if<AppendChunk>(&body);
  const uint32_t chunk_crc =
      append == nullptr ? 0 : bytes_crc ? *bytes_crc : util::crc32c(bytes.view());
  if (append != nullptr) append->crc32c = chunk_crc;
  const bool in_order = append != nullptr && append->offset == st.checked && !st.digest;
  auto d = decide(st.decided, TransferCommand{st.shared->now_ns(), std::move(body)},
                  st.shared->config.limits);
  if (!d.events.empty()) {
    if (in_order) {  // a new chunk that continues the checked prefix
      st.crc = util::crc32c_combine(st.crc, chunk_crc, bytes.size());
      st.checked += bytes.size();
    }
    if (append != nullptr) chunk_bytes.push_back(std::move(bytes));
    for (auto& e : d.events) {
      apply_in_place(st.decided, e);
      events.push_back(std::move(e));
    }
  }
  return std::move(d.reply);
}

// Decides `cmd` now (no waiting), with the chunks that ride along with an
// append, persists what they accepted as one batch, and queues one reply
// behind every issued batch: the first refusal, else the last status.
void execute(TransferActor self, msg::TransferCmd cmd, State::Reply reply) {
  auto& st = self->state;
  std::vector<Event> events;
  std::vector<util::SharedBytes> chunk_bytes;
  const auto* first = std::get_if<AppendChunk>(&cmd.body);
  const uint64_t sender = first != nullptr ? first->sender : 0;
  auto answer =
      decide_one(st, std::move(cmd.body), std::move(cmd.bytes), cmd.crc32c, events, chunk_bytes);
  for (auto& c : cmd.more) {
    if (!answer.ok()) break;
    AppendChunk next{sender, c.offset, static_cast<uint32_t>(c.bytes.size()), 0};
    answer = decide_one(st, next, std::move(c.bytes), c.crc32c, events, chunk_bytes);
  }
  if (!events.empty()) issue(self, std::move(events), std::move(chunk_bytes));
  st.replies.push_back(State::Pending{st.issued, std::move(reply), std::move(answer)});
  flush_replies(st);
}

void execute_resume(State& st, uint64_t sender, State::Reply to) {
  Expected<TransferStatus> reply = st.decided.status();
  if (st.decided.phase == TransferPhase::none || st.decided.header.sender != sender)
    reply = RelayError{ErrorCode::not_found,
                       "no transfer " + std::to_string(st.id) + " for this sender"};
  else if (st.decided.phase == TransferPhase::aborted || st.decided.phase == TransferPhase::expired)
    reply = RelayError{ErrorCode::aborted, "transfer " + std::to_string(st.id) +
                                               " was aborted or expired; open a new transfer"};
  st.replies.push_back(State::Pending{st.issued, std::move(to), std::move(reply)});
  flush_replies(st);
}

// A finish reads back from the log the bytes whose CRC this actor did not
// combine as they came, and those must be durable first. When it saw every
// chunk in order, it decides at once: its Completed then rides in the batch
// after the last chunks' (the log makes a stream's batches durable in order,
// and after a failed one every later one conflicts on its expected seq), so
// the sender's done() costs no extra wait for durability.
bool must_wait(const State& st, const State::Deferred& d) {
  return !d.resume && std::holds_alternative<FinishTransfer>(d.cmd.body) &&
         !st.inflight.empty() && st.checked < st.decided.header.total_size;
}

void run_deferred(TransferActor self) {
  auto& st = self->state;
  while (!st.deferred.empty() && !must_wait(st, st.deferred.front())) {
    auto d = std::move(st.deferred.front());
    st.deferred.pop_front();
    if (d.resume)
      execute_resume(st, d.sender, std::move(d.reply));
    else
      execute(self, std::move(d.cmd), std::move(d.reply));
  }
}

void submit(TransferActor self, State::Deferred work) {
  auto& st = self->state;
  st.deferred.push_back(std::move(work));
  run_deferred(self);
}

void start_notifications(TransferActor self);

void after_durable(TransferActor self, const std::vector<Event>& events) {
  auto& st = self->state;
  bool progress = false, terminal = false, expired = false;
  for (const auto& e : events) {
    progress |= !std::holds_alternative<ReceiverNotified>(e.body);
    expired |= std::holds_alternative<Expired>(e.body);
    terminal |=
        std::holds_alternative<Completed>(e.body) || std::holds_alternative<Aborted>(e.body);
  }
  terminal |= expired;
  if (expired && st.shared->config.on_expired) st.shared->config.on_expired(st.id);
  if (progress && st.durable.delivered() && st.shared->file_watchers->has_listeners(st.id))
    st.shared->file_watchers->notify(st.id, progress_of(st.durable));
  if (terminal) self->send(st.manager, finished_atom_v, st.id, st.durable.header.sender);
}

// Queues the notification in the inbox of every receiver not yet notified
// and not being notified (after recovery, or to retry): their subscribers hear
// of it from the inbox.
void start_notifications(TransferActor self) {
  auto& st = self->state;
  const int64_t delivered_ns = st.delivered_at_ns != 0 ? st.delivered_at_ns : st.durable.delivered_ns;
  auto handle = caf::actor_cast<TransferActorHandle>(self);
  for (auto& a : owed_announcements(st, st.durable, delivered_ns))
    announce(handle, st.manager, *st.shared, std::move(a), /*live=*/false);
}

void on_notified(TransferActor self, uint64_t receiver, bool queued) {
  auto& st = self->state;
  st.notifying.erase(receiver);
  if (!queued) {
    if (!st.notify_retry_armed) {
      st.notify_retry_armed = true;
      self->delayed_send(self, std::chrono::milliseconds(200), notify_atom_v);
    }
    return;
  }
  submit(self, State::Deferred{
                   msg::TransferCmd{st.id, MarkReceiverNotified{receiver}, {}, {}, {}}, false, 0,
                   {}});
  arm_idle(self);
}

void recover(TransferActor self) {
  auto& st = self->state;
  st.broken = replay_into(*st.shared->log, transfer_stream(st.id), &st.durable, &st.next_seq,
                          "transfer " + std::to_string(st.id));
  st.decided = st.durable;
}

// Answers a command of a transfer that could not be recovered, then exits.
void refuse_broken(TransferActor self, const State::Reply& reply) {
  announce_exit(self, self->state.id, false);
  reply(Expected<TransferStatus>(*self->state.broken));
  self->quit(caf::make_error(caf::sec::runtime_error, self->state.broken->to_string()));
}

Expected<FileInfo> file_info(TransferActor self, const msg::FileQuery& q) {
  const auto& st = self->state;
  if (st.broken) return *st.broken;
  const auto& s = st.durable;
  if (auto e = file_access(s, q.user, q.file_id)) return *e;
  const auto& h = s.header;
  auto p = progress_of(s);
  return FileInfo{s.file_id, h.transfer_id, h.sender,    h.total_size, h.mts,    h.width,
                  h.height,  h.scan_ends,   p.available, p.completed,  p.aborted};
}

Expected<std::string> read_bytes(TransferActor self, const msg::FileQuery& q) {
  const auto& st = self->state;
  if (st.broken) return *st.broken;
  const auto& s = st.durable;
  if (auto e = file_access(s, q.user, q.file_id)) return *e;
  if (q.offset > s.header.total_size)
    return RelayError{ErrorCode::invalid_argument, "offset " + std::to_string(q.offset) +
                                                       " is past the file's size " +
                                                       std::to_string(s.header.total_size)};
  if (q.offset >= s.acked || q.max_len == 0) return std::string();
  const uint64_t len = std::min(q.max_len, s.acked - q.offset);
  std::string out;
  auto rs = st.shared->log->read_chunks(st.id, q.offset, len, &out);
  if (!rs.ok()) return storage_error(rs, "cannot read file " + q.file_id);
  return out;
}

Expected<Done> watch(TransferActor self, const msg::FileQuery& q) {
  auto& st = self->state;
  if (st.broken) return *st.broken;
  if (auto e = file_access(st.durable, q.user, q.file_id)) return *e;
  if (q.watcher->call(progress_of(st.durable))) st.shared->file_watchers->add(st.id, q.watcher);
  return Done{};
}

}  // namespace

TransferActorHandle::behavior_type transfer_actor(TransferActor self, uint64_t transfer_id,
                                                  std::shared_ptr<Shared> shared,
                                                  ManagerActorHandle manager) {
  auto& st = self->state;
  st.id = transfer_id;
  st.shared = std::move(shared);
  st.manager = std::move(manager);
  self->set_exit_handler([self](caf::exit_msg& m) {
    fail(self, RelayError{ErrorCode::unavailable, "the relay is shutting down; retry later"});
  });
  recover(self);
  if (!st.broken) start_notifications(self);
  arm_idle(self);
  return {
      [self](transfer_atom, msg::TransferCmd& cmd, State::Reply& reply) {
        auto& st = self->state;
        ++st.handled;
        if (st.broken) return refuse_broken(self, reply);
        submit(self, State::Deferred{std::move(cmd), false, 0, std::move(reply)});
        arm_idle(self);
      },
      [self](resume_atom, msg::ResumeQuery& q, State::Reply& reply) {
        auto& st = self->state;
        ++st.handled;
        if (st.broken) return refuse_broken(self, reply);
        submit(self, State::Deferred{{}, true, q.sender, std::move(reply)});
        arm_idle(self);
      },
      [self](file_atom, msg::FileQuery& q, msg::Reply<FileInfo>& reply) {
        ++self->state.handled;
        arm_idle(self);
        reply(file_info(self, q));
      },
      [self](read_atom, msg::FileQuery& q, msg::Reply<std::string>& reply) {
        ++self->state.handled;
        arm_idle(self);
        reply(read_bytes(self, q));
      },
      [self](watch_atom, msg::FileQuery& q, msg::Reply<Done>& reply) {
        ++self->state.handled;
        arm_idle(self);
        reply(watch(self, q));
      },
      [self](expire_atom, int64_t now) {
        auto& st = self->state;
        ++st.handled;
        const auto timeout =
            std::chrono::duration_cast<std::chrono::nanoseconds>(st.shared->config.idle_timeout);
        if (!st.broken && st.decided.phase == TransferPhase::open && timeout.count() > 0 &&
            now - st.decided.last_event_ns >= timeout.count())
          submit(self,
                 State::Deferred{msg::TransferCmd{st.id, ExpireTransfer{}, {}, {}, {}}, false, 0,
                                 {}});
        arm_idle(self);
      },
      [self](durable_atom, msg::BatchDone& b) {
        auto& st = self->state;
        if (!b.ok)
          return fail(self, RelayError{ErrorCode::storage_failure,
                                       "the event log did not persist transfer " +
                                           std::to_string(st.id) + "'s batch (" + b.message +
                                           "); nothing of it is acknowledged, retry"});
        if (st.inflight.empty() || b.token != st.done + 1)
          return fail(self, RelayError{ErrorCode::storage_failure,
                                       "batches of transfer " + std::to_string(st.id) +
                                           " completed out of order; retry"});
        auto events = std::move(st.inflight.front());
        st.inflight.pop_front();
        st.done = b.token;
        for (const auto& e : events) {
          apply_in_place(st.durable, e);
          if (std::holds_alternative<Delivered>(e.body)) st.delivered_at_ns = b.at_ns;
        }
        flush_replies(st);
        after_durable(self, events);
        run_deferred(self);
        if (st.stopping && quiescent(st)) return self->quit();
        arm_idle(self);
      },
      // A broken actor (its replay failed) knows only part of its stream:
      // it neither announces nor records notifications from that part.
      [self](notify_atom) {
        self->state.notify_retry_armed = false;
        if (!self->state.broken) start_notifications(self);
      },
      [self](notified_atom, uint64_t receiver, bool queued) {
        if (!self->state.broken) on_notified(self, receiver, queued);
      },
      [self](idle_atom, uint64_t activity) {
        const auto& st = self->state;
        on_idle_timer(self, activity, quiescent(st),
                      msg::IdleReport{st.id, st.handled, st.durable.last_event_ns});
      },
      [self](stop_atom) { on_stop(self, quiescent(self->state)); },
  };
}

}  // namespace glimpse::actors
