#include "sim/describe.hpp"

#include <gtest/gtest.h>

namespace glimpse::sim {
namespace {

TEST(Describe, EventsReadAsOneLine) {
  actors::Event chunk{0, actors::ChunkAppended{1024, 512, 0xabcd}};
  EXPECT_EQ(describe_event(chunk), "ChunkAppended offset=1024 length=512 crc32c=0000abcd");
  actors::Event d{0, actors::Delivered{"n1-000000000000002a", 3000}};
  EXPECT_EQ(describe_event(d), "Delivered file=n1-000000000000002a offset=3000");
  actors::Event n{0, actors::ReceiverNotified{8}};
  EXPECT_EQ(describe_event(n), "ReceiverNotified receiver=8");
  actors::Event a{0, actors::Aborted{"user cancelled"}};
  EXPECT_EQ(describe_event(a), "Aborted reason=\"user cancelled\"");
  EXPECT_STREQ(event_name(actors::Event{0, actors::Expired{}}), "Expired");
}

TEST(Describe, Phases) {
  EXPECT_EQ(phase_name(actors::TransferPhase::completed), "completed");
  EXPECT_EQ(phase_name(actors::TransferPhase::open), "open");
}

}  // namespace
}  // namespace glimpse::sim
