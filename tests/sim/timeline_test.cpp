#include "sim/timeline.hpp"

#include <gtest/gtest.h>

#include "sim/synthetic_log.hpp"
#include "util/crc32c.hpp"

namespace glimpse::sim {
namespace {

// Transfer 5: TS 3000 in three 1000-byte chunks, scans end at 1000/2000/3000,
// MTS 2000, one receiver; events 1 ms apart except Delivered (with its chunk).
std::unique_ptr<storage::EventLog> known_log() {
  auto log = storage::new_memory_log();
  storage::StreamId s{storage::StreamKind::transfer, 5};
  std::string file(3000, 'x');
  for (size_t i = 0; i < file.size(); ++i) file[i] = static_cast<char>(i * 7);
  synth::OpenSpec spec;
  spec.transfer_id = 5;
  spec.sender = 1;
  spec.receivers = {2};
  spec.total_size = 3000;
  spec.scan_ends = {1000, 2000, 3000};
  spec.mts = 2000;
  const int64_t t0 = 1'700'000'000'000'000'000;
  auto at = [&](int64_t ms) { return synth::Stamp{t0 + ms * 1'000'000, 0}; };
  auto chunk = [&](uint64_t off, int64_t ms) {
    std::string b = file.substr(off, 1000);
    EXPECT_TRUE(synth::append_event(
                    *log, s, synth::chunk_appended(off, 1000, util::crc32c(b), at(ms)), {{off, b}})
                    .ok());
  };
  EXPECT_TRUE(synth::append_event(*log, s, synth::transfer_opened(spec, at(0))).ok());
  chunk(0, 100);
  chunk(1000, 250);
  EXPECT_TRUE(
      synth::append_event(*log, s, synth::delivered(synth::file_id_for(1, 5), 2000, at(250))).ok());
  EXPECT_TRUE(synth::append_event(*log, s, synth::receiver_notified(2, at(260))).ok());
  chunk(2000, 1500);
  EXPECT_TRUE(synth::append_event(*log, s, synth::completed(0x0badf00d, at(1501))).ok());
  return log;
}

TEST(Timeline, KnownLogReplaysToExpectedLines) {
  auto log = known_log();
  Timeline t;
  std::string error;
  ASSERT_TRUE(load_timeline(*log, 5, &t, &error)) << error;
  std::vector<std::string> lines;
  for (const auto& row : t.rows) lines.push_back(format_row(t, row));
  std::vector<std::string> expected = {
      "      +0.000 ms  TransferOpened    ts=3000 mts=2000 scans=3 size=64x48          prefix=0    "
      "       0.0% of TS  scan 0/3",
      "    +100.000 ms  ChunkAppended     offset=0 length=1000 crc32c=" + std::string(),
  };
  ASSERT_EQ(lines.size(), 7u);
  EXPECT_EQ(lines[0], expected[0]);
  EXPECT_EQ(lines[1].substr(0, expected[1].size()), expected[1]);
  EXPECT_NE(lines[1].find("prefix=1000       33.3% of TS  scan 1/3 *"), std::string::npos)
      << lines[1];
  EXPECT_NE(lines[2].find("+250.000 ms  ChunkAppended     offset=1000"), std::string::npos)
      << lines[2];
  EXPECT_NE(lines[2].find("prefix=2000       66.7% of TS  scan 2/3 *"), std::string::npos)
      << lines[2];
  EXPECT_EQ(lines[3],
            "    +250.000 ms  Delivered         file=n1-0000000000000005 offset=2000         "
            "prefix=2000       66.7% of TS  scan 2/3");
  EXPECT_EQ(lines[4],
            "    +260.000 ms  ReceiverNotified  receiver=2                                   "
            "prefix=2000       66.7% of TS  scan 2/3");
  EXPECT_NE(lines[5].find("prefix=3000      100.0% of TS  scan 3/3 *"), std::string::npos)
      << lines[5];
  EXPECT_NE(lines[6].find("+1501.000 ms  Completed         crc32c=0badf00d"), std::string::npos)
      << lines[6];
}

TEST(Timeline, SummaryHasTimesToDeliveredAndCompleted) {
  auto log = known_log();
  Timeline t;
  std::string error;
  ASSERT_TRUE(load_timeline(*log, 5, &t, &error)) << error;
  TransferSummary s = summarize(t);
  EXPECT_EQ(s.phase, "completed");
  EXPECT_EQ(s.total_size, 3000u);
  EXPECT_EQ(s.mts, 2000u);
  ASSERT_TRUE(s.delivered_ms && s.completed_ms);
  EXPECT_DOUBLE_EQ(*s.delivered_ms, 250.0);
  EXPECT_DOUBLE_EQ(*s.completed_ms, 1501.0);
  std::string table = format_summaries({s});
  EXPECT_NE(table.find("250.0 ms"), std::string::npos) << table;
  EXPECT_NE(table.find("1 -> 2"), std::string::npos) << table;
}

TEST(Timeline, MissingTransferSaysHowToFindOne) {
  auto log = known_log();
  Timeline t;
  std::string error;
  EXPECT_FALSE(load_timeline(*log, 6, &t, &error));
  EXPECT_NE(error.find("no transfer 6"), std::string::npos);
  EXPECT_NE(error.find("glimpse-sim list"), std::string::npos);
}

TEST(Timeline, ParsesUnixSecondsAndIsoTimes) {
  int64_t ns = 0;
  ASSERT_TRUE(parse_time("1700000000", &ns));
  EXPECT_EQ(ns, 1'700'000'000'000'000'000);
  ASSERT_TRUE(parse_time("2023-11-14T22:13:20Z", &ns));
  EXPECT_EQ(ns, 1'700'000'000'000'000'000);
  ASSERT_TRUE(parse_time("2023-11-14", &ns));
  EXPECT_FALSE(parse_time("yesterday", &ns));
}

}  // namespace
}  // namespace glimpse::sim
