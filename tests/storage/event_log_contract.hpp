#pragma once
// The EventLog contract as a typed test suite. Each implementation's test file
// instantiates it with a factory type: `std::unique_ptr<EventLog> open()`.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "storage/event_log.hpp"
#include "tests/storage/test_events.hpp"

namespace glimpse::storage::testing {

template <class Factory>
class EventLogContractTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = factory_.open();
    ASSERT_NE(log_, nullptr);
  }

  std::vector<std::pair<uint64_t, std::string>> replay_all(StreamId s, uint64_t from = 0) {
    std::vector<std::pair<uint64_t, std::string>> out;
    Status st = log_->replay(s, from, [&](uint64_t seq, std::string_view e) {
      out.emplace_back(seq, std::string(e));
      return true;
    });
    EXPECT_TRUE(st.ok()) << st.to_string();
    return out;
  }
  uint64_t next(StreamId s) {
    uint64_t n = 999;
    EXPECT_TRUE(log_->next_seq(s, &n).ok());
    return n;
  }
  Status put_chunks(uint64_t transfer_id, uint64_t seq, std::vector<ChunkPut> chunks) {
    AppendRequest r = request(transfer(transfer_id), seq, {chunk_event(seq)});
    r.chunks = std::move(chunks);
    return log_->append_and_wait(std::move(r));
  }

  Factory factory_;
  std::unique_ptr<EventLog> log_;
};

TYPED_TEST_SUITE_P(EventLogContractTest);

TYPED_TEST_P(EventLogContractTest, AppendsBatchesAndReplaysFromASequenceNumber) {
  auto& log = *this->log_;
  EXPECT_EQ(this->next(transfer(1)), 0u);
  ASSERT_TRUE(
      log.append_and_wait(request(transfer(1), 0, {tagged_event(1, "a"), tagged_event(2, "b")}))
          .ok());
  ASSERT_TRUE(log.append_and_wait(request(transfer(1), 2, {tagged_event(3, "c")})).ok());
  EXPECT_EQ(this->next(transfer(1)), 3u);
  auto all = this->replay_all(transfer(1));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0], std::make_pair(uint64_t{0}, tagged_event(1, "a")));
  EXPECT_EQ(all[2], std::make_pair(uint64_t{2}, tagged_event(3, "c")));
  auto tail = this->replay_all(transfer(1), 2);
  ASSERT_EQ(tail.size(), 1u);
  EXPECT_EQ(tail[0].first, 2u);
  EXPECT_TRUE(this->replay_all(transfer(1), 3).empty());
  EXPECT_TRUE(this->replay_all(transfer(2)).empty());  // unknown stream: not an error
  EXPECT_TRUE(this->replay_all(inbox(1)).empty());     // same id, other kind
}

TYPED_TEST_P(EventLogContractTest, ReplayStopsWhenTheFunctionReturnsFalse) {
  auto& log = *this->log_;
  ASSERT_TRUE(log.append_and_wait(
                     request(inbox(4), 0,
                             {tagged_event(1, "a"), tagged_event(2, "b"), tagged_event(3, "c")}))
                  .ok());
  int calls = 0;
  ASSERT_TRUE(
      log.replay(inbox(4), 0, [&](uint64_t, std::string_view) { return ++calls < 2; }).ok());
  EXPECT_EQ(calls, 2);
}

TYPED_TEST_P(EventLogContractTest, RefusesAStaleExpectedSeqAndWritesNothing) {
  auto& log = *this->log_;
  ASSERT_TRUE(log.append_and_wait(request(transfer(1), 0, {tagged_event(1, "a")})).ok());
  AppendRequest stale = request(transfer(1), 0, {tagged_event(2, "stale")});
  stale.chunks.push_back(ChunkPut{0, "xyz"});
  stale.index.push_back(IndexPut{"k", "v"});
  Status s = log.append_and_wait(std::move(stale));
  EXPECT_EQ(s.code(), Code::conflict) << s.to_string();
  EXPECT_EQ(log.append_and_wait(request(transfer(1), 5, {tagged_event(2, "gap")})).code(),
            Code::conflict);
  EXPECT_EQ(log.append_and_wait(request(transfer(9), 1, {tagged_event(2, "new")})).code(),
            Code::conflict);
  EXPECT_EQ(this->next(transfer(1)), 1u);
  EXPECT_EQ(this->next(transfer(9)), 0u);
  std::string out, value;
  EXPECT_EQ(log.read_chunks(1, 0, 3, &out).code(), Code::not_found);
  EXPECT_EQ(log.get_index("k", &value).code(), Code::not_found);
  int streams = 0;
  ASSERT_TRUE(log.list_streams(StreamKind::transfer,
                               [&](StreamId, uint64_t) {
                                 ++streams;
                                 return true;
                               })
                  .ok());
  EXPECT_EQ(streams, 1);
}

TYPED_TEST_P(EventLogContractTest, RefusesMalformedRequests) {
  auto& log = *this->log_;
  EXPECT_EQ(log.append_and_wait(request(transfer(1), 0, {})).code(), Code::invalid);
  EXPECT_EQ(log.append_and_wait(request(transfer(1), 0, {"not capnp"})).code(), Code::invalid);
  EXPECT_EQ(log.append_and_wait(request(transfer(1), 0, {std::string(16, '\xff')})).code(),
            Code::invalid);
  AppendRequest chunk_on_inbox = request(inbox(1), 0, {tagged_event(1, "a")});
  chunk_on_inbox.chunks.push_back(ChunkPut{0, "x"});
  EXPECT_EQ(log.append_and_wait(std::move(chunk_on_inbox)).code(), Code::invalid);
  EXPECT_EQ(this->next(transfer(1)), 0u);
  EXPECT_EQ(this->next(inbox(1)), 0u);
}

TYPED_TEST_P(EventLogContractTest, RefusesEventsOfANewerSchemaVersion) {
  auto& log = *this->log_;
  Status s = log.append_and_wait(
      request(transfer(1), 0,
              {tagged_event(1, "ok"), chunk_event(2, 0, 0, schema::CURRENT_EVENT_VERSION + 1)}));
  EXPECT_EQ(s.code(), Code::newer_version) << s.to_string();
  EXPECT_NE(s.message().find("version"), std::string::npos);
  EXPECT_EQ(this->next(transfer(1)), 0u);
}

TYPED_TEST_P(EventLogContractTest, ReadsChunkRangesAcrossChunkBoundaries) {
  // Chunks [0,100) [100,250) [250,256).
  ASSERT_TRUE(
      this->put_chunks(7, 0,
                       {ChunkPut{0, pattern_bytes(0, 100)}, ChunkPut{100, pattern_bytes(100, 150)}})
          .ok());
  ASSERT_TRUE(this->put_chunks(7, 1, {ChunkPut{250, pattern_bytes(250, 6)}}).ok());
  auto& log = *this->log_;
  for (auto [off, len] : std::vector<std::pair<uint64_t, uint64_t>>{
           {0, 256}, {0, 100}, {99, 2}, {100, 150}, {120, 136}, {255, 1}, {3, 0}}) {
    std::string out;
    ASSERT_TRUE(log.read_chunks(7, off, len, &out).ok()) << off << "+" << len;
    EXPECT_EQ(out, pattern_bytes(off, len)) << off << "+" << len;
  }
}

TYPED_TEST_P(EventLogContractTest, ReportsAnyMissingByteAsNotFound) {
  // Chunks [10,20) and [30,40): a hole at [20,30).
  ASSERT_TRUE(
      this->put_chunks(7, 0,
                       {ChunkPut{10, pattern_bytes(10, 10)}, ChunkPut{30, pattern_bytes(30, 10)}})
          .ok());
  auto& log = *this->log_;
  std::string out = "junk";
  EXPECT_EQ(log.read_chunks(7, 0, 5, &out).code(), Code::not_found);    // before the first
  EXPECT_EQ(log.read_chunks(7, 15, 10, &out).code(), Code::not_found);  // runs into the hole
  EXPECT_EQ(log.read_chunks(7, 25, 10, &out).code(), Code::not_found);  // starts in the hole
  EXPECT_EQ(log.read_chunks(7, 35, 6, &out).code(), Code::not_found);   // past the end
  EXPECT_EQ(log.read_chunks(7, 40, 1, &out).code(), Code::not_found);
  EXPECT_EQ(log.read_chunks(8, 0, 1, &out).code(), Code::not_found);  // unknown transfer
  ASSERT_TRUE(log.read_chunks(7, 30, 10, &out).ok());
  EXPECT_EQ(out, pattern_bytes(30, 10));
}

TYPED_TEST_P(EventLogContractTest, ReadsBytesHeldByOverlappingOrNestedChunks) {
  // [0,100) then a resent [10,20) nested inside it, then [90,150) overlapping its end.
  ASSERT_TRUE(this->put_chunks(3, 0, {ChunkPut{0, pattern_bytes(0, 100)}}).ok());
  ASSERT_TRUE(this->put_chunks(3, 1, {ChunkPut{10, pattern_bytes(10, 10)}}).ok());
  ASSERT_TRUE(this->put_chunks(3, 2, {ChunkPut{90, pattern_bytes(90, 60)}}).ok());
  std::string out;
  ASSERT_TRUE(this->log_->read_chunks(3, 50, 60, &out).ok());
  EXPECT_EQ(out, pattern_bytes(50, 60));
  ASSERT_TRUE(this->log_->read_chunks(3, 0, 150, &out).ok());
  EXPECT_EQ(out, pattern_bytes(0, 150));
}

TYPED_TEST_P(EventLogContractTest, WritesIndexEntriesWithTheBatchAndScansByPrefix) {
  auto& log = *this->log_;
  AppendRequest r = request(transfer(1), 0, {tagged_event(1, "a")});
  r.index = {IndexPut{"rcv/2/1", "t1"}, IndexPut{"rcv/1/1", "t1"}, IndexPut{"rcv/10/1", "t1"},
             IndexPut{std::string("bin\0key", 7), std::string("v\0", 2)}};
  ASSERT_TRUE(log.append_and_wait(std::move(r)).ok());
  std::string value;
  ASSERT_TRUE(log.get_index("rcv/2/1", &value).ok());
  EXPECT_EQ(value, "t1");
  ASSERT_TRUE(log.get_index(std::string("bin\0key", 7), &value).ok());
  EXPECT_EQ(value, std::string("v\0", 2));
  EXPECT_EQ(log.get_index("rcv/3/1", &value).code(), Code::not_found);
  std::vector<std::string> keys;
  ASSERT_TRUE(log.scan_index("rcv/1",
                             [&](std::string_view k, std::string_view) {
                               keys.emplace_back(k);
                               return true;
                             })
                  .ok());
  EXPECT_EQ(keys, (std::vector<std::string>{"rcv/1/1", "rcv/10/1"}));
  keys.clear();
  ASSERT_TRUE(log.scan_index("",
                             [&](std::string_view k, std::string_view) {
                               keys.emplace_back(k);
                               return keys.size() < 2;
                             })
                  .ok());
  EXPECT_EQ(keys.size(), 2u);
}

TYPED_TEST_P(EventLogContractTest, ListsStreamsOfOneKindInIdOrder) {
  auto& log = *this->log_;
  for (uint64_t id : {5u, 1u, 300u}) {
    ASSERT_TRUE(log.append_and_wait(request(transfer(id), 0, {tagged_event(1, "a")})).ok());
  }
  ASSERT_TRUE(log.append_and_wait(request(transfer(5), 1, {tagged_event(2, "b")})).ok());
  ASSERT_TRUE(log.append_and_wait(request(inbox(2), 0, {tagged_event(1, "a")})).ok());
  std::vector<std::pair<uint64_t, uint64_t>> seen;
  ASSERT_TRUE(log.list_streams(StreamKind::transfer,
                               [&](StreamId s, uint64_t next) {
                                 EXPECT_EQ(s.kind, StreamKind::transfer);
                                 seen.emplace_back(s.id, next);
                                 return true;
                               })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::pair<uint64_t, uint64_t>>{{1, 1}, {5, 2}, {300, 1}}));
  seen.clear();
  ASSERT_TRUE(log.list_streams(StreamKind::inbox,
                               [&](StreamId s, uint64_t next) {
                                 seen.emplace_back(s.id, next);
                                 return true;
                               })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::pair<uint64_t, uint64_t>>{{2, 1}}));
}

TYPED_TEST_P(EventLogContractTest, ScanAllOrdersByTimeThenStreamThenSeq) {
  auto& log = *this->log_;
  // Time is not monotonic inside a stream: scan_all still sorts globally.
  ASSERT_TRUE(log.append_and_wait(
                     request(transfer(2), 0, {tagged_event(30, "t2-0"), tagged_event(10, "t2-1")}))
                  .ok());
  ASSERT_TRUE(log.append_and_wait(
                     request(transfer(1), 0, {tagged_event(20, "t1-0"), tagged_event(30, "t1-1")}))
                  .ok());
  ASSERT_TRUE(log.append_and_wait(request(inbox(1), 0, {tagged_event(10, "i1-0")})).ok());
  std::vector<std::tuple<int64_t, StreamId, uint64_t>> seen;
  ASSERT_TRUE(log.scan_all([&](const StoredEvent& e) {
                   seen.emplace_back(e.time_ns, e.stream, e.seq);
                   return true;
                 })
                  .ok());
  std::vector<std::tuple<int64_t, StreamId, uint64_t>> want = {{10, transfer(2), 1},
                                                               {10, inbox(1), 0},
                                                               {20, transfer(1), 0},
                                                               {30, transfer(1), 1},
                                                               {30, transfer(2), 0}};
  EXPECT_EQ(seen, want);
  int calls = 0;
  ASSERT_TRUE(log.scan_all([&](const StoredEvent& e) {
                   EXPECT_EQ(e.bytes, tagged_event(10, "t2-1"));
                   return ++calls < 1;
                 })
                  .ok());
  EXPECT_EQ(calls, 1);
}

TYPED_TEST_P(EventLogContractTest, DeleteStreamRemovesEventsChunksAndTheIndexEntriesItWrote) {
  auto& log = *this->log_;
  AppendRequest r = request(transfer(4), 0, {tagged_event(1, "a")});
  r.chunks = {ChunkPut{0, pattern_bytes(0, 10)}};
  r.index = {IndexPut{"idx/4", "x"}};
  ASSERT_TRUE(log.append_and_wait(std::move(r)).ok());
  AppendRequest later = request(transfer(4), 1, {tagged_event(2, "b")});
  later.index = {IndexPut{"idx/4-later", "z"}};
  ASSERT_TRUE(log.append_and_wait(std::move(later)).ok());
  AppendRequest other = request(transfer(5), 0, {tagged_event(1, "c")});
  other.chunks = {ChunkPut{0, pattern_bytes(0, 10)}};
  other.index = {IndexPut{"idx/keep", "y"}};
  ASSERT_TRUE(log.append_and_wait(std::move(other)).ok());
  ASSERT_TRUE(log.delete_stream(transfer(4), 2).ok());
  std::string out;
  EXPECT_TRUE(this->replay_all(transfer(4)).empty());
  EXPECT_EQ(this->next(transfer(4)), 0u);
  EXPECT_EQ(log.read_chunks(4, 0, 10, &out).code(), Code::not_found);
  EXPECT_EQ(log.get_index("idx/4", &out).code(), Code::not_found);
  EXPECT_EQ(log.get_index("idx/4-later", &out).code(), Code::not_found);
  EXPECT_TRUE(log.get_index("idx/keep", &out).ok());  // neighbour untouched
  ASSERT_TRUE(log.read_chunks(5, 0, 10, &out).ok());
  EXPECT_EQ(this->next(transfer(5)), 1u);
  std::vector<StreamId> listed;
  ASSERT_TRUE(log.list_streams(StreamKind::transfer,
                               [&](StreamId id, uint64_t) {
                                 listed.push_back(id);
                                 return true;
                               })
                  .ok());
  EXPECT_EQ(listed, std::vector<StreamId>{transfer(5)});
  // A deleted stream starts again from 0.
  EXPECT_TRUE(log.append_and_wait(request(transfer(4), 0, {tagged_event(9, "again")})).ok());
  EXPECT_TRUE(log.delete_stream(transfer(77), 0).ok());  // no events: not an error
}

TYPED_TEST_P(EventLogContractTest, DeleteStreamRefusesAStreamThatMovedOnAndRemovesNothing) {
  auto& log = *this->log_;
  AppendRequest r = request(inbox(3), 0, {tagged_event(1, "a"), tagged_event(2, "b")});
  r.index = {IndexPut{"idx/3", "x"}};
  ASSERT_TRUE(log.append_and_wait(std::move(r)).ok());
  Status s = log.delete_stream(inbox(3), 1);
  EXPECT_EQ(s.code(), Code::conflict) << s.to_string();
  EXPECT_NE(s.message().find("inbox 3"), std::string::npos) << s.message();
  EXPECT_EQ(this->next(inbox(3)), 2u);
  std::string out;
  EXPECT_TRUE(log.get_index("idx/3", &out).ok());
  EXPECT_EQ(log.delete_stream(inbox(8), 1).code(), Code::conflict);  // empty stream: next is 0
}

REGISTER_TYPED_TEST_SUITE_P(EventLogContractTest, AppendsBatchesAndReplaysFromASequenceNumber,
                            ReplayStopsWhenTheFunctionReturnsFalse,
                            RefusesAStaleExpectedSeqAndWritesNothing, RefusesMalformedRequests,
                            RefusesEventsOfANewerSchemaVersion,
                            ReadsChunkRangesAcrossChunkBoundaries, ReportsAnyMissingByteAsNotFound,
                            ReadsBytesHeldByOverlappingOrNestedChunks,
                            WritesIndexEntriesWithTheBatchAndScansByPrefix,
                            ListsStreamsOfOneKindInIdOrder, ScanAllOrdersByTimeThenStreamThenSeq,
                            DeleteStreamRemovesEventsChunksAndTheIndexEntriesItWrote,
                            DeleteStreamRefusesAStreamThatMovedOnAndRemovesNothing);

}  // namespace glimpse::storage::testing
