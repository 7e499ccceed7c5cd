#include "sim/command_common.hpp"

#include <ostream>

namespace glimpse::sim {

const char* const kSourceHelp =
    "  --data DIR       a node's data directory (stop the node first)\n"
    "  --log FILE       a log file written by `glimpse-sim export`\n";

std::vector<FlagSpec> source_options(std::vector<FlagSpec> more) {
  more.push_back({"data", true});
  more.push_back({"log", true});
  return more;
}

std::optional<Args> parse_or_exit(int argc, const char* const* argv,
                                  const std::vector<FlagSpec>& specs, const char* help,
                                  CommandIo io, int* exit_code) {
  std::string error;
  std::optional<Args> args = Args::parse(argc, argv, 0, specs, &error);
  if (!args) {
    io.err << "glimpse-sim: " << error << "\n";
    *exit_code = kExitUsage;
    return std::nullopt;
  }
  if (args->has("help")) {
    io.out << help;
    *exit_code = kExitOk;
    return std::nullopt;
  }
  if (!args->positionals().empty()) {
    io.err << "glimpse-sim: unexpected argument '" << args->positionals().front()
           << "' (see --help)\n";
    *exit_code = kExitUsage;
    return std::nullopt;
  }
  return args;
}

bool open_from_args(const Args& args, Source* out, CommandIo io) {
  std::string error;
  if (!open_source(args.get("data"), args.get("log"), out, &error)) {
    io.err << "glimpse-sim: " << error << "\n";
    return false;
  }
  return true;
}

bool transfer_from_args(const Args& args, const Source& source, uint64_t* id, CommandIo io) {
  std::string error;
  std::optional<uint64_t> given = args.get_u64("transfer", &error);
  if (!error.empty()) {
    io.err << "glimpse-sim: " << error << "\n";
    return false;
  }
  if (given) {
    *id = *given;
    return true;
  }
  if (source.file_transfer_id != 0) {
    *id = source.file_transfer_id;
    return true;
  }
  io.err << "glimpse-sim: which transfer? give --transfer ID (`glimpse-sim list` shows them)\n";
  return false;
}

}  // namespace glimpse::sim
