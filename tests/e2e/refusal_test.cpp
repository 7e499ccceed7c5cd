// What the node refuses, end to end: each refusal is one clear message, and
// the node stays healthy for the next client.
#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

#include "client/connection.hpp"
#include "client/sender.hpp"
#include "util/token.hpp"
#include "tests/e2e/harness.hpp"

namespace glimpse::e2e {
namespace {

client::SendRequest request_for(const std::string& png, uint64_t receiver, const std::string& key) {
  image::Prepared p = prepare(png);
  client::SendRequest r;
  r.receivers = {receiver};
  r.jpeg = p.jpeg;
  r.width = p.width;
  r.height = p.height;
  r.scan_ends = p.scan_ends;
  r.mts = image::choose_mts(p.scan_ends, p.dc_scans, p.width, p.height, r.network).mts;
  r.idempotency_key = key;
  return r;
}

// The refusal text of `fn`, or "" if it did not throw.
template <class Fn>
std::string refusal_of(Fn&& fn) {
  try {
    fn();
  } catch (const kj::Exception& e) {
    return client::describe(e, "node");
  }
  return "";
}

class E2eRefusal : public ::testing::Test {
 protected:
  void SetUp() override {
    node_ = std::make_unique<Node>(dir_.path() + "/data", dir_.path(),
                                   std::vector<std::string>{"--max-total-size=2000000"});
    node_->start();
    png_ = make_png(320, 240, 9);
  }

  // A healthy node: a fresh, honest send goes through.
  void expect_healthy() {
    client::Connection c(node_->address());
    auto session = c.login(node_->token(1));
    auto request = request_for(png_, 2, "healthy-" + std::to_string(++healthy_));
    EXPECT_FALSE(client::send_photo(c, session, request, {}).empty());
  }

  // Opens a transfer with `request` and runs `writes` against its upload, then done().
  std::string lie(const client::SendRequest& request,
                  const std::function<void(client::Connection&, rpc::Upload::Client)>& writes) {
    return refusal_of([&] {
      client::Connection c(node_->address());
      auto session = c.login(node_->token(1));
      auto req = session.sendRequest();
      client::fill_header(request, req.initHeader());
      req.setCallback(kj::heap<NullCallback>());
      auto upload = req.send().wait(c.wait_scope()).getUpload();
      writes(c, upload);
      auto done = upload.doneRequest();
      done.setCrc32c(0);
      done.send().wait(c.wait_scope());
    });
  }

  static void write(client::Connection& c, rpc::Upload::Client& upload, uint64_t offset,
                    const std::string& bytes) {
    auto req = upload.writeRequest();
    req.setOffset(offset);
    req.setBytes(kj::arrayPtr(reinterpret_cast<const kj::byte*>(bytes.data()), bytes.size()));
    req.send().wait(c.wait_scope());
  }

  struct NullCallback final : public rpc::SendCallback::Server {};

  TempDir dir_;
  std::unique_ptr<Node> node_;
  std::string png_;
  int healthy_ = 0;
};

TEST_F(E2eRefusal, StrangerGetsNotFoundLikeAMissingFile) {
  std::string photo = dir_.path() + "/p.png";
  std::ofstream(photo, std::ios::binary) << png_;
  RunResult sent = run_glimpse({"send", "--to", "2", photo, "--node", node_->address(), "--token",
                                node_->token(1), "--no-progress"},
                               dir_.path());
  ASSERT_EQ(sent.code, 0) << sent.err;
  std::string file_id = sent.out.substr(0, sent.out.find('\n'));
  RunResult stranger = run_glimpse({"fetch", file_id, "-o", dir_.path() + "/x.jpg", "--node",
                                    node_->address(), "--token", node_->token(99)},
                                   dir_.path());
  EXPECT_EQ(stranger.code, 1);
  EXPECT_NE(stranger.err.find("not_found"), std::string::npos) << stranger.err;
  std::string missing_id = "n1-00000000000fffff";
  RunResult missing = run_glimpse({"fetch", missing_id, "-o", dir_.path() + "/x.jpg", "--node",
                                   node_->address(), "--token", node_->token(2)},
                                  dir_.path());
  EXPECT_EQ(missing.code, 1);
  auto strip = [](std::string s, const std::string& id) {
    for (size_t at; (at = s.find(id)) != std::string::npos;) s.replace(at, id.size(), "ID");
    return s;
  };
  EXPECT_EQ(strip(stranger.err, file_id), strip(missing.err, missing_id));
  EXPECT_FALSE(std::ifstream(dir_.path() + "/x.jpg").good());  // nothing half-written
  expect_healthy();
}

TEST_F(E2eRefusal, BadTokens) {
  std::string photo = dir_.path() + "/p.png";
  std::ofstream(photo, std::ios::binary) << png_;
  std::string forged = token::mint(std::string(32, 'x'), 1, 4000000000);
  struct Case {
    std::string token, expect;
  } cases[] = {{"garbage", "malformed"},
               {node_->token(1, -10), "expired"},
               {forged, "not issued by this node"}};
  for (const auto& c : cases) {
    RunResult r = run_glimpse({"send", "--to", "2", photo, "--node", node_->address(), "--token",
                               c.token, "--no-progress"},
                              dir_.path());
    EXPECT_EQ(r.code, 1) << c.token;
    EXPECT_NE(r.err.find("unauthenticated"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << r.err;
  }
  expect_healthy();
}

TEST_F(E2eRefusal, HeaderLiesAndBadWrites) {
  auto honest = request_for(png_, 2, "lies");
  const std::string& jpeg = honest.jpeg;

  auto mts_over_ts = honest;
  mts_over_ts.idempotency_key = "mts>ts";
  mts_over_ts.mts = jpeg.size() + 1;
  std::string m = lie(mts_over_ts, [](auto&, auto) {});
  EXPECT_NE(m.find("invalid_argument"), std::string::npos) << m;
  std::printf("  mts > ts: %s\n", m.c_str());
  expect_healthy();

  auto too_big = honest;
  too_big.idempotency_key = "too-big";
  too_big.jpeg.resize(3000000, 'x');
  too_big.scan_ends.back() = too_big.jpeg.size();
  m = lie(too_big, [](auto&, auto) {});
  EXPECT_NE(m.find("limit_exceeded"), std::string::npos) << m;
  std::printf("  ts over limit: %s\n", m.c_str());
  expect_healthy();

  auto past_ts = honest;
  past_ts.idempotency_key = "past-ts";
  m = lie(past_ts, [&](auto& c, auto up) { write(c, up, jpeg.size() + 10, "abc"); });
  EXPECT_NE(m.find("invalid_argument"), std::string::npos) << m;
  std::printf("  offset past TS: %s\n", m.c_str());
  expect_healthy();

  auto conflict = honest;
  conflict.idempotency_key = "conflict";
  m = lie(conflict, [&](auto& c, auto up) {
    write(c, up, 0, jpeg.substr(0, 16384));
    std::string other = jpeg.substr(0, 16384);
    other[500] ^= 0x55;
    write(c, up, 0, other);
  });
  EXPECT_NE(m.find("conflict"), std::string::npos) << m;
  std::printf("  conflicting chunk: %s\n", m.c_str());
  expect_healthy();

  auto empty = honest;
  empty.idempotency_key = "empty";
  m = lie(empty, [&](auto& c, auto up) { write(c, up, 0, ""); });
  EXPECT_NE(m.find("empty write"), std::string::npos) << m;
  std::printf("  zero-length write: %s\n", m.c_str());
  expect_healthy();

  auto not_jpeg = honest;
  not_jpeg.idempotency_key = "not-jpeg";
  m = lie(not_jpeg, [&](auto& c, auto up) { write(c, up, 0, std::string(1000, 'P')); });
  EXPECT_NE(m.find("not a JPEG"), std::string::npos) << m;
  std::printf("  not a JPEG: %s\n", m.c_str());
  expect_healthy();
  EXPECT_EQ(node_->stop(), 0);
}

TEST_F(E2eRefusal, WritesBelowTheMinimumAreRefusedExceptTheLast) {
  auto request = request_for(png_, 2, "tiny-writes");
  const std::string& jpeg = request.jpeg;
  ASSERT_GT(jpeg.size(), 1000u);
  std::string m = lie(request, [&](auto& c, auto up) { write(c, up, 0, jpeg.substr(0, 1000)); });
  EXPECT_NE(m.find("limit_exceeded"), std::string::npos) << m;
  EXPECT_NE(m.find("below the minimum of 16384"), std::string::npos) << m;
  std::printf("  tiny write: %s\n", m.c_str());

  // The file's last chunk may be short: 16 KiB writes, then the rest.
  auto sliced = request_for(png_, 2, "sliced");
  client::Connection c(node_->address());
  auto session = c.login(node_->token(1));
  sliced.chunk_bytes = 16384;
  EXPECT_FALSE(client::send_photo(c, session, sliced, {}).empty());

  RunResult flag = run_glimpse({"send", "--to", "2", "--chunk", "4", dir_.path() + "/none.png",
                                "--node", node_->address(), "--token", node_->token(1)},
                               dir_.path());
  EXPECT_EQ(flag.code, 2);
  EXPECT_NE(flag.err.find("--chunk 16..1024"), std::string::npos) << flag.err;
  EXPECT_EQ(node_->stop(), 0);
}

}  // namespace
}  // namespace glimpse::e2e
