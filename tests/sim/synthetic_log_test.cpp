#include "sim/synthetic_log.hpp"

#include <gtest/gtest.h>

#include "actors/event_codec.hpp"

namespace glimpse::sim {
namespace {

TEST(SyntheticLog, EventsDecodeWithTheActorsCodec) {
  synth::OpenSpec spec;
  spec.total_size = 10;
  spec.scan_ends = {10};
  spec.mts = 10;
  auto opened = actors::decode_event(synth::transfer_opened(spec, {5, 0}));
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  EXPECT_EQ(opened->time_ns, 5);
  EXPECT_EQ(std::get<actors::TransferOpened>(opened->body).total_size, 10u);
  auto newer = actors::decode_event(synth::expired({1, 60000}));
  EXPECT_FALSE(newer.ok());
}

TEST(SyntheticLog, WriteTransferLaysOutTheWholeTimeline) {
  auto log = storage::new_memory_log();
  synth::OpenSpec spec;
  spec.transfer_id = 3;
  spec.receivers = {4, 5};
  spec.scan_ends = {500, 1000};
  spec.mts = 500;
  ASSERT_TRUE(synth::write_transfer(*log, spec, std::string(1000, 'z'), 250, 0, 1).ok());
  std::vector<std::string> kinds;
  log->replay({storage::StreamKind::transfer, 3}, 0, [&](uint64_t, std::string_view e) {
    auto ev = actors::decode_event(e);
    kinds.push_back(std::to_string(ev->body.index()));
    return true;
  });
  // open, 2 chunks, Delivered, 2 notified, 2 chunks, Completed.
  EXPECT_EQ(kinds, (std::vector<std::string>{"0", "1", "1", "2", "3", "3", "1", "1", "4"}));
  std::string bytes;
  ASSERT_TRUE(log->read_chunks(3, 0, 1000, &bytes).ok());
  EXPECT_EQ(bytes, std::string(1000, 'z'));
}

}  // namespace
}  // namespace glimpse::sim
