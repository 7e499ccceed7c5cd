#include "util/crc32c.hpp"

#include <gtest/gtest.h>

#include <string>

namespace glimpse::util {
namespace {

TEST(Crc32c, MatchesPublishedCheckValue) {
  // RFC 3720 B.4 / the CRC catalogue's check value for "123456789".
  EXPECT_EQ(crc32c("123456789"), 0xe3069283u);
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8a9136aau);
  EXPECT_EQ(crc32c(""), 0u);
}

TEST(Crc32c, ExtendingInPiecesEqualsOneShot) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 37 + 11));
  uint32_t whole = crc32c(data);
  for (size_t cut : {0ul, 1ul, 7ul, 8ul, 9ul, 500ul, 999ul, 1000ul}) {
    uint32_t c = crc32c_extend(0, data.data(), cut);
    c = crc32c_extend(c, data.data() + cut, data.size() - cut);
    EXPECT_EQ(c, whole) << "cut at " << cut;
  }
}

}  // namespace
}  // namespace glimpse::util
