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

// Bit at a time, straight from the definition: the reference for long inputs.
uint32_t reference_crc32c(const std::string& data) {
  uint32_t crc = 0xffffffffu;
  for (unsigned char byte : data) {
    crc ^= byte;
    for (int i = 0; i < 8; ++i) crc = (crc >> 1) ^ ((crc & 1) ? 0x82f63b78u : 0);
  }
  return ~crc;
}

std::string pattern(size_t n) {
  std::string data(n, '\0');
  uint32_t x = 2463534242u;
  for (auto& c : data) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    c = static_cast<char>(x);
  }
  return data;
}

TEST(Crc32c, LongInputsMatchTheDefinition) {
  // Lengths around the three-stripe blocks (3 x 1 KiB, 3 x 8 KiB) and past them.
  for (size_t n : {3071ul, 3072ul, 3073ul, 12287ul, 12288ul, 12289ul, 24575ul, 24576ul, 24576ul + 5,
                   24576ul + 3072ul + 7, 65536ul, 65536ul + 32 + 3, 200001ul}) {
    const std::string data = pattern(n);
    EXPECT_EQ(crc32c(data), reference_crc32c(data)) << n << " bytes";
    // Extending from a non-zero CRC, from an unaligned start.
    EXPECT_EQ(crc32c_extend(crc32c(data.substr(0, 3)), data.data() + 3, n - 3),
              reference_crc32c(data))
        << n << " bytes, extended after 3";
  }
}

TEST(Crc32c, CombineEqualsTheCrcOfTheConcatenation) {
  const std::string data = pattern(70000);
  for (size_t cut : {0ul, 1ul, 32ul, 4096ul, 65536ul, 70000ul}) {
    const std::string a = data.substr(0, cut), b = data.substr(cut);
    EXPECT_EQ(crc32c_combine(crc32c(a), crc32c(b), b.size()), crc32c(data)) << "cut at " << cut;
  }
  EXPECT_EQ(crc32c_combine(0x12345678u, crc32c(""), 0), 0x12345678u);
}

}  // namespace
}  // namespace glimpse::util
