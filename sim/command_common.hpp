#pragma once
// What every glimpse-sim command shares: --data/--log handling, --transfer
// resolution, and the exit-status convention of commands.hpp.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/commands.hpp"
#include "sim/source.hpp"
#include "util/args.hpp"

namespace glimpse::sim {

using util::Args;
using util::FlagSpec;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// The --data / --log options, for a command's FlagSpec list.
std::vector<FlagSpec> source_options(std::vector<FlagSpec> more);

// Text for --help: the source options' lines.
extern const char* const kSourceHelp;

// Parses argv; on --help prints `help` and sets *exit_code to 0; on error
// prints the error and a hint and sets *exit_code to 2. Returns nullopt in
// both cases (the command returns *exit_code).
std::optional<Args> parse_or_exit(int argc, const char* const* argv,
                                  const std::vector<FlagSpec>& specs, const char* help,
                                  CommandIo io, int* exit_code);

// Opens --data or --log; prints the error on failure.
bool open_from_args(const Args& args, Source* out, CommandIo io);

// --transfer ID, or the transfer a log file was exported for. Prints what is
// missing or wrong on failure.
bool transfer_from_args(const Args& args, const Source& source, uint64_t* id, CommandIo io);

}  // namespace glimpse::sim
