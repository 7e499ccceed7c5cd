#include "storage/event_codec.hpp"

#include <gtest/gtest.h>

#include "tests/storage/test_events.hpp"

namespace glimpse::storage::testing {
namespace {

TEST(EventCodec, ReadsVersionAndTime) {
  EventHeader h;
  ASSERT_TRUE(parse_event_header(chunk_event(-5, 1, 2), Code::invalid, &h).ok());
  EXPECT_EQ(h.time_ns, -5);
  EXPECT_EQ(h.version, schema::CURRENT_EVENT_VERSION);
}

TEST(EventCodec, ReadsUnalignedBytes) {
  std::string buffer = "x" + tagged_event(42, "tag");
  EventHeader h;
  ASSERT_TRUE(
      parse_event_header(std::string_view(buffer).substr(1), Code::invalid, &h).ok());
  EXPECT_EQ(h.time_ns, 42);
}

TEST(EventCodec, ReportsMalformedBytesWithTheCallersCode) {
  EventHeader h;
  EXPECT_EQ(parse_event_header("", Code::invalid, &h).code(), Code::invalid);
  EXPECT_EQ(parse_event_header("1234567", Code::corruption, &h).code(), Code::corruption);
  std::string bad(24, '\xff');
  EXPECT_EQ(parse_event_header(bad, Code::corruption, &h).code(), Code::corruption);
  std::string truncated = tagged_event(1, "a long enough reason to span words");
  truncated.resize(truncated.size() - 8);
  EXPECT_EQ(parse_event_header(truncated, Code::corruption, &h).code(), Code::corruption);
}

TEST(EventCodec, RefusesANewerVersion) {
  EventHeader h;
  Status s = parse_event_header(chunk_event(1, 0, 0, schema::CURRENT_EVENT_VERSION + 1),
                                Code::invalid, &h);
  EXPECT_EQ(s.code(), Code::newer_version);
}

TEST(EventCodec, ChecksRequests) {
  EXPECT_TRUE(check_append_request(request(transfer(1), 0, {tagged_event(1, "a")})).ok());
  EXPECT_EQ(check_append_request(request(transfer(1), 0, {})).code(), Code::invalid);
  AppendRequest empty_chunk = request(transfer(1), 0, {tagged_event(1, "a")});
  empty_chunk.chunks.push_back(ChunkPut{3, ""});
  EXPECT_EQ(check_append_request(empty_chunk).code(), Code::invalid);
  AppendRequest overflow = request(transfer(1), 0, {tagged_event(1, "a")});
  overflow.chunks.push_back(ChunkPut{~uint64_t{0}, "xx"});
  EXPECT_EQ(check_append_request(overflow).code(), Code::invalid);
  EXPECT_EQ(stream_name(inbox(7)), "inbox 7");
}

}  // namespace
}  // namespace glimpse::storage::testing
