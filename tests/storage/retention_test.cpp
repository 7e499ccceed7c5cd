// The retention policy (past_retention, summarize_stream) and its sweep
// (apply_retention) over the in-memory log.
#include "storage/retention.hpp"

#include <gtest/gtest.h>

#include "tests/storage/test_events.hpp"

namespace glimpse::storage::testing {
namespace {

constexpr int64_t kHour = 3600LL * 1000 * 1000 * 1000;
constexpr int64_t kDay = 24 * kHour;
const RetentionPolicy kThirtyDays{std::chrono::hours(30 * 24)};

StreamSummary summary(int64_t last_ns, bool finished, uint64_t events = 3) {
  StreamSummary s;
  s.stream = transfer(1);
  s.next_seq = events;
  s.last_event_ns = last_ns;
  s.finished = finished;
  return s;
}

TEST(PastRetention, LetsAFinishedStreamGoOnceItsLastEventIsMaxAgeOld) {
  const int64_t now = 100 * kDay;
  EXPECT_TRUE(past_retention(kThirtyDays, summary(now - 30 * kDay, true), now));
  EXPECT_TRUE(past_retention(kThirtyDays, summary(now - 31 * kDay, true), now));
  EXPECT_FALSE(past_retention(kThirtyDays, summary(now - 30 * kDay + 1, true), now));
}

TEST(PastRetention, KeepsUnfinishedEmptyStreamsAndEverythingUnderAZeroPolicy) {
  const int64_t now = 100 * kDay;
  EXPECT_FALSE(past_retention(kThirtyDays, summary(0, false), now));
  EXPECT_FALSE(past_retention(kThirtyDays, summary(0, true, 0), now));
  EXPECT_FALSE(past_retention(RetentionPolicy{}, summary(0, true), now));
  EXPECT_FALSE(past_retention(kThirtyDays, summary(INT64_MAX, true), INT64_MIN));  // no overflow
}

class RetentionTest : public ::testing::Test {
 protected:
  void put(StreamId s, std::vector<std::string> events, std::vector<IndexPut> index = {},
           std::vector<ChunkPut> chunks = {}) {
    uint64_t next = 0;
    ASSERT_TRUE(log_->next_seq(s, &next).ok());
    AppendRequest r = request(s, next, std::move(events));
    r.index = std::move(index);
    r.chunks = std::move(chunks);
    Status st = log_->append_and_wait(std::move(r));
    ASSERT_TRUE(st.ok()) << st.to_string();
  }
  uint64_t next(StreamId s) {
    uint64_t n = 999;
    EXPECT_TRUE(log_->next_seq(s, &n).ok());
    return n;
  }
  RetentionReport sweep(int64_t now, RetentionPolicy policy = kThirtyDays) {
    RetentionReport report;
    Status s = apply_retention(*log_, policy, now, &report);
    EXPECT_TRUE(s.ok()) << s.to_string();
    return report;
  }

  std::unique_ptr<EventLog> log_ = new_memory_log();
};

TEST_F(RetentionTest, SummaryReadsTerminalTransfersAndFullyAckedInboxes) {
  put(transfer(1), {chunk_event(5), completed_event(7), chunk_event(9)});
  put(transfer(2), {chunk_event(5)});
  put(inbox(1), {queued_event(1, "a"), queued_event(2, "b"), acked_event(3, "a")});
  put(inbox(2), {queued_event(1, "a"), acked_event(4, "a")});
  StreamSummary s;
  ASSERT_TRUE(summarize_stream(*log_, transfer(1), &s).ok());
  EXPECT_TRUE(s.finished);
  EXPECT_EQ(s.next_seq, 3u);
  EXPECT_EQ(s.last_event_ns, 9);
  ASSERT_TRUE(summarize_stream(*log_, transfer(2), &s).ok());
  EXPECT_FALSE(s.finished);
  ASSERT_TRUE(summarize_stream(*log_, inbox(1), &s).ok());
  EXPECT_FALSE(s.finished);  // "b" still waits for the user
  ASSERT_TRUE(summarize_stream(*log_, inbox(2), &s).ok());
  EXPECT_TRUE(s.finished);
  EXPECT_EQ(s.last_event_ns, 4);
}

TEST_F(RetentionTest, DeletesOldFinishedTransfersWithTheirChunksAndIndexEntries) {
  const int64_t now = 100 * kDay;
  put(transfer(1), {chunk_event(now - 40 * kDay)},
      {IndexPut{"idem/1", "x"}, IndexPut{"recv/1", ""}}, {ChunkPut{0, pattern_bytes(0, 8)}});
  put(transfer(1), {completed_event(now - 31 * kDay)});
  put(transfer(2), {completed_event(now - kDay)}, {IndexPut{"idem/2", "y"}});  // recent
  put(transfer(3), {chunk_event(now - 40 * kDay)});                            // unfinished
  put(transfer(4), {tagged_event(now - 40 * kDay, "aborted")});                // largest id
  RetentionReport r = sweep(now);
  EXPECT_EQ(r.deleted, std::vector<StreamId>{transfer(1)});
  EXPECT_EQ(r.streams_seen, 3u);  // transfer 4, the largest id, is never looked at
  std::string out;
  EXPECT_EQ(next(transfer(1)), 0u);
  EXPECT_EQ(log_->read_chunks(1, 0, 8, &out).code(), Code::not_found);
  EXPECT_EQ(log_->get_index("idem/1", &out).code(), Code::not_found);
  EXPECT_EQ(log_->get_index("recv/1", &out).code(), Code::not_found);
  EXPECT_TRUE(log_->get_index("idem/2", &out).ok());
  EXPECT_EQ(next(transfer(2)), 1u);
  EXPECT_EQ(next(transfer(3)), 1u);
  EXPECT_EQ(next(transfer(4)), 1u);
}

TEST_F(RetentionTest, KeepsTheLargestTransferIdUntilALargerOneExists) {
  const int64_t now = 100 * kDay;
  put(transfer(7), {completed_event(0)});
  EXPECT_TRUE(sweep(now).deleted.empty());
  put(transfer(8), {chunk_event(now)});
  EXPECT_EQ(sweep(now).deleted, std::vector<StreamId>{transfer(7)});
}

TEST_F(RetentionTest, DeletesOnlyInboxesWithNothingWaitingForTheUser) {
  const int64_t now = 100 * kDay;
  put(inbox(1), {queued_event(1, "a"), acked_event(2, "a")});
  put(inbox(2), {queued_event(1, "a"), acked_event(2, "a"), queued_event(3, "b")});
  put(inbox(3), {queued_event(now - kDay, "a"), acked_event(now - kDay, "a")});
  EXPECT_EQ(sweep(now).deleted, std::vector<StreamId>{inbox(1)});
  EXPECT_EQ(next(inbox(2)), 3u);
  EXPECT_EQ(next(inbox(3)), 2u);
}

TEST_F(RetentionTest, AZeroPolicyKeepsEverything) {
  put(transfer(1), {completed_event(0)});
  put(transfer(2), {completed_event(0)});
  put(inbox(1), {queued_event(1, "a"), acked_event(2, "a")});
  RetentionReport r = sweep(100 * kDay, RetentionPolicy{});
  EXPECT_TRUE(r.deleted.empty());
  EXPECT_EQ(r.streams_seen, 0u);
}

// Appends to the stream being deleted just before the deletion reaches the
// log, as an actor might between the sweep's look and its delete.
class RacingLog final : public EventLogWrapper {
 public:
  using EventLogWrapper::EventLogWrapper;
  Status delete_stream(StreamId stream, uint64_t expected_next_seq) override {
    EXPECT_TRUE(target()
                    ->append_and_wait(request(stream, expected_next_seq,
                                              {queued_event(expected_next_seq, "late")}))
                    .ok());
    return target()->delete_stream(stream, expected_next_seq);
  }
};

TEST_F(RetentionTest, KeepsAStreamThatGotAnEventBetweenTheLookAndTheDelete) {
  put(inbox(1), {queued_event(1, "a"), acked_event(2, "a")});
  RacingLog racing(log_.get());
  RetentionReport r;
  ASSERT_TRUE(apply_retention(racing, kThirtyDays, 100 * kDay, &r).ok());
  EXPECT_TRUE(r.deleted.empty());
  EXPECT_EQ(r.changed, 1u);
  EXPECT_EQ(next(inbox(1)), 3u);  // the late notification is still there
}

TEST_F(RetentionTest, KeepsUnreadableStreamsAndSaysWhich) {
  put(transfer(1), {completed_event(0)});
  put(transfer(2), {completed_event(0)});
  // A log whose replay of transfer 1 returns bytes that are not an event.
  class Garbling final : public EventLogWrapper {
   public:
    using EventLogWrapper::EventLogWrapper;
    Status replay(StreamId s, uint64_t from,
                  const std::function<bool(uint64_t, std::string_view)>& fn) override {
      if (s != transfer(1)) return target()->replay(s, from, fn);
      fn(from, "not an event");
      return Status();
    }
  } garbling(log_.get());
  RetentionReport r;
  ASSERT_TRUE(apply_retention(garbling, kThirtyDays, 100 * kDay, &r).ok());
  EXPECT_TRUE(r.deleted.empty());
  EXPECT_EQ(r.unreadable, 1u);
  EXPECT_NE(r.first_unreadable.find("corruption"), std::string::npos) << r.first_unreadable;
  EXPECT_EQ(next(transfer(1)), 1u);
}

TEST_F(RetentionTest, StopsBetweenStreamsWhenAskedTo) {
  put(transfer(1), {completed_event(0)});
  put(transfer(2), {completed_event(0)});
  put(transfer(3), {completed_event(0)});
  std::atomic<bool> stop{true};
  RetentionReport r;
  ASSERT_TRUE(apply_retention(*log_, kThirtyDays, 100 * kDay, &r, &stop).ok());
  EXPECT_TRUE(r.deleted.empty());
  EXPECT_EQ(next(transfer(1)), 1u);
}

TEST_F(RetentionTest, ReportsAFailingLog) {
  put(transfer(1), {completed_event(0)});
  class Failing final : public EventLogWrapper {
   public:
    using EventLogWrapper::EventLogWrapper;
    Status list_streams(StreamKind, const std::function<bool(StreamId, uint64_t)>&) override {
      return Status(Code::io_error, "disk gone");
    }
  } failing(log_.get());
  RetentionReport r;
  EXPECT_EQ(apply_retention(failing, kThirtyDays, 100 * kDay, &r).code(), Code::io_error);
}

}  // namespace
}  // namespace glimpse::storage::testing
