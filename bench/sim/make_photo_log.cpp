// sim_make_photo_log PHOTO OUT.glog [NETWORK] [TRANSFER_ID]: prepares a photo
// (progressive transcode), chooses its MTS for NETWORK (default 3g), sends it
// through the actors' transfer rules in simulated time over that network
// model, and exports the log. Gives the simulator's commands something real
// to chew on without running a node.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "image/image.hpp"
#include "image/mts_policy.hpp"
#include "sim/drive.hpp"
#include "sim/log_file.hpp"

using namespace glimpse;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: sim_make_photo_log PHOTO OUT.glog [NETWORK] [TRANSFER_ID]\n");
    return 2;
  }
  std::string network = argc > 3 ? argv[3] : "3g";
  uint64_t id = argc > 4 ? std::strtoull(argv[4], nullptr, 10) : 1;
  auto input = image::read_file(argv[1]);
  if (!input.ok()) {
    std::fprintf(stderr, "%s: %s\n", argv[1], input.error().message.c_str());
    return 1;
  }
  auto prepared = image::prepare(input.value());
  if (!prepared.ok()) {
    std::fprintf(stderr, "%s: %s\n", argv[1], prepared.error().message.c_str());
    return 1;
  }
  sim::NetworkProfile profile;
  std::string error;
  if (!sim::load_profile(network, &profile, &error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 2;
  }
  image::NetworkReport report{image::NetworkType::unknown, 3};
  image::parse_network(network, &report.type);
  auto choice = image::choose_mts(prepared->scan_ends, prepared->dc_scans, prepared->width,
                                  prepared->height, report);

  sim::SendPlan plan;
  plan.header.transfer_id = id;
  plan.header.sender = 1001;
  plan.header.receivers = {2002, 3003};
  plan.header.idempotency_key = std::string("photo-") + std::to_string(id);
  plan.header.total_size = prepared->jpeg.size();
  plan.header.mts = choice.mts;
  plan.header.width = static_cast<uint32_t>(prepared->width);
  plan.header.height = static_cast<uint32_t>(prepared->height);
  plan.header.scan_ends = prepared->scan_ends;
  plan.header.network.type = static_cast<actors::NetworkType>(report.type);
  plan.header.network.signal = static_cast<uint8_t>(report.signal);
  plan.header.node = 1;
  plan.bytes = prepared->jpeg;
  plan.open_ns = 1'763'722'800'000'000'000;  // 2025-11-21T11:00:00Z
  sim::ModelOptions options;
  plan.chunk_bytes = options.chunk_bytes;
  plan.chunk_ms = sim::modelled_chunk_ms(profile, plan.bytes.size(), options);
  plan.notify_ms = profile.segments.front().rtt_ms / 2;

  auto log = storage::new_memory_log();
  if (!sim::send_through_domain(*log, plan, &error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  sim::LogFileHeader header;
  header.source = std::string("sim_make_photo_log ") + argv[1] + " over " + network;
  header.transfer_id = id;
  if (!sim::export_log(*log, {{storage::StreamKind::transfer, id}}, header, argv[2], &error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  std::printf("%s: %dx%d, TS %zu, %zu scans, MTS %llu (Q %.3f) for %s -> %s\n", argv[1],
              prepared->width, prepared->height, prepared->jpeg.size(), prepared->scan_ends.size(),
              static_cast<unsigned long long>(choice.mts), choice.q, network.c_str(), argv[2]);
  return 0;
}
