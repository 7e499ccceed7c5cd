// glimpse-sim whatif: a logged photo over a modelled network.
#include <ostream>

#include "sim/command_common.hpp"
#include "sim/whatif.hpp"

namespace glimpse::sim {

namespace {
const char* const kHelp =
    "usage: glimpse-sim whatif (--log FILE | --data DIR) [--transfer ID] --network PROFILE\n"
    "                          [--downlink PROFILE] [--mts-policy P] [--seed S] [--chunk BYTES]\n"
    "\n"
    "Sends the logged photo again through a deterministic network model (sender\n"
    "upload, relay, receiver download; bandwidth, RTT and seeded loss) and prints\n"
    "time to Delivered, time to first frame (first complete scan at the\n"
    "receiver) and its display SSIM, time to the MTS frame, time to complete,\n"
    "next to the same photo sent whole (receiver notified only at 100%), and the\n"
    "gain as a ratio.\n"
    "\n"
    "  --network PROFILE   wifi, 4g, 3g, 2g, lift (4g dropping to 2g for 5 s), or a\n"
    "                      trace file of lines \"time_ms bandwidth_kbps rtt_ms loss\"\n"
    "  --downlink PROFILE  the receiver's network (default: the same as --network)\n"
    "  --mts-policy P      glimpse (default: the policy for that network), log (the\n"
    "                      logged MTS), q=F (first scan end >= F*TS), scan=N\n"
    "  --seed S            loss draws (default 1); same seed, same figures\n"
    "  --chunk BYTES       upload/download chunk size (default 16384)\n";
}  // namespace

int run_whatif(int argc, const char* const* argv, CommandIo io) {
  int code = 0;
  auto args = parse_or_exit(argc, argv,
                            source_options({{"transfer", true},
                                            {"network", true},
                                            {"downlink", true},
                                            {"mts-policy", true},
                                            {"seed", true},
                                            {"chunk", true}}),
                            kHelp, io, &code);
  if (!args) return code;
  std::string error;
  ModelOptions options;
  if (auto seed = args->get_u64("seed", &error)) options.seed = *seed;
  if (auto chunk = args->get_u64("chunk", &error)) options.chunk_bytes = *chunk;
  if (error.empty() && (options.chunk_bytes == 0 || options.chunk_bytes > (64u << 20)))
    error = "--chunk must be between 1 and 67108864 bytes";
  if (error.empty() && !args->has("network"))
    error = "say which network to model: --network wifi|4g|3g|2g|lift|TRACE_FILE";
  if (!error.empty()) {
    io.err << "glimpse-sim: " << error << "\n";
    return kExitUsage;
  }
  NetworkProfile up, down;
  if (!load_profile(args->get("network"), &up, &error) ||
      !load_profile(args->get("downlink", args->get("network")), &down, &error)) {
    io.err << "glimpse-sim: " << error << "\n";
    return kExitUsage;
  }
  Source source;
  uint64_t id = 0;
  if (!open_from_args(*args, &source, io) || !transfer_from_args(*args, source, &id, io))
    return kExitFailure;
  Photo photo;
  WhatIfReport report;
  if (!load_photo(*source.log, id, &photo, &error) ||
      !run_whatif(photo, up, down, args->get("mts-policy", "glimpse"), options, &report, &error)) {
    io.err << "glimpse-sim: " << error << "\n";
    return kExitFailure;
  }
  io.out << format_whatif(photo, up, options, report);
  return kExitOk;
}

}  // namespace glimpse::sim
