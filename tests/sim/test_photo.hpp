#pragma once
// A small real progressive JPEG made in the test (no corpus), and a log of it
// sent through the actors' rules, for tests that decode what they replay.
#include <cstdint>
#include <memory>
#include <string>

#include "image/image.hpp"
#include "storage/event_log.hpp"

namespace glimpse::sim::testing {

// 160x120 RGB photo-like picture, prepared (progressive, several scans).
const image::Prepared& small_photo();

// Appends transfer `id` of small_photo() to `log`: MTS at the third scan end,
// 1 KiB chunks 10 ms apart, receivers 7 and 8.
void write_photo_transfer(storage::EventLog& log, uint64_t id);

}  // namespace glimpse::sim::testing
