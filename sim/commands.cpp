#include "sim/commands.hpp"

#include <cstring>
#include <ostream>
#include <string>

#include "sim/command_common.hpp"

namespace glimpse::sim {

namespace {

struct Command {
  const char* name;
  int (*run)(int, const char* const*, CommandIo);
  const char* summary;
};

const Command kCommands[] = {
    {"list", run_list, "transfers in a log: state, sizes, MTS, time to Delivered/Completed"},
    {"replay", run_replay, "a transfer's timeline, one line per event"},
    {"check", run_check, "re-run the transfer rules over a log; exit 1 on a violation"},
    {"film", run_film, "what the receiver saw: PNG frames and an index.html filmstrip"},
    {"export", run_export, "write a transfer to a portable log file (for bug reports)"},
    {"whatif", run_whatif, "the same photo over a modelled network, against whole-file"},
    {"workload", run_workload, "many virtual senders in simulated time; figure distributions"},
};

void usage(std::ostream& out) {
  out << "usage: glimpse-sim <command> [options]   (glimpse-sim <command> --help)\n\n"
         "Replays Glimpse event logs for debugging and asks \"what if\" of them.\n"
         "Every command reads --data DIR (a node's data directory) or --log FILE\n"
         "(from `glimpse-sim export`).\n\ncommands:\n";
  for (const Command& c : kCommands) {
    std::string name = c.name;
    name.resize(9, ' ');
    out << "  " << name << c.summary << "\n";
  }
}

}  // namespace

int sim_main(int argc, const char* const* argv, CommandIo io) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    usage(argc < 2 ? io.err : io.out);
    return argc < 2 ? kExitUsage : kExitOk;
  }
  for (const Command& c : kCommands) {
    if (!std::strcmp(argv[1], c.name)) return c.run(argc - 2, argv + 2, io);
  }
  io.err << "glimpse-sim: unknown command '" << argv[1] << "'\n";
  usage(io.err);
  return kExitUsage;
}

}  // namespace glimpse::sim
