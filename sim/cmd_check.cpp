// glimpse-sim check: re-run the transfer rules over a log.
#include <ostream>

#include "sim/check.hpp"
#include "sim/command_common.hpp"

namespace glimpse::sim {

namespace {
const char* const kHelp =
    "usage: glimpse-sim check (--data DIR | --log FILE) [--transfer ID | --all] [--no-bytes]\n"
    "\n"
    "Re-runs the actors' own decide/apply over each transfer's events and checks\n"
    "the invariants: offsets contiguous and within TS, Delivered exactly once and\n"
    "only at >= MTS, a stable file id, Completed only at TS with the CRC-32C of\n"
    "the stored chunks, every receiver notified once, stored bytes matching their\n"
    "CRC32C;\n"
    "and the inbox rules over each user's notifications (one per file, the\n"
    "file id its transfer's).\n"
    "Exits 1 on any violation, naming the transfer, seq and event that broke it.\n"
    "\n"
    "  --transfer ID    check one transfer\n"
    "  --all            check every transfer (the default)\n"
    "  --no-bytes       skip reading chunk bytes (the check of each chunk's CRC32C)\n";
}  // namespace

int run_check(int argc, const char* const* argv, CommandIo io) {
  int code = 0;
  auto args = parse_or_exit(
      argc, argv, source_options({{"transfer", true}, {"all", false}, {"no-bytes", false}}), kHelp,
      io, &code);
  if (!args) return code;
  if (args->has("transfer") && args->has("all")) {
    io.err << "glimpse-sim: give --transfer ID or --all, not both\n";
    return kExitUsage;
  }
  Source source;
  if (!open_from_args(*args, &source, io)) return kExitFailure;
  CheckOptions options;
  options.verify_chunks = !args->has("no-bytes");
  CheckReport report;
  if (args->has("transfer")) {
    uint64_t id = 0;
    if (!transfer_from_args(*args, source, &id, io)) return kExitUsage;
    check_transfer(*source.log, id, options, &report);
  } else {
    check_all(*source.log, options, &report);
  }
  for (const std::string& e : report.errors) io.err << "error: " << e << "\n";
  for (const Violation& v : report.violations) io.out << "VIOLATION " << v.to_string() << "\n";
  io.out << (report.ok() ? "ok: " : "FAILED: ") << report.transfers << " transfer"
         << (report.transfers == 1 ? "" : "s") << ", " << report.inboxes << " inbox"
         << (report.inboxes == 1 ? "" : "es") << ", " << report.events << " events checked, "
         << report.violations.size() << " violation" << (report.violations.size() == 1 ? "" : "s")
         << " (" << source.description << ")\n";
  return report.ok() ? kExitOk : kExitFailure;
}

}  // namespace glimpse::sim
