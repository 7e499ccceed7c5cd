#include "util/shared_bytes.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>

namespace glimpse::util {
namespace {

TEST(SharedBytes, AStringMovedInIsNotCopied) {
  std::string s(100000, 'x');
  const char* at = s.data();
  SharedBytes b(std::move(s));
  EXPECT_EQ(b.data(), at);
  EXPECT_EQ(b.size(), 100000u);
}

TEST(SharedBytes, CopiesShareTheBytesAndKeepThemAliveAfterTheOriginalGoes) {
  auto original = std::make_unique<SharedBytes>(std::string(5000, 'q'));
  SharedBytes copy = *original;
  EXPECT_EQ(copy.data(), original->data());
  original.reset();
  EXPECT_EQ(copy.view(), std::string(5000, 'q'));
}

TEST(SharedBytes, TheOwnerIsReleasedWhenTheLastCopyGoesOnAnyThread) {
  auto owner = std::make_shared<std::string>("payload of a message");
  std::weak_ptr<std::string> watch = owner;
  SharedBytes b(owner, owner->data() + 13, 7);  // "message"
  owner.reset();
  EXPECT_EQ(b.view(), "message");
  ASSERT_FALSE(watch.expired());
  std::thread([moved = std::move(b)]() mutable { moved = SharedBytes(); }).join();
  EXPECT_TRUE(watch.expired());
}

TEST(SharedBytes, EmptyBytesAreValidAndEqualToEmpty) {
  SharedBytes none, from_empty(std::string{});
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none, from_empty);
  EXPECT_EQ(none.view(), "");
  EXPECT_EQ(SharedBytes("abc").str(), "abc");
}

}  // namespace
}  // namespace glimpse::util
