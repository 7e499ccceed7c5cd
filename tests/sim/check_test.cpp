#include "sim/check.hpp"

#include <gtest/gtest.h>

#include "sim/log_file.hpp"
#include "sim/synthetic_log.hpp"
#include "util/crc32c.hpp"

namespace glimpse::sim {
namespace {

using storage::StreamId;
using storage::StreamKind;

std::string test_file(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + 7) % 251);
  return s;
}

// Writes a transfer event by event, so a test can break exactly one thing.
// Transfer 9: TS 4000, scans end at 1000/2000/4000, MTS 2000, receivers 7 and 8.
class LogWriter {
 public:
  LogWriter() : log(storage::new_memory_log()), file(test_file(4000)) {
    spec.transfer_id = 9;
    spec.receivers = {7, 8};
    spec.total_size = 4000;
    spec.scan_ends = {1000, 2000, 4000};
    spec.mts = 2000;
  }
  synth::Stamp next(uint16_t version = 0) { return {t += 1'000'000, version}; }
  void put(std::string ev, std::vector<storage::ChunkPut> chunks = {}) {
    ASSERT_TRUE(synth::append_event(*log, stream, std::move(ev), std::move(chunks)).ok());
  }
  void open() { put(synth::transfer_opened(spec, next())); }
  void chunk(uint64_t off, uint32_t len) {
    std::string bytes = file.substr(off, len);
    put(synth::chunk_appended(off, len, util::crc32c(bytes), next()), {{off, bytes}});
  }
  void delivered(uint64_t off, std::string id = "") {
    put(synth::delivered(id.empty() ? synth::file_id_for(1, 9) : id, off, next()));
  }
  void notified(uint64_t r) { put(synth::receiver_notified(r, next())); }
  void completed() { put(synth::completed(util::crc32c(file), next())); }
  // Everything a good transfer logs up to and including the notifications.
  void good_until_notified() {
    open();
    chunk(0, 1000);
    chunk(1000, 1000);
    delivered(2000);
    notified(7);
    notified(8);
  }
  void good_rest() {
    chunk(2000, 1000);
    chunk(3000, 1000);
    completed();
  }
  CheckReport check() {
    CheckReport r;
    check_transfer(*log, 9, {}, &r);
    return r;
  }

  std::unique_ptr<storage::EventLog> log;
  std::string file;
  synth::OpenSpec spec;
  StreamId stream{StreamKind::transfer, 9};
  int64_t t = 1'700'000'000'000'000'000;
};

// The one violation, as "seq N: message".
void expect_violation(const CheckReport& r, uint64_t seq, const std::string& fragment) {
  ASSERT_EQ(r.violations.size(), 1u) << (r.errors.empty() ? "" : r.errors[0]);
  EXPECT_EQ(r.violations[0].seq, seq) << r.violations[0].to_string();
  EXPECT_NE(r.violations[0].to_string().find(fragment), std::string::npos)
      << r.violations[0].to_string();
}

TEST(Check, WellFormedTransferPasses) {
  LogWriter w;
  w.good_until_notified();
  w.good_rest();
  CheckReport r = w.check();
  EXPECT_TRUE(r.ok()) << (r.violations.empty() ? r.errors[0] : r.violations[0].to_string());
  EXPECT_EQ(r.events, 9u);
  EXPECT_EQ(r.transfers, 1u);
}

TEST(Check, SyntheticTransfersPassAll) {
  auto log = storage::new_memory_log();
  for (uint64_t id = 1; id <= 3; ++id) {
    synth::OpenSpec spec;
    spec.transfer_id = id;
    spec.receivers = {5, 6, 7};
    spec.scan_ends = {300, 1200, 5000};
    spec.mts = 1200;
    ASSERT_TRUE(synth::write_transfer(*log, spec, test_file(5000), 512, 1, 10).ok());
  }
  CheckReport r;
  check_all(*log, {}, &r);
  EXPECT_TRUE(r.ok()) << (r.violations.empty() ? "" : r.violations[0].to_string());
  EXPECT_EQ(r.transfers, 3u);
}

TEST(Check, OlderSchemaVersionIsRead) {
  LogWriter w;
  w.put(synth::transfer_opened(w.spec, w.next(/*version=*/0)));
  CheckReport r = w.check();
  EXPECT_TRUE(r.ok());
}

TEST(Check, GapBeforeDeliveredIsNamed) {
  LogWriter w;
  w.open();
  w.chunk(0, 1000);
  w.chunk(1500, 500);
  w.delivered(2000);
  expect_violation(w.check(), 3, "gap");
}

TEST(Check, ChunkPastTotalSizeIsNamed) {
  LogWriter w;
  w.good_until_notified();
  w.chunk(2000, 1000);
  w.file += "extra bytes beyond TS";
  w.chunk(3000, 1010);
  expect_violation(w.check(), 7, "past TS 4000");
}

TEST(Check, DoubleDeliveredIsNamed) {
  LogWriter w;
  w.good_until_notified();
  w.chunk(2000, 1000);
  w.delivered(3000);
  expect_violation(w.check(), 7, "Delivered a second time (first at seq 3)");
}

TEST(Check, DeliveredBelowMtsIsNamed) {
  LogWriter w;
  w.open();
  w.chunk(0, 1000);
  w.delivered(1000);
  expect_violation(w.check(), 2, "below MTS 2000");
}

TEST(Check, ChangedFileIdIsNamed) {
  LogWriter w;
  w.open();
  w.chunk(0, 1000);
  w.chunk(1000, 1000);
  w.delivered(2000, "n2-0000000000000009");
  expect_violation(w.check(), 3, "not the transfer's stable id");
}

TEST(Check, MissingDeliveredIsNamed) {
  LogWriter w;
  w.open();
  w.chunk(0, 1000);
  w.chunk(1000, 1000);
  w.notified(7);
  expect_violation(w.check(), 3, "receiver notified before Delivered");
}

TEST(Check, CompletedWithWrongCrcIsNamed) {
  LogWriter w;
  w.good_until_notified();
  w.chunk(2000, 1000);
  w.chunk(3000, 1000);
  w.put(synth::completed(util::crc32c("another photo"), w.next()));
  expect_violation(w.check(), 8, "does not match the stored chunks");
}

TEST(Check, CompletedBeforeTotalSizeIsNamed) {
  LogWriter w;
  w.good_until_notified();
  w.completed();
  expect_violation(w.check(), 6, "prefix at 2000 of TS 4000");
}

TEST(Check, DuplicateNotificationIsNamed) {
  LogWriter w;
  w.good_until_notified();
  w.notified(7);
  expect_violation(w.check(), 6, "receiver 7 notified a second time");
}

TEST(Check, CrcMismatchIsNamed) {
  LogWriter w;
  w.open();
  std::string bytes = w.file.substr(0, 1000);
  uint32_t crc = util::crc32c(bytes);
  bytes[10] ^= 1;
  w.put(synth::chunk_appended(0, 1000, crc, w.next()), {{0, bytes}});
  expect_violation(w.check(), 1, "CRC32C");
}

TEST(Check, EventAfterCompletionIsNamed) {
  LogWriter w;
  w.good_until_notified();
  w.good_rest();
  w.put(synth::aborted("late", w.next()));
  expect_violation(w.check(), 9, "after the transfer finished");
}

TEST(Check, NotificationAfterCompletionIsAllowed) {
  // A small file completes before the inboxes confirm (seen on a real node).
  LogWriter w;
  w.open();
  w.chunk(0, 1000);
  w.chunk(1000, 1000);
  w.delivered(2000);
  w.notified(7);
  w.good_rest();
  w.notified(8);
  CheckReport r = w.check();
  EXPECT_TRUE(r.ok()) << (r.violations.empty() ? "" : r.violations[0].to_string());
}

TEST(Check, RulesRefusalIsNamed) {
  LogWriter w;
  w.open();
  w.chunk(0, 1000);
  w.chunk(500, 1000);  // overlaps stored bytes
  expect_violation(w.check(), 2, "the transfer rules refuse it: conflict");
}

// A log written by a real glimpsed (schema version 1), kept in the repository
// so that later schema versions are always tested against an older log.
TEST(Check, RealNodeLogOfAnOlderBuildPasses) {
  std::unique_ptr<storage::EventLog> log;
  LogFileHeader h;
  std::string error;
  ASSERT_TRUE(load_log_file(GLIMPSE_SIM_TEST_DATA "/glimpsed_v1_chelsea.glog", &log, &h, &error))
      << error;
  EXPECT_EQ(h.transfer_id, 2u);
  CheckReport r;
  check_all(*log, {}, &r);
  EXPECT_TRUE(r.ok()) << (r.violations.empty() ? "" : r.violations[0].to_string());
  EXPECT_EQ(r.events, 5u);
}

TEST(Check, UnknownTransferIsAnError) {
  LogWriter w;
  CheckReport r;
  check_transfer(*w.log, 1234, {}, &r);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].find("no transfer 1234"), std::string::npos);
}

}  // namespace
}  // namespace glimpse::sim
