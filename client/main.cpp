// glimpse: the client command line.
#include <cstdio>
#include <cstring>
#include <iterator>

#include "client/commands.hpp"

namespace {

using glimpse::client::Command;

const Command kCommands[] = {
    {"prepare", "turn a photo into a progressive JPEG; print its scan table and MTS choices",
     glimpse::client::cmd_prepare},
    {"render", "decode the first N bytes of a progressive JPEG to PNG",
     glimpse::client::cmd_render},
    {"fill", "turn the first N bytes of a progressive JPEG into a complete baseline JPEG",
     glimpse::client::cmd_fill},
    {"send", "send a photo to one or more users through a node", glimpse::client::cmd_send},
    {"recv", "receive photos as they arrive, blurry to sharp", glimpse::client::cmd_recv},
    {"fetch", "download a file (progressive bytes, or a filled baseline copy)",
     glimpse::client::cmd_fetch},
    {"token", "make a login token for a user (with the node's secret)",
     glimpse::client::cmd_token},
};

void usage(FILE* out) {
  std::fprintf(out, "usage: glimpse <command> [options]   (glimpse <command> --help)\n\n");
  for (const auto& c : kCommands) std::fprintf(out, "  %-9s %s\n", c.name, c.summary);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  for (const auto& c : kCommands)
    if (!std::strcmp(argv[1], c.name)) return c.run(argc, argv);
  std::fprintf(stderr, "glimpse: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return 2;
}
