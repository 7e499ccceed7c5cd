#include "bench/relay/peers.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>

#include "schema/glimpse.capnp.h"
#include "util/token.hpp"

namespace glimpse::bench {
namespace {

// An Upload that keeps nothing.
class SinkUpload final : public glimpse::rpc::Upload::Server {
 protected:
  kj::Promise<void> write(WriteContext) override { return kj::READY_NOW; }
  kj::Promise<void> done(DoneContext) override { return kj::READY_NOW; }
};

int64_t unix_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A receiver's notifications: file id -> ms from the moment the node reported
// the file delivered (the notification says when, in Unix ns; same machine,
// same clock) to its arrival here.
class Inbox final : public glimpse::rpc::InboxListener::Server {
 public:
  explicit Inbox(std::map<std::string, double>& seen) : seen_(seen) {}

 protected:
  kj::Promise<void> notify(NotifyContext c) override {
    auto n = c.getParams().getNotification();
    seen_.emplace(n.getFileId(),
                  n.getDeliveredNs() > 0 ? (unix_ns() - n.getDeliveredNs()) / 1e6 : -1);
    return kj::READY_NOW;
  }

 private:
  std::map<std::string, double>& seen_;
};

}  // namespace

capnp::Capability::Client Driver::connect(int port) {
  auto addr = io.provider->getNetwork().parseAddress("127.0.0.1", port).wait(io.waitScope);
  streams.push_back(addr->connect().wait(io.waitScope));
  clients.push_back(kj::heap<capnp::TwoPartyClient>(*streams.back()));
  return clients.back()->bootstrap();
}

int run_sink(const char* port_file) {
  auto io = kj::setupAsyncIo();
  capnp::TwoPartyServer server(kj::heap<SinkUpload>());
  auto listener =
      io.provider->getNetwork().parseAddress("127.0.0.1:0").wait(io.waitScope)->listen();
  { std::ofstream(port_file) << listener->getPort() << "\n"; }
  server.listen(*listener).wait(io.waitScope);
  return 0;
}

int run_receivers(int port, const std::string& secret_file, uint64_t first_user, int c,
                  size_t expect, const std::string& out) {
  std::string error;
  auto secret = glimpse::token::load_or_create_secret(secret_file, &error);
  if (!secret) return std::fprintf(stderr, "receivers: %s\n", error.c_str()), 1;
  auto io = kj::setupAsyncIo();
  Driver d{io, {}, {}};
  std::vector<glimpse::rpc::Handle::Client> handles;
  std::map<std::string, double> seen;
  for (int i = 0; i < c; ++i) {
    auto login = d.connect(port).castAs<glimpse::rpc::Gateway>().loginRequest();
    login.setToken(glimpse::token::mint(*secret, first_user + i, time(nullptr) + 3600));
    auto sub = login.send().wait(io.waitScope).getSession().subscribeRequest();
    sub.setInbox(kj::heap<Inbox>(seen));
    handles.push_back(sub.send().wait(io.waitScope).getHandle());
  }
  { std::ofstream(out + ".ready") << "ready\n"; }
  for (int i = 0; i < 12000 && seen.size() < expect; ++i)
    io.provider->getTimer().afterDelay(10 * kj::MILLISECONDS).wait(io.waitScope);
  std::ofstream f(out + ".tmp");
  for (auto& [id, ms] : seen) f << id << " " << ms << "\n";
  f.close();
  std::filesystem::rename(out + ".tmp", out);
  return 0;
}

}  // namespace glimpse::bench
