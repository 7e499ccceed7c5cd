#include "actors/inbox_actor.hpp"

#include "actors/event_codec.hpp"
#include "actors/passivation.hpp"

namespace glimpse::actors {
namespace {

using State = InboxActorState;

bool quiescent(const State& st) { return st.inflight.empty() && st.replies.empty(); }


Notification to_notification(const State& st, const NotificationQueued& n) {
  auto it = st.available.find(n.file_id);
  return notification_of(n, it == st.available.end() ? n.mts : it->second);
}

void flush_replies(State& st) {
  while (!st.replies.empty() && st.replies.front().after <= st.done) {
    auto p = std::move(st.replies.front());
    st.replies.pop_front();
    p.reply(std::move(p.answer));
  }
}

void fail(InboxActor self, const RelayError& error) {
  announce_exit(self, self->state.user, true);
  auto replies = std::move(self->state.replies);
  self->state.replies.clear();
  for (auto& p : replies) p.reply(Expected<Done>(error));
  self->quit(caf::make_error(caf::sec::runtime_error, error.to_string()));
}

void issue(InboxActor self, std::vector<Event> events) {
  auto& st = self->state;
  storage::AppendRequest req;
  req.stream = inbox_stream(st.user);
  req.expected_seq = st.next_seq;
  for (const auto& e : events) {
    req.events.push_back(encode_event(e));
    apply_in_place(st.decided, e);
  }
  st.next_seq += events.size();
  const uint64_t token = ++st.issued;
  st.inflight.push_back(std::move(events));
  auto handle = caf::actor_cast<InboxActorHandle>(self);
  st.shared->log->append(std::move(req), [handle, token](storage::Status s) {
    caf::anon_send(handle, durable_atom_v, msg::BatchDone{token, s.ok(), s.to_string()});
  });
}

void recover(InboxActor self) {
  auto& st = self->state;
  st.durable.user = st.user;
  st.broken = replay_into(*st.shared->log, inbox_stream(st.user), &st.durable, &st.next_seq,
                          "the inbox of user " + std::to_string(st.user));
  st.decided = st.durable;
}

// Hands the subscriber every pending notification, then registers it.
Expected<Done> subscribe(State& st, const msg::SubscribeReq& req) {
  for (const auto& n : st.durable.pending)
    if (!req.listener->call(to_notification(st, n))) return Done{};
  // Queued but not yet durable: already told to the live subscribers (see
  // inbox_atom), so a new subscriber hears of them too.
  for (const auto& batch : st.inflight)
    for (const auto& e : batch)
      if (auto* q = std::get_if<NotificationQueued>(&e.body))
        if (!req.listener->call(to_notification(st, *q))) return Done{};
  st.shared->inbox_listeners->add(st.user, req.listener);
  return Done{};
}

}  // namespace

InboxActorHandle::behavior_type inbox_actor(InboxActor self, uint64_t user,
                                            std::shared_ptr<Shared> shared,
                                            ManagerActorHandle manager) {
  auto& st = self->state;
  st.user = user;
  st.shared = std::move(shared);
  st.manager = std::move(manager);
  self->set_exit_handler([self](caf::exit_msg&) {
    fail(self, RelayError{ErrorCode::unavailable, "the relay is shutting down; retry later"});
  });
  recover(self);
  arm_idle(self);
  return {
      [self](inbox_atom, msg::InboxCmd& cmd, msg::Reply<Done>& reply) {
        auto& st = self->state;
        ++st.handled;
        arm_idle(self);
        if (st.broken) {
          announce_exit(self, st.user, true);
          reply(Expected<Done>(*st.broken));
          return self->quit();
        }
        if (auto* q = std::get_if<QueueNotification>(&cmd.body))
          st.available.emplace(q->notification.file_id, cmd.available);
        auto d = decide(st.decided, InboxCommand{st.shared->now_ns(), std::move(cmd.body)});
        // Live subscribers hear of a new notification now, while its
        // NotificationQueued is being written: the Delivered behind it is
        // already durable, and if this write fails the transfer queues it
        // again (a repeat, which clients drop by file id).
        std::vector<Notification> live;
        for (const auto& e : d.events)
          if (auto* q = std::get_if<NotificationQueued>(&e.body))
            live.push_back(to_notification(st, *q));
        if (!d.events.empty()) issue(self, std::move(d.events));
        st.replies.push_back(State::Pending{st.issued, std::move(reply), std::move(d.reply)});
        flush_replies(st);
        for (const auto& n : live) st.shared->inbox_listeners->notify(st.user, n);
      },
      [self](subscr_atom, msg::SubscribeReq& req, msg::Reply<Done>& reply) {
        auto& st = self->state;
        ++st.handled;
        arm_idle(self);
        if (st.broken) {
          announce_exit(self, st.user, true);
          reply(Expected<Done>(*st.broken));
          return self->quit();
        }
        reply(subscribe(st, req));
      },
      [self](durable_atom, msg::BatchDone& b) {
        auto& st = self->state;
        if (!b.ok || st.inflight.empty() || b.token != st.done + 1)
          return fail(self, RelayError{ErrorCode::storage_failure,
                                       "the event log did not persist the inbox of user " +
                                           std::to_string(st.user) + " (" + b.message +
                                           "); nothing of it is acknowledged, retry"});
        auto events = std::move(st.inflight.front());
        st.inflight.pop_front();
        st.done = b.token;
        for (const auto& e : events) apply_in_place(st.durable, e);
        flush_replies(st);
        if (st.stopping && quiescent(st)) return self->quit();
        arm_idle(self);
      },
      [self](idle_atom, uint64_t activity) {
        const auto& st = self->state;
        on_idle_timer(self, activity, quiescent(st), msg::IdleReport{st.user, st.handled, 0, true});
      },
      [self](stop_atom) { on_stop(self, quiescent(self->state)); },
  };
}

}  // namespace glimpse::actors
