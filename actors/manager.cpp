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

// Passivates the child `key` of `map` if `r` proves nothing is on its way to it.
template <class Map>
bool passivate(Manager self, Map& map, const msg::IdleReport& r) {
  auto it = map.find(r.key);
  if (it == map.end() ||
      it->second.actor.address() != caf::actor_cast<caf::actor_addr>(self->current_sender()) ||
      it->second.sent != r.handled)
    return false;
  self->send(it->second.actor, stop_atom_v);
  self->demonitor(it->second.actor.address());
  self->state.children.erase(it->second.actor.id());
  map.erase(it);
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

using StatusPromise = caf::typed_response_promise<Expected<TransferStatus>>;

StatusPromise open(Manager self, msg::TransferCmd& cmd) {
  auto& st = self->state;
  auto rp = self->make_response_promise<Expected<TransferStatus>>();
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
        rp.deliver(Expected<TransferStatus>(storage_error(s, "cannot look up the idempotency key")));
        return rp;
      }
    }
  }
  bool fresh = false;
  if (existing == 0 && !st.recovered) {
    rp.deliver(Expected<TransferStatus>(RelayError{
        ErrorCode::unavailable, "the relay has not recovered its log yet (Relay::recover); retry"}));
    return rp;
  }
  if (existing == 0) {
    if (auto e = validate_header(h, limits)) {
      rp.deliver(Expected<TransferStatus>(*e));
      return rp;
    }
    const size_t max_open = st.shared->config.max_open_transfers_per_user;
    if (st.open_per_sender[h.sender] >= max_open) {
      rp.deliver(Expected<TransferStatus>(RelayError{
          ErrorCode::limit_exceeded, "you already have " + std::to_string(max_open) +
                                         " unfinished transfers; finish or abort one first"}));
      return rp;
    }
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
  auto undo = [self, key, fresh, id = existing] {
    auto& st = self->state;
    if (!key.empty()) st.opening.erase(key);
    if (fresh) forget_open(st, id);
  };
  self->request(target.actor, caf::infinite, transfer_atom_v, std::move(cmd))
      .then(
          [self, rp, key, undo](Expected<TransferStatus>& r) mutable {
            if (!r.ok()) undo();
            else if (!key.empty()) self->state.opening.erase(key);
            rp.deliver(std::move(r));
          },
          [rp, undo](caf::error& e) mutable {
            undo();
            rp.deliver(Expected<TransferStatus>(RelayError{
                ErrorCode::unavailable, "transfer restarting (" + caf::to_string(e) + "); retry"}));
          });
  return rp;
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

template <class R>
caf::typed_response_promise<R> refused(Manager self, RelayError error) {
  auto rp = self->make_response_promise<R>();
  rp.deliver(R(std::move(error)));
  return rp;
}

template <class R, class... Ts>
caf::typed_response_promise<R> route_transfer(Manager self, uint64_t id, Ts&&... xs) {
  auto& a = transfer_of(self, id);
  ++a.sent;
  return self->make_response_promise<R>().delegate(a.actor, std::forward<Ts>(xs)...);
}

template <class... Ts>
caf::typed_response_promise<Expected<Done>> route_inbox(Manager self, uint64_t user, Ts&&... xs) {
  auto& a = inbox_of(self, user);
  ++a.sent;
  return self->make_response_promise<Expected<Done>>().delegate(a.actor, std::forward<Ts>(xs)...);
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
  using Status = Expected<TransferStatus>;
  return {
      [self](transfer_atom, msg::TransferCmd& cmd) -> StatusPromise {
        if (std::holds_alternative<OpenTransfer>(cmd.body)) return open(self, cmd);
        if (unallocated(self->state, cmd.transfer_id))
          return refused<Status>(self, no_such_transfer(cmd.transfer_id));
        return route_transfer<Status>(self, cmd.transfer_id, transfer_atom_v, std::move(cmd));
      },
      [self](resume_atom, msg::ResumeQuery& q) {
        if (unallocated(self->state, q.transfer_id))
          return refused<Status>(self, no_such_transfer(q.transfer_id));
        return route_transfer<Status>(self, q.transfer_id, resume_atom_v, std::move(q));
      },
      [self](file_atom, msg::FileQuery& q) {
        if (unallocated(self->state, q.transfer_id))
          return refused<Expected<FileInfo>>(self, no_such_file(q.file_id));
        return route_transfer<Expected<FileInfo>>(self, q.transfer_id, file_atom_v, std::move(q));
      },
      [self](read_atom, msg::FileQuery& q) {
        if (unallocated(self->state, q.transfer_id))
          return refused<Expected<std::string>>(self, no_such_file(q.file_id));
        return route_transfer<Expected<std::string>>(self, q.transfer_id, read_atom_v,
                                                     std::move(q));
      },
      [self](watch_atom, msg::FileQuery& q) {
        if (unallocated(self->state, q.transfer_id))
          return refused<Expected<Done>>(self, no_such_file(q.file_id));
        return route_transfer<Expected<Done>>(self, q.transfer_id, watch_atom_v, std::move(q));
      },
      [self](inbox_atom, msg::InboxCmd& cmd) {
        return route_inbox(self, cmd.user, inbox_atom_v, std::move(cmd));
      },
      [self](notify_atom, msg::InboxCmd& cmd) {
        return route_inbox(self, cmd.user, inbox_atom_v, std::move(cmd));
      },
      [self](subscr_atom, msg::SubscribeReq& req) {
        return route_inbox(self, req.user, subscr_atom_v, std::move(req));
      },
      [self](idle_atom, msg::IdleReport& r) {
        auto& st = self->state;
        if (r.inbox) {
          passivate(self, st.inboxes, r);
        } else if (passivate(self, st.transfers, r)) {
          if (auto u = st.unfinished.find(r.key); u != st.unfinished.end())
            u->second.last_event_ns = r.last_event_ns;
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
      [self](init_atom, msg::RecoveryData& data) -> Expected<Done> {
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
        return Done{};
      },
      [self](stats_atom) -> Expected<RelayStats> {
        auto& st = self->state;
        return RelayStats{st.transfers.size(), st.inboxes.size(), st.unfinished.size(),
                          st.next_transfer_id};
      },
      [self](stop_atom) { stop_all(self, caf::exit_reason::user_shutdown); },
  };
}

}  // namespace glimpse::actors
