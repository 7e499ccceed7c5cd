#pragma once
// glimpse-sim's commands. Each takes its own arguments (after the command
// name) and the streams to use, and returns the process exit status:
// 0 success, 1 the command ran and found a failure (e.g. a check violation,
// an unreadable log), 2 a bad command line. Tests call these directly.
#include <iosfwd>

namespace glimpse::sim {

struct CommandIo {
  std::istream& in;  // --step reads key presses here
  std::ostream& out;
  std::ostream& err;
};

int run_list(int argc, const char* const* argv, CommandIo io);
int run_replay(int argc, const char* const* argv, CommandIo io);
int run_check(int argc, const char* const* argv, CommandIo io);
int run_film(int argc, const char* const* argv, CommandIo io);
int run_export(int argc, const char* const* argv, CommandIo io);
int run_whatif(int argc, const char* const* argv, CommandIo io);
int run_workload(int argc, const char* const* argv, CommandIo io);

// Dispatches argv[1] to a command; argv[0] is the program name.
int sim_main(int argc, const char* const* argv, CommandIo io);

}  // namespace glimpse::sim
