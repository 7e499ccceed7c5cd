#include "test_photo.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "sim/drive.hpp"

namespace glimpse::sim::testing {

const image::Prepared& small_photo() {
  static const image::Prepared prepared = [] {
    image::Pixels p;
    p.width = 160;
    p.height = 120;
    p.channels = 3;
    p.data.resize(160 * 120 * 3);
    uint32_t noise = 12345;
    for (int y = 0; y < p.height; ++y) {
      for (int x = 0; x < p.width; ++x) {
        noise = noise * 1664525u + 1013904223u;
        int n = static_cast<int>(noise >> 28);
        uint8_t* px = &p.data[(y * p.width + x) * 3];
        px[0] = static_cast<uint8_t>(std::clamp(x + n, 0, 255));
        px[1] =
            static_cast<uint8_t>(std::clamp(int(128 + 100 * std::sin(x / 9.0 + y / 13.0)), 0, 255));
        px[2] = static_cast<uint8_t>(std::clamp(2 * y + n, 0, 255));
      }
    }
    auto png = image::encode_png(p);
    EXPECT_TRUE(png.ok());
    auto prepared = image::prepare(png.value());
    EXPECT_TRUE(prepared.ok()) << (prepared.ok() ? "" : prepared.error().message);
    return prepared.value();
  }();
  return prepared;
}

void write_photo_transfer(storage::EventLog& log, uint64_t id) {
  const image::Prepared& photo = small_photo();
  ASSERT_GE(photo.scan_ends.size(), 3u);
  SendPlan plan;
  plan.header.transfer_id = id;
  plan.header.sender = 1;
  plan.header.receivers = {7, 8};
  plan.header.idempotency_key = "k" + std::to_string(id);
  plan.header.total_size = photo.jpeg.size();
  plan.header.mts = photo.scan_ends[2];
  plan.header.width = photo.width;
  plan.header.height = photo.height;
  plan.header.scan_ends = photo.scan_ends;
  plan.header.node = 3;
  plan.bytes = photo.jpeg;
  plan.chunk_bytes = 1024;
  plan.open_ns = 1'700'000'000'000'000'000;
  for (size_t i = 0; i * 1024 < photo.jpeg.size(); ++i) plan.chunk_ms.push_back(10.0 * (i + 1));
  std::string error;
  ASSERT_TRUE(send_through_domain(log, plan, &error)) << error;
}

}  // namespace glimpse::sim::testing
