// glimpse-sim export: one transfer (or all) into a portable log file.
#include <chrono>
#include <ostream>

#include "sim/command_common.hpp"
#include "sim/log_file.hpp"

namespace glimpse::sim {

namespace {
const char* const kHelp =
    "usage: glimpse-sim export (--data DIR | --log FILE) (--transfer ID | --all) -o FILE\n"
    "\n"
    "Writes a transfer's events and the chunk bytes beside them into one portable\n"
    "file (packed Cap'n Proto messages) to attach to a bug report. Every command\n"
    "reads it with --log FILE exactly as it reads the data directory.\n"
    "\n"
    "  --transfer ID    the transfer to export\n"
    "  --all            every transfer and inbox stream\n"
    "  -o, --out FILE   where to write (replaced atomically)\n";
}  // namespace

int run_export(int argc, const char* const* argv, CommandIo io) {
  int code = 0;
  auto args =
      parse_or_exit(argc, argv, source_options({{"transfer", true}, {"all", false}, {"out", true, false, 'o'}}),
                    kHelp, io, &code);
  if (!args) return code;
  if (!args->has("out")) {
    io.err << "glimpse-sim: say where to write: -o FILE\n";
    return kExitUsage;
  }
  if (args->has("transfer") == args->has("all")) {
    io.err << "glimpse-sim: give --transfer ID or --all\n";
    return kExitUsage;
  }
  Source source;
  if (!open_from_args(*args, &source, io)) return kExitFailure;
  std::vector<storage::StreamId> streams;
  LogFileHeader header;
  header.source = source.description;
  header.exported_at_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  if (args->has("transfer")) {
    uint64_t id = 0;
    if (!transfer_from_args(*args, source, &id, io)) return kExitUsage;
    uint64_t next = 0;
    source.log->next_seq({storage::StreamKind::transfer, id}, &next);
    if (next == 0) {
      io.err << "glimpse-sim: no transfer " << id << " in " << source.description
             << " (`glimpse-sim list` shows the transfers it holds)\n";
      return kExitFailure;
    }
    streams.push_back({storage::StreamKind::transfer, id});
    header.transfer_id = id;
  } else {
    for (auto kind : {storage::StreamKind::transfer, storage::StreamKind::inbox}) {
      source.log->list_streams(kind, [&](storage::StreamId s, uint64_t) {
        streams.push_back(s);
        return true;
      });
    }
  }
  std::string error;
  if (!export_log(*source.log, streams, header, args->get("out"), &error)) {
    io.err << "glimpse-sim: export failed: " << error << "\n";
    return kExitFailure;
  }
  io.out << "exported " << streams.size() << " stream" << (streams.size() == 1 ? "" : "s")
         << " from " << source.description << " to " << args->get("out") << "\n";
  return kExitOk;
}

}  // namespace glimpse::sim
