// glimpse fetch: download a file as it is now, or a filled baseline copy.
#include <cstdio>
#include <string>

#include "util/args.hpp"
#include "client/commands.hpp"
#include "client/connection.hpp"
#include "client/receiver.hpp"
#include "image/image.hpp"

namespace glimpse::client {

using util::Args;
using util::FlagSpec;
namespace {

const char kHelp[] =
    "usage: glimpse fetch FILEID -o OUT [--baseline] [options]\n"
    "\n"
    "Downloads the bytes of FILEID that are on the node now (the progressive JPEG,\n"
    "possibly still incomplete) into OUT. With --baseline, asks the node for a\n"
    "complete baseline JPEG of what has arrived, for viewers without progressive\n"
    "JPEG support. OUT is written atomically.\n"
    "\n"
    "  -o, --out OUT     output file\n"
    "  --baseline        a filled baseline JPEG instead of the progressive bytes\n"
    "  --node HOST:PORT  node address (default $GLIMPSE_NODE or 127.0.0.1:7420)\n"
    "  --token TOKEN     login token (default $GLIMPSE_TOKEN; see glimpse token)\n";

}  // namespace

int cmd_fetch(int argc, char** argv) {
  std::string error;
  auto args = Args::parse(argc, argv, 2,
                          {{"out", true, false, 'o'}, {"baseline", false}, {"node", true}, {"token", true},
                           {"help", false}},
                          &error);
  if (!args) {
    std::fprintf(stderr, "glimpse fetch: %s\n\n%s", error.c_str(), kHelp);
    return 2;
  }
  if (args->has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (args->positionals().size() != 1 || !args->has("out")) {
    const std::string why = args->positionals().size() > 1
                                ? "unexpected argument '" + args->positionals()[1] + "'"
                            : args->positionals().empty() ? "FILEID is required"
                                                          : "-o OUT is required";
    std::fprintf(stderr, "glimpse fetch: %s\n\n%s", why.c_str(), kHelp);
    return 2;
  }
  std::string token = token_value(args->get("token"));
  if (token.empty()) {
    std::fprintf(stderr, "glimpse fetch: no token: pass --token or set GLIMPSE_TOKEN "
                         "(make one with `glimpse token --user UIN`)\n");
    return 2;
  }
  const std::string& file_id = args->positionals()[0];
  std::string out = args->get("out");
  std::string node = node_address(args->get("node"));
  try {
    Connection connection(node);
    auto session = connection.login(token);
    std::string bytes;
    std::string what;
    if (args->has("baseline")) {
      auto open = session.openRequest();
      open.setFileId(file_id);
      auto filled = open.send().getFile().filledRequest().send().wait(connection.wait_scope());
      auto jpeg = filled.getJpeg();
      bytes.assign(reinterpret_cast<const char*>(jpeg.begin()), jpeg.size());
      what = "baseline JPEG of the first " + std::to_string(filled.getPrefix()) + " bytes";
    } else {
      auto state = read_now(connection, session, file_id);
      bytes = std::move(state->bytes);
      what = std::to_string(bytes.size()) + " of " + std::to_string(state->total_size) +
             " bytes" + (state->completed ? " (complete)" : " (still arriving)");
    }
    auto wrote = image::write_file_atomic(out, bytes);
    if (!wrote.ok()) {
      std::fprintf(stderr, "glimpse fetch: %s: %s\n", out.c_str(), wrote.error().message.c_str());
      return 1;
    }
    std::fprintf(stderr, "%s: %s -> %s\n", file_id.c_str(), what.c_str(), out.c_str());
    return 0;
  } catch (const kj::Exception& e) {
    std::fprintf(stderr, "glimpse fetch: %s\n", describe(e, node).c_str());
    return 1;
  }
}

}  // namespace glimpse::client
