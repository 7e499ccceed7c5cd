#pragma once
// The passivation protocol shared by the transfer and inbox actors (see
// transfer_actor.hpp): every handled message re-arms an idle timer; a timer
// that fires with no activity since, while the actor is quiescent (nothing in
// flight, no reply owed), reports idle to the manager, which then sends stop
// only if it has forwarded nothing the actor has not handled. An actor that
// stops on its own announces it first (announce_exit). Internal to actors/.
//
// `Self` is a stateful actor pointer whose state has `shared`, `manager`,
// `activity`, `timer_armed` and `stopping`.
#include <cstdint>

#include "actors/actor_types.hpp"

namespace glimpse::actors {

// Called on every handled message.
template <class Self>
void arm_idle(Self self) {
  auto& st = self->state;
  ++st.activity;
  if (st.timer_armed) return;
  st.timer_armed = true;
  self->delayed_send(self, st.shared->config.passivate_after, idle_atom_v, st.activity);
}

// The idle timer fired; `activity` is the count it was armed at.
template <class Self>
void on_idle_timer(Self self, uint64_t activity, bool quiescent, const msg::IdleReport& report) {
  auto& st = self->state;
  st.timer_armed = false;
  if (quiescent && activity == st.activity) {
    self->send(st.manager, idle_atom_v, report);
  } else {
    st.timer_armed = true;
    self->delayed_send(self, st.shared->config.passivate_after, idle_atom_v, st.activity);
  }
}

// The actor is about to stop on its own (a failed append, a log it cannot
// recover from) and answer what it holds. Called before it answers, so that a
// call sent after one of those answers (a client retrying) reaches a fresh
// actor, not this one's closed mailbox. Calls already forwarded to it are
// dropped, and their replies answer `unavailable`. `key`: transfer id or user.
template <class Self>
void announce_exit(Self self, uint64_t key, bool inbox) {
  self->send(self->state.manager, gone_atom_v, key, inbox);
}

// The manager passivates the actor: it exits once nothing is in flight.
template <class Self>
void on_stop(Self self, bool quiescent) {
  self->state.stopping = true;
  if (quiescent) self->quit();
}

}  // namespace glimpse::actors
