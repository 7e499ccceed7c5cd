#pragma once
// Internal to storage/: the fixed-width big-endian keys of the RocksDB log
// (FORMAT.md, "Keys"). Bytewise order of the keys is numeric order of fields.
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/event_log.hpp"

namespace glimpse::storage::keys {

constexpr size_t kEventKeySize = 17;  // kind(1) | stream id(8) | seq(8)
constexpr size_t kChunkKeySize = 16;  // transfer id(8) | offset(8)

inline void put_be64(std::string* s, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) s->push_back(static_cast<char>(v >> shift));
}

inline uint64_t get_be64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

inline std::string event_key(StreamId stream, uint64_t seq) {
  std::string k;
  k.reserve(kEventKeySize);
  k.push_back(static_cast<char>(stream.kind));
  put_be64(&k, stream.id);
  put_be64(&k, seq);
  return k;
}

// A key above every event key of `stream` and below the next stream's.
inline std::string event_stream_end(StreamId stream) {
  std::string k = event_key(stream, ~uint64_t{0});
  k.push_back('\xff');
  return k;
}

// First key of kind `kind`, and a key above every key of that kind.
inline std::string event_kind_begin(StreamKind kind) { return event_key({kind, 0}, 0); }
inline std::string event_kind_end(StreamKind kind) {
  return std::string(1, static_cast<char>(static_cast<uint8_t>(kind) + 1));
}

inline bool decode_event_key(std::string_view k, StreamId* stream, uint64_t* seq) {
  if (k.size() != kEventKeySize) return false;
  stream->kind = static_cast<StreamKind>(static_cast<uint8_t>(k[0]));
  stream->id = get_be64(k.data() + 1);
  *seq = get_be64(k.data() + 9);
  return true;
}

inline std::string chunk_key(uint64_t transfer_id, uint64_t offset) {
  std::string k;
  k.reserve(kChunkKeySize);
  put_be64(&k, transfer_id);
  put_be64(&k, offset);
  return k;
}

inline std::string chunk_transfer_end(uint64_t transfer_id) {
  std::string k = chunk_key(transfer_id, ~uint64_t{0});
  k.push_back('\xff');
  return k;
}

inline bool decode_chunk_key(std::string_view k, uint64_t* transfer_id, uint64_t* offset) {
  if (k.size() != kChunkKeySize) return false;
  *transfer_id = get_be64(k.data());
  *offset = get_be64(k.data() + 8);
  return true;
}

// Owner record of an index entry: kind(1) | stream id(8) | index key.
inline std::string owner_prefix(StreamId stream) {
  std::string k;
  k.push_back(static_cast<char>(stream.kind));
  put_be64(&k, stream.id);
  return k;
}
inline std::string owner_key(StreamId stream, std::string_view index_key) {
  std::string k = owner_prefix(stream);
  k.append(index_key);
  return k;
}

// Key of the format version in the meta column family; value is decimal text.
constexpr std::string_view kFormatVersionKey = "format_version";
constexpr int kFormatVersion = 3;

}  // namespace glimpse::storage::keys
