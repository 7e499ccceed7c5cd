#include "actors/manager.hpp"

#include <chrono>
#include <optional>

#include "actors/inbox_actor.hpp"
#include "actors/transfer_actor.hpp"

namespace glimpse::actors {
namespace {

using State = ManagerState;

State::Active<TransferActorHandle>& transfer_of(Manager self, uint64_t id) {
  auto& st = self->state;
  auto it = st.transfers.find(id);
  if (it != st.transfers.end()) return it->second;
  auto a = self->spawn<caf::lazy_init>(transfer_actor, id, st.shared,
                                       caf::actor_cast<ManagerActorHandle>(self));
  self->monitor(a);
  st.children[a.id()] = State::Child{true, id};
  return st.transfers.emplace(id, State::Active<TransferActorHandle>{a, 0}).first->second;
}

State::Active<InboxActorHandle>& inbox_of(Manager self, uint64_t user) {
  auto& st = self->state;
  auto it = st.inboxes.find(user);
  if (it != st.inboxes.end()) return it->second;
  auto a = self->spawn<caf::lazy_init>(inbox_actor, user, st.shared,
                                       caf::actor_cast<ManagerActorHandle>(self));
  self->monitor(a);
  st.children[a.id()] = State::Child{false, user};
  return st.inboxes.emplace(user, State::Active<InboxActorHandle>{a, 0}).first->second;
}

// Sends every live child an exit message (they fail what they have pending
// with `unavailable`), then stops the manager.
void stop_all(Manager self, const caf::error& reason) {
  for (auto& [id, child] : self->state.transfers) self->send_exit(child.actor, reason);
  for (auto& [user, child] : self->state.inboxes) self->send_exit(child.actor, reason);
  self->quit(reason);
}

// A transfer actor that failed (e.g. a storage failure) may leave receivers
// un-notified, and a finished transfer gets no further command to recover it.
constexpr auto kRestartNotifyAfter = std::chrono::seconds(1);

// The entry `key` of `map` if it is the current sender.
template <class Map>
typename Map::iterator sender_entry(Manager self, Map& map, uint64_t key) {
  auto it = map.find(key);
  if (it != map.end() &&
      it->second.actor.address() != caf::actor_cast<caf::actor_addr>(self->current_sender()))
    return map.end();
  return it;
}

// Routes nothing more to the child at `it`; the next call for its key spawns a
// fresh one.
template <class Map>
void forget_child(Manager self, Map& map, typename Map::iterator it) {
  self->demonitor(it->second.actor.address());
  self->state.children.erase(it->second.actor.id());
  map.erase(it);
}

// Passivates the child `key` of `map` if `r` proves nothing is on its way to it.
template <class Map>
bool passivate(Manager self, Map& map, const msg::IdleReport& r) {
  auto it = sender_entry(self, map, r.key);
  if (it == map.end() || it->second.sent != r.handled) return false;
  self->send(it->second.actor, stop_atom_v);
  forget_child(self, map, it);
  return true;
}

void forget_open(State& st, uint64_t id) {
  auto it = st.unfinished.find(id);
  if (it == st.unfinished.end()) return;
  auto c = st.open_per_sender.find(it->second.sender);
  if (c != st.open_per_sender.end() && --c->second == 0) st.open_per_sender.erase(c);
  st.unfinished.erase(it);
}

void arm_sweep(Manager self) {
  auto& st = self->state;
  const auto& cfg = st.shared->config;
  if (st.sweep_armed || cfg.idle_timeout.count() <= 0) return;
  st.sweep_armed = true;
  self->delayed_send(self, cfg.expiry_sweep_every, sweep_atom_v);
}

using StatusReply = msg::Reply<TransferStatus>;

// Allocates (or finds, by idempotency key) the transfer and forwards the open
// to it. Its answer comes back as opened_atom (see on_opened) before it reaches
// `reply`, so the manager can undo a failed open's bookkeeping.
void open(Manager self, msg::TransferCmd& cmd, StatusReply& reply) {
  auto& st = self->state;
  auto& h = std::get<OpenTransfer>(cmd.body).header;
  h.node = st.shared->config.node;
  const auto& limits = st.shared->config.limits;
  std::string key;
  uint64_t existing = 0;
  if (!h.idempotency_key.empty() && h.idempotency_key.size() <= limits.max_idempotency_key) {
    key = idempotency_index_key(h.sender, h.idempotency_key);
    if (auto it = st.opening.find(key); it != st.opening.end()) {
      existing = it->second;
    } else {
      std::string value;
      auto s = st.shared->log->get_index(key, &value);
      if (s.ok()) {
        existing = get_be64(value);
      } else if (s.code() != storage::Code::not_found) {
        return reply(storage_error(s, "cannot look up the idempotency key"));
      }
    }
  }
  bool fresh = false;
  if (existing == 0 && !st.recovered)
    return reply(RelayError{ErrorCode::unavailable,
                            "the relay has not recovered its log yet (Relay::recover); retry"});
  if (existing == 0) {
    if (auto e = validate_header(h, limits)) return reply(*e);
    const size_t max_open = st.shared->config.max_open_transfers_per_user;
    if (st.open_per_sender[h.sender] >= max_open)
      return reply(RelayError{ErrorCode::limit_exceeded,
                              "you already have " + std::to_string(max_open) +
                                  " unfinished transfers; finish or abort one first"});
    existing = st.next_transfer_id++;
    fresh = true;
    ++st.open_per_sender[h.sender];
    st.unfinished[existing] = State::Unfinished{h.sender, st.shared->now_ns()};
    if (!key.empty()) st.opening[key] = existing;
  }
  h.transfer_id = existing;
  cmd.transfer_id = existing;
  auto& target = transfer_of(self, existing);
  ++target.sent;
  // Called on the transfer's thread, or with `unavailable` wherever the open is
  // dropped: only a send. If the manager is gone, that send drops the outcome,
  // and with it `reply`, which then answers `unavailable` itself.
  StatusReply back{[mgr = caf::actor_cast<ManagerActorHandle>(self), key, fresh, id = existing,
                    reply](Expected<TransferStatus> r) {
    caf::anon_send(mgr, opened_atom_v, msg::OpenOutcome{key, fresh, id, std::move(r), reply});
  }};
  self->send(target.actor, transfer_atom_v, std::move(cmd), std::move(back));
}

void on_opened(Manager self, msg::OpenOutcome& o) {
  auto& st = self->state;
  if (!o.index_key.empty()) st.opening.erase(o.index_key);
  if (!o.result.ok() && o.fresh) forget_open(st, o.transfer_id);
  o.reply(std::move(o.result));
}

// A transfer id this node never allocated: answered here, so that made-up ids
// cannot make the manager spawn (and keep) an actor per id.
bool unallocated(const State& st, uint64_t id) {
  return st.recovered && (id == 0 || id >= st.next_transfer_id);
}

RelayError no_such_file(const std::string& file_id) {
  return RelayError{ErrorCode::not_found,
                    "no file " + file_id + " for you; check the id or ask the sender"};
}

RelayError no_such_transfer(uint64_t id) {
  return RelayError{ErrorCode::not_found, "no transfer " + std::to_string(id) + " for this sender"};
}

// Forwards a call to the transfer's actor, spawning it if passivated.
template <class... Ts>
void to_transfer(Manager self, uint64_t id, Ts&&... xs) {
  auto& a = transfer_of(self, id);
  ++a.sent;
  self->send(a.actor, std::forward<Ts>(xs)...);
}

template <class... Ts>
void to_inbox(Manager self, uint64_t user, Ts&&... xs) {
  auto& a = inbox_of(self, user);
  ++a.sent;
  self->send(a.actor, std::forward<Ts>(xs)...);
}

}  // namespace

ManagerActorHandle::behavior_type manager_actor(Manager self, std::shared_ptr<Shared> shared) {
  self->state.shared = std::move(shared);
  self->set_down_handler([self](caf::down_msg& m) {
    auto& st = self->state;
    auto it = st.children.find(m.source.id());
    if (it == st.children.end()) return;  // passivated: already forgotten
    const State::Child child = it->second;
    st.children.erase(it);
    if (!child.is_transfer) {
      st.inboxes.erase(child.key);
      return;
    }
    st.transfers.erase(child.key);
    if (m.reason && m.reason != caf::exit_reason::normal)
      self->delayed_send(self, kRestartNotifyAfter, notify_atom_v, child.key);
  });
  self->set_exit_handler([self](caf::exit_msg& m) { stop_all(self, m.reason); });
  return {
      [self](transfer_atom, msg::TransferCmd& cmd, StatusReply& reply) {
        if (std::holds_alternative<OpenTransfer>(cmd.body)) return open(self, cmd, reply);
        if (unallocated(self->state, cmd.transfer_id))
          return reply(no_such_transfer(cmd.transfer_id));
        to_transfer(self, cmd.transfer_id, transfer_atom_v, std::move(cmd), std::move(reply));
      },
      [self](resume_atom, msg::ResumeQuery& q, StatusReply& reply) {
        if (unallocated(self->state, q.transfer_id)) return reply(no_such_transfer(q.transfer_id));
        to_transfer(self, q.transfer_id, resume_atom_v, std::move(q), std::move(reply));
      },
      [self](file_atom, msg::FileQuery& q, msg::Reply<FileInfo>& reply) {
        if (unallocated(self->state, q.transfer_id)) return reply(no_such_file(q.file_id));
        to_transfer(self, q.transfer_id, file_atom_v, std::move(q), std::move(reply));
      },
      [self](read_atom, msg::FileQuery& q, msg::Reply<std::string>& reply) {
        if (unallocated(self->state, q.transfer_id)) return reply(no_such_file(q.file_id));
        to_transfer(self, q.transfer_id, read_atom_v, std::move(q), std::move(reply));
      },
      [self](watch_atom, msg::FileQuery& q, msg::Reply<Done>& reply) {
        if (unallocated(self->state, q.transfer_id)) return reply(no_such_file(q.file_id));
        to_transfer(self, q.transfer_id, watch_atom_v, std::move(q), std::move(reply));
      },
      [self](inbox_atom, msg::InboxCmd& cmd, msg::Reply<Done>& reply) {
        to_inbox(self, cmd.user, inbox_atom_v, std::move(cmd), std::move(reply));
      },
      [self](subscr_atom, msg::SubscribeReq& req, msg::Reply<Done>& reply) {
        to_inbox(self, req.user, subscr_atom_v, std::move(req), std::move(reply));
      },
      [self](opened_atom, msg::OpenOutcome& o) { on_opened(self, o); },
      [self](idle_atom, msg::IdleReport& r) {
        auto& st = self->state;
        if (r.inbox) {
          passivate(self, st.inboxes, r);
        } else if (passivate(self, st.transfers, r)) {
          if (auto u = st.unfinished.find(r.key); u != st.unfinished.end())
            u->second.last_event_ns = r.last_event_ns;
        }
      },
      [self](gone_atom, uint64_t key, bool inbox) {
        auto& st = self->state;
        if (inbox) {
          if (auto it = sender_entry(self, st.inboxes, key); it != st.inboxes.end())
            forget_child(self, st.inboxes, it);
        } else if (auto it = sender_entry(self, st.transfers, key); it != st.transfers.end()) {
          forget_child(self, st.transfers, it);
          // As for any abnormal exit (see the down handler).
          self->delayed_send(self, kRestartNotifyAfter, notify_atom_v, key);
        }
      },
      [self](finished_atom, uint64_t id, uint64_t) { forget_open(self->state, id); },
      [self](notify_atom, uint64_t id) {
        // A fresh actor recovers from the log and notifies whoever is left.
        self->send(transfer_of(self, id).actor, notify_atom_v);
      },
      [self](sweep_atom) {
        auto& st = self->state;
        st.sweep_armed = false;
        const int64_t now = st.shared->now_ns();
        const int64_t timeout =
            std::chrono::duration_cast<std::chrono::nanoseconds>(st.shared->config.idle_timeout)
                .count();
        std::vector<uint64_t> due;
        for (const auto& [id, u] : st.unfinished)
          if (now - u.last_event_ns >= timeout) due.push_back(id);
        for (uint64_t id : due) {
          auto& a = transfer_of(self, id);
          ++a.sent;
          self->send(a.actor, expire_atom_v, now);
        }
        arm_sweep(self);
      },
      [self](init_atom, msg::RecoveryData& data) {
        auto& st = self->state;
        st.recovered = true;
        st.next_transfer_id = std::max(st.next_transfer_id, data.next_transfer_id);
        for (const auto& u : data.unfinished) {
          if (st.unfinished.count(u.transfer_id)) continue;
          st.unfinished[u.transfer_id] = State::Unfinished{u.sender, u.last_event_ns};
          ++st.open_per_sender[u.sender];
        }
        for (uint64_t id : data.pending_notifies) {
          // Not counted in `sent`: the transfer does not count notify_atom either.
          self->send(transfer_of(self, id).actor, notify_atom_v);  // recovery resumes notifying
        }
        arm_sweep(self);
      },
      [self](stats_atom, msg::Reply<RelayStats>& reply) {
        auto& st = self->state;
        reply(RelayStats{st.transfers.size(), st.inboxes.size(), st.unfinished.size(),
                         st.next_transfer_id});
      },
      [self](stop_atom) { stop_all(self, caf::exit_reason::user_shutdown); },
  };
}

}  // namespace glimpse::actors
