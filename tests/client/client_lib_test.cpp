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
