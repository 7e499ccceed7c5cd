// The main flows, end to end: real glimpsed and glimpse processes.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "client/connection.hpp"
#include "client/sender.hpp"
#include "tests/e2e/harness.hpp"

namespace glimpse::e2e {
namespace {

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

size_t count_lines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

std::string write_photo(const TempDir& t, const std::string& name, int w, int h, int seed,
                        std::string* png_out = nullptr) {
  std::string png = make_png(w, h, seed);
  std::string path = t.path() + "/" + name;
  std::ofstream(path, std::ios::binary) << png;
  if (png_out != nullptr) *png_out = png;
  return path;
}

bool wait_for(const std::function<bool()>& ready, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!ready()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::unique_ptr<Process> start_recv(const TempDir& t, const Node& node, uint64_t user, const std::string& out,
                   std::vector<std::string> extra) {
  std::vector<std::string> argv{build_dir() + "/client/glimpse", "recv", "--out", out,
                                "--node", node.address(), "--token", node.token(user)};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return std::make_unique<Process>(argv, t.path() + "/recv-" + std::to_string(user));
}

client::SendRequest request_for(const std::string& png, std::vector<uint64_t> receivers) {
  image::Prepared p = prepare(png);
  client::SendRequest r;
  r.receivers = std::move(receivers);
  r.jpeg = p.jpeg;
  r.width = p.width;
  r.height = p.height;
  r.scan_ends = p.scan_ends;
  r.network = {image::NetworkType::g2, 1};
  r.mts = image::choose_mts(p.scan_ends, p.dc_scans, p.width, p.height, r.network).mts;
  r.idempotency_key = client::idempotency_key(png, r.receivers);
  return r;
}

TEST(E2eFlow, SendDeliverNotifyCompleteIdenticalBytes) {
  TempDir t;
  Node node(t.path() + "/data", t.path());
  node.start();
  std::string png;
  std::string photo = write_photo(t, "photo.png", 800, 600, 1, &png);
  auto recv_owned = start_recv(t, node, 2, t.path() + "/in", {"--count", "1", "--timeout", "60", "--frames"});
  Process& recv = *recv_owned;
  ASSERT_TRUE(wait_for([&] { return recv.err().find("waiting for photos") != std::string::npos; }, 20000))
      << recv.err();

  // In-process sender, slowed down so delivery clearly precedes completion.
  client::SendRequest request = request_for(png, {2});
  ASSERT_LT(request.mts, request.jpeg.size());
  request.chunk_bytes = 16384;  // the node's minimum
  request.rate_bytes_per_s = request.jpeg.size();  // about one second
  client::Connection connection(node.address());
  auto session = connection.login(node.token(1));
  uint64_t acked = 0, acked_at_delivery = 0;
  std::string delivered;
  client::SendObserver observer;
  observer.on_acked = [&](uint64_t a) { acked = a; };
  observer.on_delivered = [&](const std::string& id) {
    delivered = id;
    acked_at_delivery = acked;
  };
  std::string file_id = client::send_photo(connection, session, request, observer);
  EXPECT_EQ(file_id, delivered);
  EXPECT_GE(acked_at_delivery, request.mts);              // delivered only once MTS was durable
  EXPECT_LT(acked_at_delivery, request.jpeg.size());      // ... and before the whole file was
  EXPECT_EQ(acked, request.jpeg.size());

  ASSERT_EQ(recv.wait(60000), 0) << recv.err();
  std::string got = read_text(t.path() + "/in/" + file_id + ".jpg");
  EXPECT_EQ(sha256_hex(got), sha256_hex(request.jpeg));
  EXPECT_NE(recv.out().find(file_id), std::string::npos) << recv.out();
  EXPECT_NE(recv.out().find("first frame after"), std::string::npos);
  EXPECT_FALSE(read_text(t.path() + "/in/" + file_id + ".scan01.png").empty());
  std::string log = node.log();
  EXPECT_NE(log.find("delivered as " + file_id), std::string::npos) << log;
  EXPECT_NE(log.find("completed"), std::string::npos);
  EXPECT_EQ(node.stop(), 0) << node.log();
}

TEST(E2eFlow, OfflineReceiversGetItOnNextSubscribeExactlyOnce) {
  TempDir t;
  Node node(t.path() + "/data", t.path());
  node.start();
  std::string png;
  std::string photo = write_photo(t, "photo.png", 640, 480, 2, &png);
  RunResult sent = run_glimpse({"send", "--to", "2", "--to", "3", photo, "--node", node.address(),
                                "--token", node.token(1), "--no-progress"},
                               t.path());
  ASSERT_EQ(sent.code, 0) << sent.err;
  std::string file_id = first_line(sent.out);
  ASSERT_FALSE(file_id.empty());
  std::string want = sha256_hex(prepare(png).jpeg);
  for (uint64_t user : {2, 3}) {
    std::string out = t.path() + "/in" + std::to_string(user);
    RunResult r = run_glimpse({"recv", "--out", out, "--once", "--timeout", "30", "--node",
                               node.address(), "--token", node.token(user)},
                              t.path());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(count_lines(r.out), 1u) << r.out;
    EXPECT_EQ(sha256_hex(read_text(out + "/" + file_id + ".jpg")), want);
    // Acknowledged: the next subscribe brings nothing.
    RunResult again = run_glimpse({"recv", "--out", out, "--timeout", "2", "--node", node.address(),
                                   "--token", node.token(user)},
                                  t.path());
    EXPECT_EQ(again.code, 0) << again.err;
    EXPECT_EQ(again.out, "");
  }
  // Fetch and a filled baseline copy.
  RunResult fetched = run_glimpse({"fetch", file_id, "-o", t.path() + "/f.jpg", "--node",
                                   node.address(), "--token", node.token(3)},
                                  t.path());
  ASSERT_EQ(fetched.code, 0) << fetched.err;
  EXPECT_EQ(sha256_hex(read_text(t.path() + "/f.jpg")), want);
  RunResult filled = run_glimpse({"fetch", file_id, "-o", t.path() + "/b.jpg", "--baseline",
                                  "--node", node.address(), "--token", node.token(2)},
                                 t.path());
  ASSERT_EQ(filled.code, 0) << filled.err;
  EXPECT_TRUE(image::decode(read_text(t.path() + "/b.jpg")).ok());
}

// Starts a slow `glimpse send` of a new photo (seed `seed`) from user 1 to
// user 2 and SIGKILLs it once it printed the file id (delivered, not
// complete). Sets the photo, the file id, and the send's arguments to rerun.
void send_and_kill_after_delivery(const TempDir& t, const Node& node, int seed, std::string* png,
                                  std::string* file_id, std::vector<std::string>* rerun) {
  std::string photo = write_photo(t, "photo.png", 1200, 900, seed, png);
  std::vector<std::string> args{
      "send",   "--to",         "2",       photo,         "--network",    "2g", "--signal", "1",
      "--node", node.address(), "--token", node.token(1), "--no-progress"};
  std::vector<std::string> slow{build_dir() + "/client/glimpse"};
  slow.insert(slow.end(), args.begin(), args.end());
  slow.insert(slow.end(), {"--chunk", "16", "--rate", "64"});
  Process first(slow, t.path() + "/send1");
  ASSERT_TRUE(wait_for([&] { return !first.out().empty(); }, 30000)) << first.err();
  *file_id = first_line(first.out());
  first.signal(SIGKILL);
  first.wait(10000);
  *rerun = args;
}

TEST(E2eFlow, SenderKilledMidStreamResumes) {
  TempDir t;
  Node node(t.path() + "/data", t.path());
  node.start();
  std::string png;
  std::string file_id;
  std::vector<std::string> args;
  ASSERT_NO_FATAL_FAILURE(send_and_kill_after_delivery(t, node, 3, &png, &file_id, &args));
  RunResult second = run_glimpse(args, t.path());
  ASSERT_EQ(second.code, 0) << second.err;
  EXPECT_NE(second.err.find("resuming transfer"), std::string::npos) << second.err;
  EXPECT_EQ(first_line(second.out), file_id);
  RunResult r = run_glimpse({"recv", "--out", t.path() + "/in", "--once", "--timeout", "30",
                             "--node", node.address(), "--token", node.token(2)},
                            t.path());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(sha256_hex(read_text(t.path() + "/in/" + file_id + ".jpg")), sha256_hex(prepare(png).jpeg));
}

TEST(E2eFlow, SameCommandAfterTheSendExpiredSendsThePhotoAsANewTransfer) {
  TempDir t;
  Node node(t.path() + "/data", t.path(), {"--idle-timeout=1"});
  node.start();
  std::string png;
  std::string expired_id;
  std::vector<std::string> args;
  ASSERT_NO_FATAL_FAILURE(send_and_kill_after_delivery(t, node, 4, &png, &expired_id, &args));
  ASSERT_TRUE(wait_for([&] { return node.log().find("expired") != std::string::npos; }, 30000))
      << node.log();
  RunResult second = run_glimpse(args, t.path());
  ASSERT_EQ(second.code, 0) << second.err;
  EXPECT_NE(second.err.find("sending the photo again as a new transfer"), std::string::npos)
      << second.err;
  const std::string file_id = first_line(second.out);
  EXPECT_NE(file_id, expired_id);
  // Both were delivered; the new one is whole.
  RunResult r = run_glimpse({"recv", "--out", t.path() + "/in", "--count", "2", "--timeout", "30",
                             "--node", node.address(), "--token", node.token(2)},
                            t.path());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(sha256_hex(read_text(t.path() + "/in/" + file_id + ".jpg")),
            sha256_hex(prepare(png).jpeg));
  EXPECT_NE(r.out.find(expired_id + " from 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("expired"), std::string::npos) << r.out;
}

TEST(E2eFlow, RecvOnceTakesOneFileAndLeavesTheOthersForTheNextRecv) {
  TempDir t;
  Node node(t.path() + "/data", t.path());
  node.start();
  for (int i = 0; i < 2; ++i) {
    std::string photo = write_photo(t, "photo" + std::to_string(i) + ".png", 320, 240, 6 + i);
    RunResult sent = run_glimpse({"send", "--to", "2", photo, "--node", node.address(), "--token",
                                  node.token(1), "--no-progress"},
                                 t.path());
    ASSERT_EQ(sent.code, 0) << sent.err;
  }
  const std::vector<std::string> once = {
      "recv", "--out",  t.path() + "/in", "--once",  "--timeout",
      "30",   "--node", node.address(),   "--token", node.token(2)};
  RunResult first = run_glimpse(once, t.path());
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_EQ(count_lines(first.out), 1u) << first.out;
  RunResult second = run_glimpse(once, t.path());
  ASSERT_EQ(second.code, 0) << second.err;
  EXPECT_EQ(count_lines(second.out), 1u) << second.out;
  EXPECT_NE(first_line(first.out).substr(0, 19), first_line(second.out).substr(0, 19));
  RunResult none = run_glimpse({"recv", "--out", t.path() + "/in", "--timeout", "2", "--node",
                                node.address(), "--token", node.token(2)},
                               t.path());
  EXPECT_EQ(none.code, 0) << none.err;
  EXPECT_EQ(none.out, "");
}

TEST(E2eFlow, SameReceiversInAnotherOrderAreTheSameTransfer) {
  TempDir t;
  Node node(t.path() + "/data", t.path());
  node.start();
  std::string photo = write_photo(t, "photo.png", 400, 300, 5);
  RunResult a = run_glimpse({"send", "--to", "2", "--to", "3", photo, "--node", node.address(),
                             "--token", node.token(1), "--no-progress"},
                            t.path());
  ASSERT_EQ(a.code, 0) << a.err;
  RunResult b = run_glimpse({"send", "--to", "3", "--to", "2", photo, "--node", node.address(),
                             "--token", node.token(1), "--no-progress"},
                            t.path());
  ASSERT_EQ(b.code, 0) << b.err;
  EXPECT_EQ(first_line(b.out), first_line(a.out));
}

TEST(E2eFlow, NodeKilledMidStreamLosesNothingAcknowledged) {
  TempDir t;
  Node node(t.path() + "/data", t.path());
  node.start();
  std::string png = make_png(1200, 900, 4);
  client::SendRequest request = request_for(png, {2, 3});
  request.chunk_bytes = 16384;  // the node's minimum
  request.rate_bytes_per_s = 256 * 1024;
  uint64_t acked_before_kill = 0;
  std::string delivered;
  bool killed = false;
  {
    client::Connection connection(node.address());
    auto session = connection.login(node.token(1));
    client::SendObserver observer;
    observer.on_acked = [&](uint64_t a) { acked_before_kill = std::max(acked_before_kill, a); };
    observer.on_delivered = [&](const std::string& id) {
      delivered = id;
      if (acked_before_kill < request.jpeg.size()) {
        killed = true;
        node.kill9();  // mid-stream, right after the delivery was acknowledged
      }
    };
    EXPECT_THROW(client::send_photo(connection, session, request, observer), kj::Exception);
  }
  ASSERT_TRUE(killed);
  ASSERT_FALSE(delivered.empty());

  node.start();
  client::Connection connection(node.address());
  auto session = connection.login(node.token(1));
  uint64_t resumed_at = 0;
  client::SendObserver observer;
  observer.on_open = [&](uint64_t, uint64_t from) { resumed_at = from; };
  request.rate_bytes_per_s = 0;
  std::string file_id = client::send_photo(connection, session, request, observer);
  EXPECT_GE(resumed_at, acked_before_kill);  // nothing acknowledged was lost
  EXPECT_EQ(file_id, delivered);             // the same delivery, not a second one
  for (uint64_t user : {2, 3}) {
    std::string out = t.path() + "/in" + std::to_string(user);
    RunResult r = run_glimpse({"recv", "--out", out, "--timeout", "3", "--node", node.address(),
                               "--token", node.token(user)},
                              t.path());
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(count_lines(r.out), 1u) << r.out;  // exactly one notification
    EXPECT_EQ(sha256_hex(read_text(out + "/" + file_id + ".jpg")), sha256_hex(request.jpeg));
  }
}

TEST(E2eFlow, SigtermMidStreamStopsCleanlyAndRecovers) {
  TempDir t;
  Node node(t.path() + "/data", t.path());
  node.start();
  std::string png = make_png(1000, 750, 5);
  client::SendRequest request = request_for(png, {2});
  request.chunk_bytes = 16384;  // the node's minimum
  request.rate_bytes_per_s = 256 * 1024;
  uint64_t acked_before_stop = 0;
  int code = -2;
  {
    client::Connection connection(node.address());
    auto session = connection.login(node.token(1));
    client::SendObserver observer;
    observer.on_acked = [&](uint64_t a) {
      acked_before_stop = std::max(acked_before_stop, a);
      if (code == -2 && a > request.jpeg.size() / 3) code = node.stop();  // SIGTERM, waits for exit
    };
    EXPECT_THROW(client::send_photo(connection, session, request, observer), kj::Exception);
  }
  EXPECT_EQ(code, 0) << node.log();
  EXPECT_NE(node.log().find("SIGTERM: shutting down"), std::string::npos) << node.log();
  EXPECT_NE(node.log().find("stopped"), std::string::npos);

  node.start();  // same data directory
  client::Connection connection(node.address());
  auto session = connection.login(node.token(1));
  uint64_t resumed_at = 0;
  client::SendObserver observer;
  observer.on_open = [&](uint64_t, uint64_t from) { resumed_at = from; };
  request.rate_bytes_per_s = 0;
  std::string file_id = client::send_photo(connection, session, request, observer);
  EXPECT_GE(resumed_at, acked_before_stop);
  EXPECT_FALSE(file_id.empty());
  EXPECT_NE(node.log().find("recovered 1 transfer(s), 1 unfinished"), std::string::npos) << node.log();
}

}  // namespace
}  // namespace glimpse::e2e
