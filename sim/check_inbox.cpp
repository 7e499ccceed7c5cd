// check for inbox streams: the actors' inbox decide/apply re-run over each
// user's notifications, and each notification held against the transfer it
// names (same file id as its Delivered, the user one of its receivers).
#include <algorithm>
#include <map>

#include "actors/event_codec.hpp"
#include "actors/inbox.hpp"
#include "actors/transfer.hpp"
#include "sim/check.hpp"
#include "sim/describe.hpp"

namespace glimpse::sim {
namespace {

using namespace glimpse::actors;

// What an inbox needs to know of a transfer: its file id and receivers.
struct TransferFacts {
  bool present = false;
  std::string file_id;  // empty if never Delivered
  std::vector<uint64_t> receivers;
};

class InboxChecker {
 public:
  InboxChecker(storage::EventLog& log, uint64_t user, CheckReport* report,
               std::map<uint64_t, TransferFacts>* facts)
      : log_(log), user_(user), report_(report), facts_(*facts) {}

  void run() {
    std::vector<std::pair<uint64_t, Event>> events;
    std::string unreadable;
    uint64_t bad_seq = 0;
    storage::Status s = log_.replay({storage::StreamKind::inbox, user_}, 0,
                                    [&](uint64_t seq, std::string_view bytes) {
                                      Expected<Event> e = decode_event(bytes);
                                      if (!e.ok()) {
                                        unreadable = e.error().message;
                                        bad_seq = seq;
                                        return false;
                                      }
                                      events.emplace_back(seq, std::move(*e));
                                      return true;
                                    });
    if (!s.ok()) {
      report_->errors.push_back("inbox " + std::to_string(user_) + ": " + s.to_string());
      return;
    }
    report_->events += events.size() + (unreadable.empty() ? 0 : 1);
    for (auto& [seq, e] : events)
      if (!step(seq, e)) return;
    if (!unreadable.empty()) fail(bad_seq, "", "cannot be read: " + unreadable);
  }

 private:
  bool fail(uint64_t seq, std::string what, std::string message) {
    Violation v;
    v.stream = storage::StreamKind::inbox;
    v.transfer_id = user_;
    v.seq = seq;
    v.event = std::move(what);
    v.message = std::move(message);
    report_->violations.push_back(std::move(v));
    return false;
  }

  const TransferFacts& facts(uint64_t transfer_id) {
    auto it = facts_.find(transfer_id);
    if (it != facts_.end()) return it->second;
    TransferFacts f;
    TransferState st;
    log_.replay({storage::StreamKind::transfer, transfer_id}, 0,
                [&](uint64_t, std::string_view bytes) {
                  Expected<Event> e = decode_event(bytes);
                  if (!e.ok()) return false;
                  apply_in_place(st, *e);
                  f.present = true;
                  return true;
                });
    f.file_id = st.file_id;
    f.receivers = st.header.receivers;
    return facts_[transfer_id] = std::move(f);
  }

  bool step(uint64_t seq, const Event& e) {
    InboxCommand cmd{e.time_ns, AckNotification{}};
    if (auto* q = std::get_if<NotificationQueued>(&e.body)) {
      // A transfer exported alone has no inbox; an inbox exported alone may
      // lack its transfers: only a transfer that is present is compared.
      const TransferFacts& f = facts(q->transfer_id);
      if (f.present && f.file_id != q->file_id)
        return fail(seq, describe_event(e),
                    "file id differs from transfer " + std::to_string(q->transfer_id) +
                        "'s Delivered file id \"" + f.file_id + "\"");
      if (f.present &&
          std::find(f.receivers.begin(), f.receivers.end(), user_) == f.receivers.end())
        return fail(seq, describe_event(e),
                    "user " + std::to_string(user_) + " is not a receiver of transfer " +
                        std::to_string(q->transfer_id));
      cmd.body = QueueNotification{*q};
    } else if (auto* a = std::get_if<NotificationAcked>(&e.body)) {
      cmd.body = AckNotification{a->file_id};
    } else {
      return fail(seq, describe_event(e), "a transfer event in an inbox stream");
    }
    InboxDecision d = decide(state_, cmd);
    if (!d.reply.ok())
      return fail(seq, describe_event(e),
                  "the inbox rules refuse it: " + d.reply.error().to_string());
    if (d.events.size() != 1 || !(d.events[0].body == e.body))
      return fail(seq, describe_event(e),
                  d.events.empty() ? "the receiver was already notified of this file; the inbox "
                                     "rules record nothing for it"
                                   : "the inbox rules decide " + describe_event(d.events[0]));
    apply_in_place(state_, e);
    return true;
  }

  storage::EventLog& log_;
  const uint64_t user_;
  CheckReport* report_;
  std::map<uint64_t, TransferFacts>& facts_;
  InboxState state_;
};

}  // namespace

void check_inbox(storage::EventLog& log, uint64_t user, CheckReport* report) {
  std::map<uint64_t, TransferFacts> facts;
  InboxChecker(log, user, report, &facts).run();
  ++report->inboxes;
}

void check_all_inboxes(storage::EventLog& log, CheckReport* report) {
  std::vector<uint64_t> users;
  storage::Status s =
      log.list_streams(storage::StreamKind::inbox, [&](storage::StreamId id, uint64_t) {
        users.push_back(id.id);
        return true;
      });
  if (!s.ok()) report->errors.push_back("listing inboxes: " + s.to_string());
  std::map<uint64_t, TransferFacts> facts;
  for (uint64_t u : users) {
    InboxChecker(log, u, report, &facts).run();
    ++report->inboxes;
  }
}

}  // namespace glimpse::sim
