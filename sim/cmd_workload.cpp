// glimpse-sim workload: many virtual senders in simulated time.
#include <ostream>

#include "sim/command_common.hpp"
#include "sim/workload.hpp"

namespace glimpse::sim {

namespace {
const char* const kHelp =
    "usage: glimpse-sim workload --users N --photos DIR [--network-mix MIX] [--spread S]\n"
    "                            [--seed S] [--chunk BYTES]\n"
    "\n"
    "Runs N virtual senders, each sending one photo from DIR to another user over\n"
    "a network drawn from MIX, through the actors' transfer rules into an\n"
    "in-memory log, in simulated time (no waiting). Prints the distributions\n"
    "(min, p50, p90, p99, max) of time to Delivered, to first frame, to the MTS\n"
    "frame, to complete, the whole-file time and the gains, and the display SSIM\n"
    "of the first and MTS frames, per network and overall; then checks the log.\n"
    "\n"
    "  --users N          virtual senders (default 100)\n"
    "  --photos DIR       .jpg/.jpeg/.png photos, prepared once each\n"
    "  --network-mix MIX  PROFILE:WEIGHT,... (default wifi:0.5,4g:0.3,3g:0.2)\n"
    "  --spread S         senders start within S seconds (default 60)\n"
    "  --seed S           all random draws (default 1)\n"
    "  --chunk BYTES      chunk size (default 16384)\n";
}  // namespace

int run_workload(int argc, const char* const* argv, CommandIo io) {
  int code = 0;
  auto args = parse_or_exit(argc, argv,
                            {{"users", true},
                             {"photos", true},
                             {"network-mix", true},
                             {"spread", true},
                             {"seed", true},
                             {"chunk", true}},
                            kHelp, io, &code);
  if (!args) return code;
  std::string error;
  WorkloadOptions o;
  if (auto v = args->get_u64("users", &error)) o.users = *v;
  if (auto v = args->get_u64("seed", &error)) o.seed = *v;
  if (auto v = args->get_u64("chunk", &error)) o.chunk_bytes = *v;
  if (auto v = args->get_double("spread", &error)) o.spread_s = *v;
  if (error.empty() && (o.users == 0 || o.users > 1'000'000))
    error = "--users must be between 1 and 1000000";
  if (error.empty() && (o.chunk_bytes == 0 || o.chunk_bytes > (1u << 20)))
    error = "--chunk must be between 1 and 1048576 bytes";
  if (error.empty() && !args->has("photos")) error = "say where the photos are: --photos DIR";
  if (error.empty())
    parse_network_mix(args->get("network-mix", "wifi:0.5,4g:0.3,3g:0.2"), &o.mix, &error);
  if (!error.empty()) {
    io.err << "glimpse-sim: " << error << "\n";
    return kExitUsage;
  }
  std::vector<WorkloadPhoto> photos;
  WorkloadResult result;
  if (!load_workload_photos(args->get("photos"), &photos, &error) ||
      !simulate_workload(photos, o, &result, &error)) {
    io.err << "glimpse-sim: " << error << "\n";
    return kExitFailure;
  }
  io.out << format_workload(o, result);
  return result.check_ok ? kExitOk : kExitFailure;
}

}  // namespace glimpse::sim
