// glimpse-sim film: PNG frames and an index.html filmstrip.
#include <algorithm>
#include <cstdio>
#include <ostream>

#include "sim/command_common.hpp"
#include "sim/film.hpp"

namespace glimpse::sim {

namespace {
const char* const kHelp =
    "usage: glimpse-sim film (--data DIR | --log FILE) --transfer ID -o OUT/\n"
    "\n"
    "Shows what the receiver saw: decodes the stored prefix at every event that\n"
    "completed a progressive scan, writes each as a PNG into OUT/, and writes\n"
    "OUT/index.html, a filmstrip (time, bytes, display SSIM against the final\n"
    "picture) that opens in a browser straight from disk.\n"
    "\n"
    "  --transfer ID    the transfer (optional with a log file of one transfer)\n"
    "  -o, --out DIR    output directory (created if missing)\n"
    "  --max-edge PX    scale frames down to this longest edge (default 1080; 0: full size)\n";
}  // namespace

int run_film(int argc, const char* const* argv, CommandIo io) {
  int code = 0;
  auto args = parse_or_exit(argc, argv,
                            source_options({{"transfer", true}, {"out", true, false, 'o'}, {"max-edge", true}}),
                            kHelp, io, &code);
  if (!args) return code;
  if (!args->has("out")) {
    io.err << "glimpse-sim: say where to write the frames: -o OUT/\n";
    return kExitUsage;
  }
  std::string error;
  FilmOptions options;
  if (auto edge = args->get_u64("max-edge", &error)) {
    if (*edge > 65535) error = "--max-edge must be at most 65535";
    options.max_edge = static_cast<int>(std::min<uint64_t>(*edge, 65535));
  }
  if (!error.empty()) {
    io.err << "glimpse-sim: " << error << "\n";
    return kExitUsage;
  }
  Source source;
  uint64_t id = 0;
  if (!open_from_args(*args, &source, io) || !transfer_from_args(*args, source, &id, io))
    return kExitFailure;
  Film film;
  if (!make_film(*source.log, id, args->get("out"), options, &film, &error)) {
    io.err << "glimpse-sim: " << error << "\n";
    return kExitFailure;
  }
  for (const FilmFrame& f : film.frames) {
    char line[160];
    std::snprintf(line, sizeof line, "%+12.1f ms  %10llu bytes  %2d scans  SSIM %.3f  %s\n",
                  f.rel_ms, static_cast<unsigned long long>(f.bytes), f.scans, f.ssim,
                  f.png.c_str());
    io.out << line;
  }
  io.out << film.frames.size() << " frames; open " << args->get("out") << "/index.html\n";
  return kExitOk;
}

}  // namespace glimpse::sim
