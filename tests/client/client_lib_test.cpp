#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <capnp/message.h>
#include <kj/exception.h>

#include <gtest/gtest.h>

#include "client/connection.hpp"
#include "client/sender.hpp"

namespace glimpse::client {
namespace {

TEST(IdempotencyKey, SamePhotoSamePeopleSameKeyWhateverTheOrder) {
  EXPECT_EQ(idempotency_key("photo", {3, 2}), idempotency_key("photo", {2, 3, 3}));
  EXPECT_NE(idempotency_key("photo", {2}), idempotency_key("photo", {2, 3}));
  EXPECT_NE(idempotency_key("photo", {2}), idempotency_key("photO", {2}));
  EXPECT_EQ(idempotency_key("photo", {2}).size(), 64u);
  EXPECT_NE(idempotency_key("photo", {2}, "3g/2/0"), idempotency_key("photo", {2}, "wifi/2/0"));
  EXPECT_EQ(idempotency_key("photo", {2}, "3g/2/0"), idempotency_key("photo", {2}, "3g/2/0"));
}

TEST(FillHeader, PutsReceiversInTheOrderTheKeyTakesThem) {
  SendRequest request;
  request.receivers = {9, 3, 5};
  capnp::MallocMessageBuilder message;
  auto header = message.initRoot<rpc::SendHeader>();
  fill_header(request, header);
  ASSERT_EQ(header.getReceivers().size(), 3u);
  EXPECT_EQ(header.getReceivers()[0], 3u);
  EXPECT_EQ(header.getReceivers()[1], 5u);
  EXPECT_EQ(header.getReceivers()[2], 9u);
}

TEST(Connection, AddressThatDoesNotResolveIsAConnectionFailure) {
  try {
    Connection c("no-such-host.invalid:7420");
    FAIL() << "connected";
  } catch (const kj::Exception& e) {
    EXPECT_EQ(e.getType(), kj::Exception::Type::DISCONNECTED);
    EXPECT_NE(describe(e, "no-such-host.invalid:7420").find("node at no-such-host.invalid"),
              std::string::npos);
  }
}

TEST(Connection, NodeThatNeverAnswersTheLoginFailsAfterTheDeadline) {
  // A listening socket nobody accepts from: the kernel completes the
  // connection, and no answer ever comes.
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t len = sizeof a;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len), 0);
  const std::string node = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));

  Connection c(node, 1);
  try {
    c.login("token");
    FAIL() << "logged in";
  } catch (const kj::Exception& e) {
    EXPECT_EQ(e.getType(), kj::Exception::Type::DISCONNECTED);
    EXPECT_NE(std::string(e.getDescription().cStr()).find("no answer to login within 1 s"),
              std::string::npos)
        << e.getDescription().cStr();
  }
  ::close(listener);
}

TEST(Describe, RefusalLosesTheRemoteWrapper) {
  kj::Exception e(kj::Exception::Type::FAILED, "x", 1,
                  kj::str("remote exception: not_found: no such file"));
  EXPECT_EQ(describe(e, "127.0.0.1:1"), "not_found: no such file");
}

TEST(Describe, LostConnectionNamesTheNode) {
  kj::Exception e(kj::Exception::Type::DISCONNECTED, "x", 1, kj::str("connection refused"));
  std::string text = describe(e, "127.0.0.1:1");
  EXPECT_NE(text.find("127.0.0.1:1"), std::string::npos) << text;
  EXPECT_NE(text.find("glimpsed"), std::string::npos) << text;
}

TEST(Defaults, NodeAndTokenFromFlagsThenEnvironment) {
  ::unsetenv("GLIMPSE_NODE");
  ::unsetenv("GLIMPSE_TOKEN");
  EXPECT_EQ(node_address(""), kDefaultNode);
  EXPECT_EQ(token_value(""), "");
  ::setenv("GLIMPSE_NODE", "10.0.0.1:9", 1);
  ::setenv("GLIMPSE_TOKEN", "t", 1);
  EXPECT_EQ(node_address(""), "10.0.0.1:9");
  EXPECT_EQ(node_address("h:1"), "h:1");
  EXPECT_EQ(token_value(""), "t");
  EXPECT_EQ(token_value("u"), "u");
}

}  // namespace
}  // namespace glimpse::client
