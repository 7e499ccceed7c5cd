// glimpse-sim list: one line per transfer.
#include <algorithm>
#include <ostream>

#include "sim/command_common.hpp"
#include "sim/timeline.hpp"

namespace glimpse::sim {

namespace {
const char* const kHelp =
    "usage: glimpse-sim list (--data DIR | --log FILE) [--user U] [--since T]\n"
    "\n"
    "Lists the transfers in a log: state, sender and receivers, TS, MTS, bytes\n"
    "stored, and the time from TransferOpened to Delivered and to Completed.\n"
    "\n"
    "  --user U         only transfers U sent or receives\n"
    "  --since T        only transfers opened at or after T (Unix seconds, or\n"
    "                   2026-11-21T11:00:00Z)\n";
}  // namespace

int run_list(int argc, const char* const* argv, CommandIo io) {
  int code = 0;
  auto args = parse_or_exit(argc, argv, source_options({{"user", true}, {"since", true}}), kHelp,
                            io, &code);
  if (!args) return code;
  std::string error;
  std::optional<uint64_t> user = args->get_u64("user", &error);
  int64_t since_ns = INT64_MIN;
  if (error.empty() && args->has("since") && !parse_time(args->get("since"), &since_ns))
    error =
        "--since expects Unix seconds or YYYY-MM-DDTHH:MM:SSZ, got '" + args->get("since") + "'";
  if (!error.empty()) {
    io.err << "glimpse-sim: " << error << "\n";
    return kExitUsage;
  }
  Source source;
  if (!open_from_args(*args, &source, io)) return kExitFailure;

  std::vector<uint64_t> ids;
  storage::Status s =
      source.log->list_streams(storage::StreamKind::transfer, [&](storage::StreamId id, uint64_t) {
        ids.push_back(id.id);
        return true;
      });
  if (!s.ok()) {
    io.err << "glimpse-sim: listing transfers: " << s.to_string() << "\n";
    return kExitFailure;
  }
  std::vector<TransferSummary> rows;
  int unreadable = 0;
  for (uint64_t id : ids) {
    Timeline t;
    if (!load_timeline(*source.log, id, &t, &error)) {
      io.err << "glimpse-sim: " << error << "\n";
      ++unreadable;
      if (t.rows.empty()) continue;
    }
    TransferSummary sum = summarize(t);
    if (user && sum.sender != *user &&
        std::find(sum.receivers.begin(), sum.receivers.end(), *user) == sum.receivers.end())
      continue;
    if (sum.opened_ns < since_ns) continue;
    rows.push_back(std::move(sum));
  }
  io.out << format_summaries(rows);
  io.out << rows.size() << " transfer" << (rows.size() == 1 ? "" : "s") << " in "
         << source.description << "\n";
  return unreadable ? kExitFailure : kExitOk;
}

}  // namespace glimpse::sim
