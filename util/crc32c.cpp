#include "util/crc32c.hpp"

#include <array>
#include <cstring>

namespace glimpse::util {
namespace {

constexpr uint32_t kPoly = 0x82f63b78;  // reflected Castagnoli polynomial

// Slicing-by-8 tables: table[k][b] is the CRC of byte b followed by k zero bytes.
struct Tables {
  std::array<std::array<uint32_t, 256>, 8> t{};
  Tables() {
    for (uint32_t b = 0; b < 256; ++b) {
      uint32_t c = b;
      for (int i = 0; i < 8; ++i) c = (c >> 1) ^ ((c & 1) ? kPoly : 0);
      t[0][b] = c;
    }
    for (uint32_t b = 0; b < 256; ++b)
      for (int k = 1; k < 8; ++k) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xff];
  }
};

const Tables& tables() {
  static const Tables tables;
  return tables;
}

// Polynomial arithmetic mod P in the reflected representation (bit 31 is
// x^0), as in zlib's crc32_combine: a * b mod P. `a` must not be 0 (powers
// of x never are).
uint32_t multmodp(uint32_t a, uint32_t b) {
  uint32_t m = 1u << 31, p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) == 0) break;
    }
    m >>= 1;
    b = (b & 1) ? (b >> 1) ^ kPoly : b >> 1;
  }
  return p;
}

// x^(2^k) mod P for k < 64.
const std::array<uint32_t, 64>& x2n_table() {
  static const std::array<uint32_t, 64> table = [] {
    std::array<uint32_t, 64> t{};
    uint32_t p = 1u << 30;  // x^1
    for (auto& e : t) {
      e = p;
      p = multmodp(p, p);
    }
    return t;
  }();
  return table;
}

// x^(8 * n) mod P: multiplying a CRC by it appends n zero bytes' worth of shift.
uint32_t shift_bytes(uint64_t n) {
  uint32_t p = 1u << 31;  // x^0
  for (unsigned k = 3; n != 0; n >>= 1, ++k)
    if (n & 1) p = multmodp(x2n_table()[k & 63], p);
  return p;
}

#if defined(__x86_64__)
// The crc32 instruction takes 3 cycles but can start one per cycle, so three
// independent streams over adjacent stripes run about 3x faster than one;
// their CRCs are then joined: reg(A || B) = reg(A) * x^(8|B|) ^ reg0(B).
template <size_t kStripe>
__attribute__((target("sse4.2"))) uint64_t three_stripes(uint64_t c0, const unsigned char* p,
                                                         uint32_t shift) {
  uint64_t c1 = 0, c2 = 0;
  for (size_t i = 0; i < kStripe; i += 8) {
    uint64_t v0, v1, v2;
    std::memcpy(&v0, p + i, 8);
    std::memcpy(&v1, p + kStripe + i, 8);
    std::memcpy(&v2, p + 2 * kStripe + i, 8);
    c0 = __builtin_ia32_crc32di(c0, v0);
    c1 = __builtin_ia32_crc32di(c1, v1);
    c2 = __builtin_ia32_crc32di(c2, v2);
  }
  const uint32_t c01 = multmodp(shift, static_cast<uint32_t>(c0)) ^ static_cast<uint32_t>(c1);
  return multmodp(shift, c01) ^ static_cast<uint32_t>(c2);
}

__attribute__((target("sse4.2"))) uint32_t extend_hw(uint32_t crc, const unsigned char* p,
                                                     size_t n) {
  constexpr size_t kLong = 8192, kShort = 1024;
  static const uint32_t long_shift = shift_bytes(kLong), short_shift = shift_bytes(kShort);
  uint64_t c = crc;
  for (; n >= 3 * kLong; p += 3 * kLong, n -= 3 * kLong) c = three_stripes<kLong>(c, p, long_shift);
  for (; n >= 3 * kShort; p += 3 * kShort, n -= 3 * kShort)
    c = three_stripes<kShort>(c, p, short_shift);
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    c = __builtin_ia32_crc32di(c, v);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  while (n--) c32 = __builtin_ia32_crc32qi(c32, *p++);
  return c32;
}
#endif

uint32_t extend_sw(uint32_t crc, const unsigned char* p, size_t n) {
  const auto& t = tables().t;
  while (n >= 8) {
    uint32_t lo;
    uint32_t hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + 4, 4);
    lo ^= crc;
    crc = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24] ^
          t[3][hi & 0xff] ^ t[2][(hi >> 8) & 0xff] ^ t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n--) crc = (crc >> 8) ^ t[0][(crc ^ *p++) & 0xff];
  return crc;
}

}  // namespace

uint32_t crc32c_extend(uint32_t crc, const void* data, size_t n) {
  auto p = static_cast<const unsigned char*>(data);
  crc = ~crc;
#if defined(__x86_64__)
  static const bool hw = __builtin_cpu_supports("sse4.2");
  crc = hw ? extend_hw(crc, p, n) : extend_sw(crc, p, n);
#else
  crc = extend_sw(crc, p, n);
#endif
  return ~crc;
}

uint32_t crc32c_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b) {
  return multmodp(shift_bytes(len_b), crc_a) ^ crc_b;
}

}  // namespace glimpse::util
