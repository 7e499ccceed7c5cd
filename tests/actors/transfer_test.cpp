#include "actors/transfer.hpp"

#include <gtest/gtest.h>

namespace glimpse::actors {
namespace {

constexpr int64_t kNow = 1'700'000'000'000'000'000;

TransferOpened header(uint64_t ts = 1000, uint64_t mts = 400) {
  TransferOpened h;
  h.transfer_id = 7;
  h.sender = 100;
  h.receivers = {200, 300};
  h.idempotency_key = "photo-1";
  h.total_size = ts;
  h.mts = mts;
  h.width = 640;
  h.height = 480;
  h.scan_ends = {100, mts, ts};
  h.network = NetworkReport{NetworkType::lte4g, 3};
  h.node = 3;
  return h;
}

struct Harness {
  TransferLimits limits;
  TransferState state;
  std::vector<Event> log;

  TransferDecision run(TransferCommandBody body, int64_t now = kNow) {
    auto d = decide(state, TransferCommand{now, std::move(body)}, limits);
    for (const auto& e : d.events) {
      apply_in_place(state, e);
      log.push_back(e);
    }
    return d;
  }
  TransferDecision chunk(uint64_t offset, uint32_t len, uint32_t crc = 1) {
    return run(AppendChunk{100, offset, len, crc});
  }
  void open(TransferOpened h = header()) { ASSERT_TRUE(run(OpenTransfer{h}).reply.ok()); }
};

ErrorCode code_of(const TransferDecision& d) { return d.reply.error().code; }

TEST(Transfer, OpenEmitsTransferOpenedWithTheCommandsTime) {
  Harness h;
  auto d = h.run(OpenTransfer{header()}, 42);
  ASSERT_TRUE(d.reply.ok());
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0], (Event{42, header()}));
  EXPECT_EQ(h.state.phase, TransferPhase::open);
  EXPECT_EQ(d.reply->transfer_id, 7u);
  EXPECT_EQ(d.reply->acked, 0u);
}

TEST(Transfer, ReopenWithSameHeaderResumesAtTheAckedOffset) {
  Harness h;
  h.open();
  h.chunk(0, 100);
  auto d = h.run(OpenTransfer{header()});
  ASSERT_TRUE(d.reply.ok());
  EXPECT_TRUE(d.events.empty());
  EXPECT_EQ(d.reply->acked, 100u);
}

TEST(Transfer, ReopenWithDifferentHeaderIsConflict) {
  Harness h;
  h.open();
  auto other = header();
  other.total_size = 2000;
  other.scan_ends.back() = 2000;
  auto d = h.run(OpenTransfer{other});
  EXPECT_EQ(code_of(d), ErrorCode::conflict);
  EXPECT_TRUE(d.events.empty());
}

struct BadHeader {
  const char* name;
  void (*mutate)(TransferOpened&);
  ErrorCode code;
};

TEST(Transfer, HeaderValidationRefusesWithoutEvents) {
  const BadHeader cases[] = {
      {"mts above ts", [](TransferOpened& h) { h.mts = 1001; }, ErrorCode::invalid_argument},
      {"mts zero", [](TransferOpened& h) { h.mts = 0; }, ErrorCode::invalid_argument},
      {"mts not a scan end", [](TransferOpened& h) { h.mts = 401; }, ErrorCode::invalid_argument},
      {"no receivers", [](TransferOpened& h) { h.receivers.clear(); }, ErrorCode::invalid_argument},
      {"sender alone", [](TransferOpened& h) { h.receivers = {100}; }, ErrorCode::invalid_argument},
      {"duplicate receiver", [](TransferOpened& h) { h.receivers = {200, 200}; },
       ErrorCode::invalid_argument},
      {"ts over limit",
       [](TransferOpened& h) {
         h.total_size = (64ull << 20) + 1;
         h.scan_ends.back() = h.total_size;
       },
       ErrorCode::limit_exceeded},
      {"ts zero", [](TransferOpened& h) { h.total_size = 0; }, ErrorCode::invalid_argument},
      {"too many scan ends",
       [](TransferOpened& h) {
         h.scan_ends.clear();
         for (uint64_t i = 1; i <= 300; ++i) h.scan_ends.push_back(i);
         h.total_size = 300;
         h.mts = 100;
       },
       ErrorCode::limit_exceeded},
      {"last scan end not ts", [](TransferOpened& h) { h.scan_ends.back() = 999; },
       ErrorCode::invalid_argument},
      {"scan ends unordered", [](TransferOpened& h) { h.scan_ends = {400, 100, 1000}; },
       ErrorCode::invalid_argument},
      {"width zero", [](TransferOpened& h) { h.width = 0; }, ErrorCode::invalid_argument},
      {"height zero", [](TransferOpened& h) { h.height = 0; }, ErrorCode::invalid_argument},
      {"key too long", [](TransferOpened& h) { h.idempotency_key.assign(200, 'k'); },
       ErrorCode::limit_exceeded},
      {"bad signal", [](TransferOpened& h) { h.network.signal = 9; }, ErrorCode::invalid_argument},
  };
  for (const auto& c : cases) {
    Harness h;
    auto bad = header();
    c.mutate(bad);
    auto d = h.run(OpenTransfer{bad});
    ASSERT_FALSE(d.reply.ok()) << c.name;
    EXPECT_EQ(code_of(d), c.code) << c.name;
    EXPECT_FALSE(d.reply.error().message.empty()) << c.name;
    EXPECT_TRUE(d.events.empty()) << c.name;
    EXPECT_EQ(h.state.phase, TransferPhase::none) << c.name;
  }
}

TEST(Transfer, SenderAmongOtherReceiversIsFine) {
  Harness h;
  auto hd = header();
  hd.receivers = {100, 200};
  EXPECT_TRUE(h.run(OpenTransfer{hd}).reply.ok());
}

TEST(Transfer, AppendBeforeOpenOrByAnotherUserIsNotFound) {
  Harness h;
  EXPECT_EQ(code_of(h.chunk(0, 10)), ErrorCode::not_found);
  h.open();
  EXPECT_EQ(code_of(h.run(AppendChunk{999, 0, 10, 1})), ErrorCode::not_found);
}

TEST(Transfer, InOrderChunksAdvanceThePrefix) {
  Harness h;
  h.open();
  auto d = h.chunk(0, 100, 11);
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].body, EventBody(ChunkAppended{0, 100, 11}));
  EXPECT_EQ(d.reply->acked, 100u);
  EXPECT_EQ(h.chunk(100, 100).reply->acked, 200u);
  EXPECT_EQ(h.state.acked, 200u);
}

TEST(Transfer, OutOfOrderChunksCountOnlyOnceContiguous) {
  Harness h;
  h.open();
  EXPECT_EQ(h.chunk(200, 100).reply->acked, 0u);
  EXPECT_EQ(h.chunk(400, 50).reply->acked, 0u);
  EXPECT_EQ(h.chunk(300, 100).reply->acked, 0u);
  using R = std::vector<std::pair<uint64_t, uint64_t>>;
  EXPECT_EQ(h.state.out_of_order_ranges(), (R{{200, 450}}));
  EXPECT_EQ(h.chunk(0, 100).reply->acked, 100u);
  EXPECT_EQ(h.chunk(100, 100).reply->acked, 450u);
  EXPECT_TRUE(h.state.out_of_order_ranges().empty());
}

TEST(Transfer, ResentMatchingChunkIsAcceptedWithoutEvents) {
  Harness h;
  h.open();
  h.chunk(0, 100, 5);
  auto d = h.chunk(0, 100, 5);
  ASSERT_TRUE(d.reply.ok());
  EXPECT_TRUE(d.events.empty());
  EXPECT_EQ(d.reply->acked, 100u);
}

TEST(Transfer, ConflictingResentChunkIsRefused) {
  Harness h;
  h.open();
  h.chunk(0, 100, 5);
  EXPECT_EQ(code_of(h.chunk(0, 100, 6)), ErrorCode::conflict);  // other bytes
  EXPECT_EQ(code_of(h.chunk(0, 50, 5)), ErrorCode::conflict);   // other length
  EXPECT_EQ(code_of(h.chunk(50, 100)), ErrorCode::conflict);    // overlaps
  h.chunk(300, 100);
  EXPECT_EQ(code_of(h.chunk(250, 100)), ErrorCode::conflict);  // overlaps a later chunk
  EXPECT_EQ(h.state.chunks.size(), 2u);
}

TEST(Transfer, NothingPastTheTotalSize) {
  Harness h;
  h.open();
  EXPECT_EQ(code_of(h.chunk(950, 100)), ErrorCode::invalid_argument);
  EXPECT_EQ(code_of(h.chunk(1000, 1)), ErrorCode::invalid_argument);
  EXPECT_EQ(code_of(h.chunk(UINT64_MAX - 5, 10)), ErrorCode::invalid_argument);
  EXPECT_EQ(code_of(h.chunk(10, 0)), ErrorCode::invalid_argument);
}

TEST(Transfer, ChunkSizeBounds) {
  Harness h;
  h.limits.max_chunk_size = 200;
  h.limits.min_chunk_size = 50;
  h.open();
  EXPECT_EQ(code_of(h.chunk(0, 201)), ErrorCode::limit_exceeded);
  EXPECT_EQ(code_of(h.chunk(0, 49)), ErrorCode::limit_exceeded);
  EXPECT_TRUE(h.chunk(990, 10).reply.ok());  // the last chunk may be short
}

TEST(Transfer, ChunksBeyondTheLimitAreRefusedButStoredOnesMayBeResent) {
  Harness h;
  h.limits.max_chunks = 2;
  h.open();
  ASSERT_TRUE(h.chunk(0, 100).reply.ok());
  ASSERT_TRUE(h.chunk(500, 100).reply.ok());
  auto d = h.chunk(100, 100);
  EXPECT_EQ(code_of(d), ErrorCode::limit_exceeded);
  EXPECT_NE(d.reply.error().message.find("larger chunks"), std::string::npos);
  EXPECT_TRUE(d.events.empty());
  EXPECT_EQ(h.state.chunks.size(), 2u);
  EXPECT_TRUE(h.chunk(500, 100).reply.ok());  // a resend stores nothing new
}

TEST(Transfer, DeliveredExactlyOnceWhenThePrefixReachesMts) {
  Harness h;
  h.open();
  EXPECT_EQ(h.chunk(0, 300).events.size(), 1u);
  EXPECT_EQ(h.chunk(500, 100).events.size(), 1u);  // beyond MTS but not contiguous
  EXPECT_FALSE(h.state.delivered());
  auto d = h.chunk(300, 200);
  ASSERT_EQ(d.events.size(), 2u);
  EXPECT_EQ(d.events[1].body, EventBody(Delivered{"n3-0000000000000007", 600}));
  EXPECT_EQ(d.reply->file_id, "n3-0000000000000007");
  EXPECT_EQ(d.reply->acked, 600u);
  EXPECT_EQ(h.chunk(600, 100).events.size(), 1u);  // no second Delivered
  int delivered = 0;
  for (const auto& e : h.log) delivered += std::holds_alternative<Delivered>(e.body);
  EXPECT_EQ(delivered, 1);
}

TEST(Transfer, ReceiversToNotifyAndMarkNotified) {
  Harness h;
  h.open();
  EXPECT_TRUE(h.state.receivers_to_notify().empty());
  EXPECT_EQ(code_of(h.run(MarkReceiverNotified{200})), ErrorCode::invalid_argument);
  h.chunk(0, 400);
  EXPECT_EQ(h.state.receivers_to_notify(), (std::vector<uint64_t>{200, 300}));
  EXPECT_EQ(h.run(MarkReceiverNotified{200}).events.size(), 1u);
  EXPECT_TRUE(h.run(MarkReceiverNotified{200}).events.empty());
  EXPECT_EQ(code_of(h.run(MarkReceiverNotified{999})), ErrorCode::invalid_argument);
  EXPECT_EQ(h.state.receivers_to_notify(), (std::vector<uint64_t>{300}));
}

TEST(Transfer, CompletedNeedsFullPrefixAndMatchingCrc) {
  Harness h;
  h.open();
  h.chunk(0, 500);
  EXPECT_EQ(code_of(h.run(FinishTransfer{100, 1u, std::nullopt})),
            ErrorCode::invalid_argument);
  h.chunk(500, 500);
  EXPECT_EQ(code_of(h.run(FinishTransfer{100, 1u, 2u})), ErrorCode::conflict);
  EXPECT_EQ(code_of(h.run(FinishTransfer{999, 1u, 1u})), ErrorCode::not_found);
  auto d = h.run(FinishTransfer{100, 1u, 1u});
  ASSERT_TRUE(d.reply.ok());
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].body, EventBody(Completed{1u}));
  EXPECT_TRUE(d.reply->completed);
  EXPECT_TRUE(h.run(FinishTransfer{100, 1u, std::nullopt}).events.empty());  // repeat
  EXPECT_EQ(code_of(h.run(FinishTransfer{100, 3u, std::nullopt})), ErrorCode::conflict);
  EXPECT_TRUE(h.chunk(0, 500).reply.ok());  // resent matching chunk, still fine
  EXPECT_EQ(code_of(h.run(AbortTransfer{100, "x"})), ErrorCode::conflict);
}

TEST(Transfer, AVersion1CompletedAcceptsARepeatedFinishWhateverItsCrc) {
  Harness h;
  h.open();
  h.chunk(0, 1000);
  h.state = apply(std::move(h.state), Event{1, Completed{std::nullopt}});  // as decoded
  EXPECT_TRUE(h.run(FinishTransfer{100, 7u, std::nullopt}).reply.ok());
  EXPECT_EQ(code_of(h.run(AbortTransfer{100, "x"})), ErrorCode::conflict);
}

TEST(Transfer, AbortAndExpireCloseTheTransfer) {
  Harness h;
  h.open();
  auto d = h.run(AbortTransfer{100, "user cancelled"});
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(h.state.phase, TransferPhase::aborted);
  EXPECT_EQ(code_of(h.chunk(0, 10)), ErrorCode::aborted);
  EXPECT_TRUE(h.run(AbortTransfer{100, "again"}).events.empty());
  EXPECT_TRUE(h.run(ExpireTransfer{}).events.empty());

  Harness e;
  e.open();
  EXPECT_EQ(e.run(ExpireTransfer{}).events.size(), 1u);
  EXPECT_EQ(e.state.phase, TransferPhase::expired);
  EXPECT_EQ(code_of(e.chunk(0, 10)), ErrorCode::aborted);
  EXPECT_EQ(code_of(e.run(OpenTransfer{header()})), ErrorCode::aborted);
}

TEST(Transfer, ReplayingTheLogRebuildsTheSameState) {
  Harness h;
  h.open();
  h.chunk(600, 100);
  h.chunk(0, 400);
  h.run(MarkReceiverNotified{300});
  h.chunk(400, 200);
  h.chunk(700, 300);
  h.run(FinishTransfer{100, 9u, 9u});
  TransferState replayed;
  for (const auto& e : h.log) replayed = apply(std::move(replayed), e);
  EXPECT_EQ(replayed, h.state);
  EXPECT_EQ(replayed.phase, TransferPhase::completed);
}

TEST(Transfer, InboxEventsDoNotChangeATransfer) {
  TransferState s;
  auto after = apply(s, Event{1, NotificationAcked{"x"}});
  EXPECT_EQ(after, s);
}

TEST(FileId, NamesTheNodeAndRoundTrips) {
  EXPECT_EQ(make_file_id(12, 0xabcdef), "n12-0000000000abcdef");
  auto p = parse_file_id(make_file_id(65535, UINT64_MAX));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->first, 65535);
  EXPECT_EQ(p->second, UINT64_MAX);
  for (const char* bad : {"", "n-0000000000000001", "x1-0000000000000001", "n1-00000000000001",
                          "n1-000000000000000g", "n70000-0000000000000001", "n01-0000000000000001",
                          "n1_0000000000000001"})
    EXPECT_FALSE(parse_file_id(bad)) << bad;
}

}  // namespace
}  // namespace glimpse::actors
