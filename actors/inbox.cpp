#include "actors/inbox.hpp"

#include <algorithm>

namespace glimpse::actors {

InboxDecision decide(const InboxState& state, const InboxCommand& command) {
  InboxDecision d;
  if (auto* q = std::get_if<QueueNotification>(&command.body)) {
    if (q->notification.file_id.empty()) {
      d.reply = RelayError{ErrorCode::invalid_argument, "notification without a file id"};
      return d;
    }
    if (state.seen.count(q->notification.file_id) == 0)
      d.events.push_back(Event{command.now_ns, q->notification});
    return d;
  }
  const auto& ack = std::get<AckNotification>(command.body);
  if (state.seen.count(ack.file_id) == 0) {
    d.reply = RelayError{ErrorCode::not_found, "no notification for file " + ack.file_id +
                                                   " in this inbox; ack only what you received"};
    return d;
  }
  const bool pending = std::any_of(state.pending.begin(), state.pending.end(),
                                   [&](const auto& n) { return n.file_id == ack.file_id; });
  if (pending) d.events.push_back(Event{command.now_ns, NotificationAcked{ack.file_id}});
  return d;
}

void apply_in_place(InboxState& state, const Event& event) {
  if (auto* q = std::get_if<NotificationQueued>(&event.body)) {
    if (state.seen.insert(q->file_id).second) state.pending.push_back(*q);
  } else if (auto* a = std::get_if<NotificationAcked>(&event.body)) {
    auto& p = state.pending;
    p.erase(std::remove_if(p.begin(), p.end(), [&](const auto& n) { return n.file_id == a->file_id; }),
            p.end());
  }
}

InboxState apply(InboxState state, const Event& event) {
  apply_in_place(state, event);
  return state;
}

}  // namespace glimpse::actors
