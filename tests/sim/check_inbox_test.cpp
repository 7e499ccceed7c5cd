#include <gtest/gtest.h>

#include "sim/check.hpp"
#include "sim/synthetic_log.hpp"

namespace glimpse::sim {
namespace {

using storage::StreamKind;

// Transfer 9 (node 1) delivered to users 7 and 8; the test writes user 7's inbox.
class InboxLog {
 public:
  InboxLog() : log(storage::new_memory_log()) {
    synth::OpenSpec spec;
    spec.transfer_id = 9;
    spec.receivers = {7, 8};
    std::string file(3000, 'q');
    EXPECT_TRUE(synth::write_transfer(*log, spec, file, 1000, 1000, 1000).ok());
  }
  void put(std::string ev) {
    ASSERT_TRUE(synth::append_event(*log, {StreamKind::inbox, 7}, std::move(ev)).ok());
  }
  std::string id() const { return synth::file_id_for(1, 9); }
  synth::Stamp at() { return {t += 1000, 0}; }
  CheckReport check() {
    CheckReport r;
    check_all(*log, {}, &r);
    return r;
  }
  std::unique_ptr<storage::EventLog> log;
  int64_t t = 100000;
};

TEST(CheckInbox, QueuedAndAckedPasses) {
  InboxLog l;
  l.put(synth::notification_queued(l.id(), 9, 100, l.at()));
  l.put(synth::notification_acked(l.id(), l.at()));
  CheckReport r = l.check();
  EXPECT_TRUE(r.ok()) << (r.violations.empty() ? "" : r.violations[0].to_string());
  EXPECT_EQ(r.inboxes, 1u);
  EXPECT_EQ(r.transfers, 1u);
}

TEST(CheckInbox, SecondNotificationOfAFileIsNamed) {
  InboxLog l;
  l.put(synth::notification_queued(l.id(), 9, 100, l.at()));
  l.put(synth::notification_queued(l.id(), 9, 100, l.at()));
  CheckReport r = l.check();
  ASSERT_EQ(r.violations.size(), 1u);
  EXPECT_EQ(r.violations[0].to_string().rfind("inbox 7 seq 1 (NotificationQueued", 0), 0u)
      << r.violations[0].to_string();
  EXPECT_NE(r.violations[0].message.find("already notified"), std::string::npos);
}

TEST(CheckInbox, FileIdOtherThanTheTransfersIsNamed) {
  InboxLog l;
  l.put(synth::notification_queued("n2-0000000000000009", 9, 100, l.at()));
  CheckReport r = l.check();
  ASSERT_EQ(r.violations.size(), 1u);
  EXPECT_NE(r.violations[0].message.find("Delivered file id"), std::string::npos)
      << r.violations[0].to_string();
}

TEST(CheckInbox, AckOfUnknownFileIsRefusedByTheRules) {
  InboxLog l;
  l.put(synth::notification_acked(l.id(), l.at()));
  CheckReport r = l.check();
  ASSERT_EQ(r.violations.size(), 1u);
  EXPECT_NE(r.violations[0].message.find("inbox rules refuse it: not_found"), std::string::npos)
      << r.violations[0].to_string();
}

}  // namespace
}  // namespace glimpse::sim
