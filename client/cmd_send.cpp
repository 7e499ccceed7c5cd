// glimpse send: prepare a photo, stream it to a node, report the file id the
// moment it is delivered, keep streaming until complete.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

#include "util/args.hpp"
#include "client/commands.hpp"
#include "client/connection.hpp"
#include "client/sender.hpp"
#include "image/image.hpp"

namespace glimpse::client {

using util::Args;
using util::FlagSpec;
namespace {

const char kHelp[] =
    "usage: glimpse send --to UIN [--to UIN ...] PHOTO [options]\n"
    "\n"
    "Turns PHOTO (JPEG or PNG) into a progressive JPEG and streams it to the node.\n"
    "The file id is printed on stdout the moment the receivers can see the photo\n"
    "(MTS durable on the node); streaming then goes on until the whole file is\n"
    "durable, and the command exits 0. Interrupted? Run the same command again:\n"
    "it resumes where the node's durable bytes end.\n"
    "\n"
    "  --to UIN          a receiver (repeat for several)\n"
    "  --network TYPE    wifi, 5g, 4g, 3g, 2g or unknown (default wifi): sets MTS\n"
    "  --signal N        signal bars 0..4 (default 2)\n"
    "  --max-edge PX     downscale so the longest edge is at most PX (default: keep)\n"
    "  --chunk KIB       write size in KiB, 16..1024 (default 64; nodes refuse\n"
    "                    writes under 16 KiB except the file's last)\n"
    "  --rate KIBPS      limit the upload to KIBPS KiB/s (default: no limit)\n"
    "  --no-progress     no progress bar on stderr\n"
    "  --node HOST:PORT  node address (default $GLIMPSE_NODE or 127.0.0.1:7420)\n"
    "  --token TOKEN     login token (default $GLIMPSE_TOKEN; see glimpse token)\n";

// One line on stderr, redrawn in place: bytes acked, with '|' at MTS.
class ProgressBar {
 public:
  ProgressBar(uint64_t total, uint64_t mts, bool enabled)
      : total_(total), mts_(mts), enabled_(enabled), tty_(::isatty(2) != 0) {}

  void update(uint64_t acked, bool force = false) {
    acked_ = acked;
    if (!enabled_) return;
    auto now = std::chrono::steady_clock::now();
    if (!force && (!tty_ || now - last_ < std::chrono::milliseconds(100))) return;
    last_ = now;
    constexpr int kWidth = 40;
    char bar[kWidth + 1];
    int filled = total_ ? static_cast<int>(acked_ * kWidth / total_) : kWidth;
    int marker = total_ ? static_cast<int>(mts_ * kWidth / total_) : 0;
    for (int i = 0; i < kWidth; ++i) bar[i] = i < filled ? '#' : '-';
    if (marker >= kWidth) marker = kWidth - 1;
    bar[marker] = '|';
    bar[kWidth] = '\0';
    std::fprintf(stderr, "%s[%s] %7.1f/%.1f KiB acked (MTS %.1f KiB%s)%s", tty_ ? "\r" : "", bar,
                 acked_ / 1024.0, total_ / 1024.0, mts_ / 1024.0,
                 acked_ >= mts_ ? ", delivered" : "", tty_ ? "" : "\n");
    std::fflush(stderr);
  }
  void finish() {
    if (enabled_ && tty_) std::fputc('\n', stderr);
  }

 private:
  uint64_t total_, mts_, acked_ = 0;
  bool enabled_, tty_;
  std::chrono::steady_clock::time_point last_{};
};

// Expired or aborted transfers of one photo skipped before giving up.
constexpr int kMaxGenerations = 100;
// How describe() starts the refusal of a transfer that takes no more bytes.
constexpr std::string_view kAbortedRefusal = "aborted: ";

// Sends `request` as the transfer its idempotency key names (new or resumed);
// 0 once complete. Throws kj::Exception (use describe()) on any failure.
int send_generation(Connection& connection, rpc::Session::Client session,
                    const SendRequest& request, ProgressBar& bar) {
  SendObserver observer;
  observer.on_open = [](uint64_t transfer, uint64_t from) {
    if (from > 0)
      std::fprintf(stderr, "resuming transfer %llu at byte %llu\n",
                   static_cast<unsigned long long>(transfer),
                   static_cast<unsigned long long>(from));
  };
  observer.on_acked = [&bar](uint64_t acked) { bar.update(acked); };
  observer.on_delivered = [](const std::string& file_id) {
    std::printf("%s\n", file_id.c_str());
    std::fflush(stdout);
  };
  std::string file_id = send_photo(connection, session, request, observer);
  bar.update(request.jpeg.size(), true);
  bar.finish();
  std::fprintf(stderr, "complete: %s, %zu bytes, %dx%d, MTS %llu\n", file_id.c_str(),
               request.jpeg.size(), request.width, request.height,
               static_cast<unsigned long long>(request.mts));
  return 0;
}

}  // namespace

int cmd_send(int argc, char** argv) {
  std::string error;
  auto args = Args::parse(argc, argv, 2,
                          {{"to", true, true}, {"network", true}, {"signal", true},
                           {"max-edge", true}, {"chunk", true}, {"rate", true},
                           {"no-progress", false}, {"node", true}, {"token", true},
                           {"help", false}},
                          &error);
  if (!args) {
    std::fprintf(stderr, "glimpse send: %s\n\n%s", error.c_str(), kHelp);
    return 2;
  }
  if (args->has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  SendRequest request;
  for (const auto& to : args->get_all("to")) {
    char* end = nullptr;
    unsigned long long uin = std::strtoull(to.c_str(), &end, 10);
    if (to.empty() || *end != '\0' || uin == 0 || to[0] == '-') {
      std::fprintf(stderr, "glimpse send: --to expects a user number (UIN), got '%s'\n", to.c_str());
      return 2;
    }
    request.receivers.push_back(uin);
  }
  auto signal = args->get_u64("signal", &error);
  auto max_edge = args->get_u64("max-edge", &error);
  auto chunk = args->get_u64("chunk", &error);
  auto rate = args->get_u64("rate", &error);
  if (!error.empty() || request.receivers.empty() || args->positionals().size() != 1) {
    std::fprintf(stderr, "glimpse send: %s\n\n%s",
                 !error.empty() ? error.c_str()
                 : request.receivers.empty() ? "at least one --to UIN is required"
                                             : "exactly one PHOTO is required",
                 kHelp);
    return 2;
  }
  if (!image::parse_network(args->get("network", "wifi"), &request.network.type) ||
      signal.value_or(2) > 4 || (chunk && (*chunk < 16 || *chunk > 1024))) {
    std::fprintf(stderr,
                 "glimpse send: --network must be wifi/5g/4g/3g/2g/unknown, --signal 0..4, "
                 "--chunk 16..1024 (KiB; nodes refuse smaller writes)\n");
    return 2;
  }
  request.network.signal = static_cast<int>(signal.value_or(2));
  request.chunk_bytes = static_cast<size_t>(chunk.value_or(64)) * 1024;
  request.rate_bytes_per_s = rate.value_or(0) * 1024;
  std::string token = token_value(args->get("token"));
  if (token.empty()) {
    std::fprintf(stderr, "glimpse send: no token: pass --token or set GLIMPSE_TOKEN "
                         "(make one with `glimpse token --user UIN`)\n");
    return 2;
  }

  const std::string& path = args->positionals()[0];
  auto photo = image::read_file(path);
  if (!photo.ok()) {
    std::fprintf(stderr, "glimpse send: %s: %s\n", path.c_str(), photo.error().message.c_str());
    return 1;
  }
  image::PrepareOptions options;
  options.max_edge = static_cast<int>(max_edge.value_or(0));
  auto prepared = image::prepare(photo.value(), options);
  if (!prepared.ok()) {
    std::fprintf(stderr, "glimpse send: %s: %s\n", path.c_str(), prepared.error().message.c_str());
    return 1;
  }
  request.jpeg = std::move(prepared->jpeg);
  request.width = prepared->width;
  request.height = prepared->height;
  request.scan_ends = prepared->scan_ends;
  request.mts = image::choose_mts(request.scan_ends, prepared->dc_scans, request.width, request.height,
                                  request.network).mts;
  // A different network report or size makes a different header (MTS), so
  // it is a different transfer; rerunning the same command resumes. A
  // transfer that expired or was aborted takes no more bytes: the same
  // command then opens the next generation, a new transfer, and resumes that.
  const std::string variant = std::string(image::network_name(request.network.type)) + "/" +
                              std::to_string(request.network.signal) + "/" +
                              std::to_string(options.max_edge);
  auto key_of = [&](int generation) {
    return idempotency_key(photo.value(), request.receivers,
                           generation == 0 ? variant : variant + "/" + std::to_string(generation));
  };

  std::string node = node_address(args->get("node"));
  ProgressBar bar(request.jpeg.size(), request.mts, !args->has("no-progress"));
  try {
    Connection connection(node);
    auto session = connection.login(token);
    for (int generation = 0;; ++generation) {
      request.idempotency_key = key_of(generation);
      try {
        return send_generation(connection, session, request, bar);
      } catch (const kj::Exception& e) {
        const std::string why = describe(e, node);
        if (why.rfind(kAbortedRefusal, 0) != 0 || generation >= kMaxGenerations) throw;
        bar.finish();
        std::fprintf(stderr, "%s; sending the photo again as a new transfer\n",
                     why.c_str() + kAbortedRefusal.size());
      }
    }
  } catch (const kj::Exception& e) {
    bar.finish();
    std::fprintf(stderr, "glimpse send: %s\n", describe(e, node).c_str());
    return 1;
  }
}

}  // namespace glimpse::client
