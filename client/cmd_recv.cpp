// glimpse recv: subscribe to the user's inbox and write each photo as it
// arrives, blurry to sharp.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include <kj/debug.h>

#include "util/args.hpp"
#include "client/commands.hpp"
#include "client/connection.hpp"
#include "client/receiver.hpp"

namespace glimpse::client {

using util::Args;
using util::FlagSpec;
namespace {

const char kHelp[] =
    "usage: glimpse recv --out DIR [--frames] [--once | --count N] [--timeout S] [options]\n"
    "\n"
    "Waits for photos sent to you (first those that arrived while you were away)\n"
    "and downloads each while its bytes land: DIR/<file id>.jpg holds the bytes so\n"
    "far, replaced atomically at every completed scan. Prints one line per file\n"
    "with the time to its first frame, then acknowledges it.\n"
    "\n"
    "  --out DIR         where to write (created if missing)\n"
    "  --frames          also write DIR/<file id>.scanNN.png per completed scan\n"
    "  --once            exit after the first complete file (same as --count 1)\n"
    "  --count N         exit 0 after N complete files; later ones are left for the\n"
    "                    next recv\n"
    "  --timeout S       give up after S seconds (exit 1 if --count was not reached;\n"
    "                    0: never, the default)\n"
    "  --node HOST:PORT  node address (default $GLIMPSE_NODE or 127.0.0.1:7420)\n"
    "  --token TOKEN     login token (default $GLIMPSE_TOKEN; see glimpse token)\n";

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// Downloads every notified file; counts complete ones. Lives on the
// connection's thread for the whole command.
class Inbox final : public kj::TaskSet::ErrorHandler {
 public:
  Inbox(Connection& connection, rpc::Session::Client session, std::string dir, bool frames,
        uint64_t target, kj::Own<kj::PromiseFulfiller<void>> reached)
      : connection_(connection), session_(kj::mv(session)), dir_(std::move(dir)),
        frames_(frames), target_(target), reached_(kj::mv(reached)), tasks_(*this) {}

  void on_notification(rpc::Notification::Reader n) {
    std::string id = n.getFileId().cStr();
    // Past --count, files stay unacknowledged: the next recv is offered them.
    if (seen_.count(id) > 0 || (target_ > 0 && seen_.size() >= target_)) return;
    seen_.insert(id);
    auto start = Clock::now();
    // Same clock only when the node runs on this machine; printed as what it is.
    const double since_delivered_ms =
        n.getDeliveredNs() > 0
            ? (std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count() -
               n.getDeliveredNs()) /
                  1e6
            : -1;
    auto writer = std::make_shared<FrameWriter>(dir_, frames_);
    auto first_frame = std::make_shared<double>(-1);
    auto on_growth = [this, writer, first_frame, start](const FileState& s) {
      // First frame: the moment the first complete scan is here (before any
      // PNG encoding, which --frames adds on top).
      if (*first_frame < 0 && !s.scan_ends.empty() && s.bytes.size() >= s.scan_ends.front())
        *first_frame = ms_since(start);
      std::string error;
      if (!writer->update(s, &error)) {
        if (write_error_.empty()) write_error_ = error;
        KJ_FAIL_REQUIRE("cannot write", error);  // ends this download
      }
    };
    tasks_.add(follow_file(session_, id, on_growth)
                   .then([this, writer, first_frame, start,
                          since_delivered_ms](std::shared_ptr<FileState> s) {
                     std::string told;
                     if (since_delivered_ms >= 0)
                       told = ", told " + std::to_string(static_cast<long long>(since_delivered_ms)) +
                              " ms after delivery (node clock)";
                     std::printf(
                         "%s from %llu: %zu bytes%s%s, first frame after %.1f ms, "
                         "complete after %.1f ms -> %s\n",
                         s->file_id.c_str(), static_cast<unsigned long long>(s->sender),
                         s->bytes.size(),
                         s->aborted ? " (incomplete: the send was aborted or expired)" : "",
                         told.c_str(), *first_frame, ms_since(start),
                         writer->jpeg_path(s->file_id).c_str());
                     std::fflush(stdout);
                     auto ack = session_.ackRequest();
                     ack.setFileId(s->file_id);
                     return ack.send().ignoreResult();
                   })
                   .then([this]() {
                     if (++complete_ == target_) reached_->fulfill();
                   }));
  }

  // A local write failure or a lost connection ends the command (reported
  // once, by cmd_recv); any other failure ends only that file's download.
  void taskFailed(kj::Exception&& e) override {
    if (!write_error_.empty())
      reached_->reject(kj::Exception(kj::Exception::Type::FAILED, __FILE__, __LINE__,
                                     kj::str(write_error_.c_str())));
    else if (e.getType() == kj::Exception::Type::DISCONNECTED)
      reached_->reject(kj::mv(e));
    else
      std::fprintf(stderr, "glimpse recv: %s\n", describe(e, connection_.node()).c_str());
  }

 private:
  Connection& connection_;
  rpc::Session::Client session_;
  std::string dir_;
  bool frames_;
  uint64_t target_;
  kj::Own<kj::PromiseFulfiller<void>> reached_;
  std::set<std::string> seen_;
  uint64_t complete_ = 0;
  std::string write_error_;  // the first local write failure
  kj::TaskSet tasks_;
};

class InboxListenerImpl final : public rpc::InboxListener::Server {
 public:
  explicit InboxListenerImpl(Inbox& inbox) : inbox_(inbox) {}
  kj::Promise<void> notify(NotifyContext context) override {
    inbox_.on_notification(context.getParams().getNotification());
    return kj::READY_NOW;
  }

 private:
  Inbox& inbox_;
};

}  // namespace

int cmd_recv(int argc, char** argv) {
  std::string error;
  auto args = Args::parse(argc, argv, 2,
                          {{"out", true, false, 'o'}, {"frames", false}, {"once", false}, {"count", true},
                           {"timeout", true}, {"node", true}, {"token", true}, {"help", false}},
                          &error);
  if (!args) {
    std::fprintf(stderr, "glimpse recv: %s\n\n%s", error.c_str(), kHelp);
    return 2;
  }
  if (args->has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  auto count = args->get_u64("count", &error);
  auto timeout = args->get_u64("timeout", &error);
  if (error.empty() && !args->positionals().empty())
    error = "unexpected argument '" + args->positionals().front() + "'";
  if (error.empty() && !args->has("out")) error = "--out DIR is required";
  if (!error.empty()) {
    std::fprintf(stderr, "glimpse recv: %s\n\n%s", error.c_str(), kHelp);
    return 2;
  }
  uint64_t target = args->has("once") ? 1 : count.value_or(0);
  std::string dir = args->get("out");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || ::access(dir.c_str(), W_OK) != 0) {
    std::fprintf(stderr, "glimpse recv: cannot write to --out %s: %s\n", dir.c_str(),
                 (ec ? ec : std::error_code(errno, std::generic_category())).message().c_str());
    return 1;
  }
  std::string token = token_value(args->get("token"));
  if (token.empty()) {
    std::fprintf(stderr, "glimpse recv: no token: pass --token or set GLIMPSE_TOKEN "
                         "(make one with `glimpse token --user UIN`)\n");
    return 2;
  }
  std::string node = node_address(args->get("node"));
  try {
    Connection connection(node);
    auto session = connection.login(token);
    auto paf = kj::newPromiseAndFulfiller<void>();
    Inbox inbox(connection, session, dir, args->has("frames"), target, kj::mv(paf.fulfiller));
    auto sub = session.subscribeRequest();
    sub.setInbox(kj::heap<InboxListenerImpl>(inbox));
    auto handle = sub.send().wait(connection.wait_scope()).getHandle();
    std::fprintf(stderr, "waiting for photos (writing to %s)\n", dir.c_str());
    kj::Promise<bool> done = paf.promise.then([]() { return true; });
    done = done.exclusiveJoin(connection.on_disconnect().then([]() -> kj::Promise<bool> {
      return KJ_EXCEPTION(DISCONNECTED, "the node closed the connection");
    }));
    if (timeout.value_or(0) > 0)
      done = done.exclusiveJoin(connection.timer()
                                    .afterDelay(*timeout * kj::SECONDS)
                                    .then([]() { return false; }));
    bool reached = done.wait(connection.wait_scope());
    if (!reached && target > 0) {
      std::fprintf(stderr, "glimpse recv: timed out after %llu s before %llu file(s) completed\n",
                   static_cast<unsigned long long>(*timeout),
                   static_cast<unsigned long long>(target));
      return 1;
    }
    return 0;
  } catch (const kj::Exception& e) {
    std::fprintf(stderr, "glimpse recv: %s\n", describe(e, node).c_str());
    return 1;
  }
}

}  // namespace glimpse::client
