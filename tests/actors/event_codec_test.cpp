#include "actors/event_codec.hpp"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <gtest/gtest.h>

#include "schema/events.capnp.h"

namespace glimpse::actors {
namespace {

std::vector<Event> every_event_type() {
  TransferOpened o;
  o.transfer_id = 0x1122334455667788;
  o.sender = 100;
  o.receivers = {200, 300};
  o.idempotency_key = "key-é";
  o.total_size = 64ull << 20;
  o.mts = 1 << 20;
  o.width = 4032;
  o.height = 3024;
  o.scan_ends = {1000, 1 << 20, 64ull << 20};
  o.network = NetworkReport{NetworkType::g3, 2};
  o.node = 65535;
  Completed c{0x8a9136aau};
  return {
      Event{1, o},
      Event{-2, ChunkAppended{123456789012, 65536, 0xdeadbeef}},
      Event{3, Delivered{"n3-0000000000000007", 1 << 20}},
      Event{4, ReceiverNotified{300}},
      Event{5, c},
      Event{6, Aborted{"user cancelled"}},
      Event{7, Expired{}},
      Event{8, NotificationQueued{"n3-0000000000000007", 7, 100, 1000, 400, 640, 480,
                                  1700000000123456789}},
      Event{INT64_MAX, NotificationAcked{"n3-0000000000000007"}},
  };
}

TEST(EventCodec, EveryEventTypeRoundTrips) {
  auto events = every_event_type();
  ASSERT_EQ(events.size(), std::variant_size_v<EventBody>);
  for (const auto& e : events) {
    auto decoded = decode_event(encode_event(e));
    ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
    EXPECT_EQ(*decoded, e) << "variant index " << e.body.index();
  }
}

TEST(EventCodec, WritesTheCurrentVersion) {
  auto bytes = encode_event(every_event_type()[1]);
  kj::ArrayPtr<const capnp::word> words(reinterpret_cast<const capnp::word*>(bytes.data()),
                                        bytes.size() / sizeof(capnp::word));
  capnp::FlatArrayMessageReader reader(words);
  EXPECT_EQ(reader.getRoot<schema::Event>().getVersion(), schema::CURRENT_EVENT_VERSION);
}

TEST(EventCodec, NewerVersionIsAClearError) {
  capnp::MallocMessageBuilder m;
  auto b = m.initRoot<schema::Event>();
  b.setVersion(schema::CURRENT_EVENT_VERSION + 1);
  b.setExpired();
  auto words = capnp::messageToFlatArray(m);
  auto bytes = words.asBytes();
  auto decoded = decode_event(std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size()));
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("newer"), std::string::npos) << decoded.error().message;
}

TEST(EventCodec, AVersion1CompletedDecodesWithoutACrc) {
  capnp::MallocMessageBuilder m;
  auto b = m.initRoot<schema::Event>();
  b.setVersion(1);
  b.initCompleted().initSha256(32);
  auto words = capnp::messageToFlatArray(m);
  auto bytes = words.asBytes();
  auto decoded = decode_event(std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size()));
  ASSERT_TRUE(decoded.ok()) << decoded.error().to_string();
  ASSERT_TRUE(std::holds_alternative<Completed>(decoded->body));
  EXPECT_EQ(std::get<Completed>(decoded->body).crc32c, std::nullopt);
  EXPECT_EQ(decode_event(encode_event(*decoded)).value(), *decoded);  // stays one when rewritten
}

TEST(EventCodec, GarbageIsRefused) {
  EXPECT_FALSE(decode_event("").ok());
  EXPECT_FALSE(decode_event("abc").ok());
  EXPECT_FALSE(decode_event(std::string(16, '\xff')).ok());
}

}  // namespace
}  // namespace glimpse::actors
