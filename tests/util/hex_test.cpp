#include "util/hex.hpp"

#include <gtest/gtest.h>

namespace glimpse::util {
namespace {

TEST(Hex, RoundTripsAllByteValues) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  auto back = from_hex(to_hex(all));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, all);
}

TEST(Hex, RejectsOddLengthAndNonHexCharacters) {
  EXPECT_FALSE(from_hex("abc").has_value());
  EXPECT_FALSE(from_hex("zz").has_value());
  EXPECT_EQ(from_hex("0A0b").value(), std::string("\x0a\x0b"));
}

}  // namespace
}  // namespace glimpse::util
