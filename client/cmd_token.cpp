// glimpse token: mints a login token with the node's secret.
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <string>

#include "util/args.hpp"
#include "client/commands.hpp"
#include "util/token.hpp"

namespace glimpse::client {

using util::Args;
using util::FlagSpec;
namespace {

constexpr uint64_t kDefaultTtl = 30ull * 24 * 3600;

const char kHelp[] =
    "usage: glimpse token --user UIN [--data DIR] [--ttl SECONDS]\n"
    "\n"
    "Prints a login token for user UIN as the last line of output. The token is\n"
    "signed (HMAC-SHA256) with the node's secret, DIR/token.secret, which is\n"
    "created (mode 0600) if it does not exist yet; glimpsed uses the same file.\n"
    "\n"
    "  --user UIN      the user (a positive number)\n"
    "  --data DIR      the node's data directory (default ./glimpse-data)\n"
    "  --ttl SECONDS   validity from now (default 2592000 = 30 days)\n"
    "\n"
    "Use it with --token TOKEN or the GLIMPSE_TOKEN environment variable.\n";

}  // namespace

int cmd_token(int argc, char** argv) {
  std::string error;
  auto args = Args::parse(argc, argv, 2,
                          {{"user", true}, {"data", true}, {"ttl", true}, {"help", false}}, &error);
  if (!args) {
    std::fprintf(stderr, "glimpse token: %s\n%s", error.c_str(), kHelp);
    return 2;
  }
  if (args->has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  auto user = args->get_u64("user", &error);
  auto ttl = args->get_u64("ttl", &error);
  // Ten years: far enough for any use, small enough that now + ttl cannot overflow.
  constexpr uint64_t kMaxTtl = 10ull * 365 * 24 * 3600;
  if (error.empty() && ttl && (*ttl == 0 || *ttl > kMaxTtl))
    error = "--ttl must be between 1 and " + std::to_string(kMaxTtl) + " seconds (ten years)";
  if (error.empty() && !args->positionals().empty())
    error = "unexpected argument '" + args->positionals().front() + "'";
  if (!error.empty() || !user || *user == 0) {
    std::fprintf(stderr, "glimpse token: %s\n%s",
                 error.empty() ? "--user UIN (a positive number) is required" : error.c_str(),
                 kHelp);
    return 2;
  }
  std::string dir = args->get("data", "./glimpse-data");
  const std::string path = token::secret_path(dir);
  const bool existed = ::access(path.c_str(), F_OK) == 0;
  auto secret = token::load_or_create_secret(path, &error);
  if (!secret) {
    std::fprintf(stderr, "glimpse token: %s\n", error.c_str());
    return 1;
  }
  // A mistyped --data must not pass unnoticed: this token works only on a
  // node whose data directory is `dir`.
  if (!existed)
    std::fprintf(stderr,
                 "glimpse token: created a new secret %s; only a node started with "
                 "--data=%s accepts this token\n",
                 path.c_str(), dir.c_str());
  int64_t expiry = static_cast<int64_t>(std::time(nullptr)) +
                   static_cast<int64_t>(ttl.value_or(kDefaultTtl));
  std::printf("%s\n", token::mint(*secret, *user, expiry).c_str());
  return 0;
}

}  // namespace glimpse::client
