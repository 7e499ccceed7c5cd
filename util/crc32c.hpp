#pragma once
// CRC-32C (Castagnoli), as used by iSCSI, ext4 and RocksDB: the checksum that
// ChunkAppended events carry for the bytes stored beside them.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace glimpse::util {

// Extends `crc` (the CRC of earlier bytes, 0 for none) over `data`.
uint32_t crc32c_extend(uint32_t crc, const void* data, size_t n);

inline uint32_t crc32c(std::string_view data) { return crc32c_extend(0, data.data(), data.size()); }

// The CRC of A followed by B, from crc_a = CRC(A), crc_b = CRC(B) and B's
// length: what crc32c_extend(crc_a, B) returns, without reading B again.
// O(log len_b), well under a microsecond.
uint32_t crc32c_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b);

}  // namespace glimpse::util
