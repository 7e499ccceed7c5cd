// glimpse-sim replay: a transfer's timeline, one line per event.
#include <chrono>
#include <istream>
#include <ostream>
#include <string>
#include <thread>

#include "sim/command_common.hpp"
#include "sim/timeline.hpp"

namespace glimpse::sim {

namespace {
const char* const kHelp =
    "usage: glimpse-sim replay (--data DIR | --log FILE) --transfer ID [--speed X | --step]\n"
    "\n"
    "Prints the transfer's timeline, one line per event: time since it opened,\n"
    "the event, the contiguous prefix after it, that prefix as % of TS, and the\n"
    "scans it completes (\"*\" marks an event that completed a scan: a new\n"
    "frame for the receiver).\n"
    "\n"
    "  --transfer ID    the transfer (optional with a log file of one transfer)\n"
    "  --speed X        pace the events in real time, X times faster (1 = as it happened)\n"
    "  --step           one event per press of Enter\n"
    "  (default: as fast as possible)\n";

std::string header_line(const Timeline& t) {
  const auto& h = t.header;
  std::string who = std::to_string(h.sender) + " ->";
  for (uint64_t r : h.receivers) who += " " + std::to_string(r);
  char q[32];
  std::snprintf(q, sizeof q, "%.1f%%", h.total_size ? 100.0 * h.mts / h.total_size : 0.0);
  return "transfer " + std::to_string(t.transfer_id) + ": " + who + "; TS " +
         std::to_string(h.total_size) + ", MTS " + std::to_string(h.mts) + " (" + q + "), " +
         std::to_string(h.scan_ends.size()) + " scans, " + std::to_string(h.width) + "x" +
         std::to_string(h.height) + "\n";
}
}  // namespace

int run_replay(int argc, const char* const* argv, CommandIo io) {
  int code = 0;
  auto args = parse_or_exit(argc, argv,
                            source_options({{"transfer", true}, {"speed", true}, {"step", false}}),
                            kHelp, io, &code);
  if (!args) return code;
  std::string error;
  std::optional<double> speed = args->get_double("speed", &error);
  if (error.empty() && speed && args->has("step")) error = "give --speed or --step, not both";
  if (!error.empty()) {
    io.err << "glimpse-sim: " << error << "\n";
    return kExitUsage;
  }
  Source source;
  uint64_t id = 0;
  if (!open_from_args(*args, &source, io) || !transfer_from_args(*args, source, &id, io))
    return kExitFailure;
  Timeline t;
  bool readable = load_timeline(*source.log, id, &t, &error);
  if (!readable && t.rows.empty()) {
    io.err << "glimpse-sim: " << error << "\n";
    return kExitFailure;
  }
  io.out << header_line(t);
  bool step = args->has("step");
  if (step) io.err << "(press Enter for each event)\n";
  double previous_ms = 0;
  for (size_t i = 0; i < t.rows.size(); ++i) {
    const TimelineRow& row = t.rows[i];
    if (speed && row.rel_ms > previous_ms) {
      std::this_thread::sleep_for(
          std::chrono::duration<double, std::milli>((row.rel_ms - previous_ms) / *speed));
    }
    if (step && i > 0) {
      std::string line;
      std::getline(io.in, line);
    }
    previous_ms = row.rel_ms;
    io.out << format_row(t, row) << "\n";
    io.out.flush();
  }
  if (!readable) {
    io.err << "glimpse-sim: " << error << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace glimpse::sim
