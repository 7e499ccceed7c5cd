#include "sim/event_view.hpp"

#include <gtest/gtest.h>

#include "sim/synthetic_log.hpp"

namespace glimpse::sim {
namespace {

TEST(EventView, ReadsAlignedAndMisalignedBytes) {
  std::string ev = synth::chunk_appended(4096, 100, 7, {123, 0});
  std::string shifted = "x" + ev;
  for (std::string_view bytes : {std::string_view(ev), std::string_view(shifted).substr(1)}) {
    EventView v;
    std::string error;
    ASSERT_TRUE(v.parse(bytes, &error)) << error;
    EXPECT_EQ(event_kind_name(v.event()), "ChunkAppended");
    EXPECT_EQ(v.event().getChunkAppended().getOffset(), 4096u);
    EXPECT_EQ(v.event().getTimeNs(), 123);
  }
}

TEST(EventView, RefusesWhatIsNotAMessage) {
  EventView v;
  std::string error;
  EXPECT_FALSE(v.parse("abc", &error));
  EXPECT_NE(error.find("not a whole message"), std::string::npos);
  EXPECT_FALSE(v.parse(std::string(16, '\xff'), &error));
}

TEST(EventView, NamesStreams) {
  EXPECT_EQ(stream_name({storage::StreamKind::inbox, 7}), "inbox 7");
  EXPECT_EQ(stream_name({storage::StreamKind::transfer, 42}), "transfer 42");
}

}  // namespace
}  // namespace glimpse::sim
