#pragma once
// Internal to storage/: assembles a byte range of a transfer from its stored
// chunks, the same way in every EventLog implementation (see FORMAT.md,
// "Reading a range").
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "storage/status.hpp"

namespace glimpse::storage {

// How many chunks before the latest one starting at or before a byte the
// reader looks back for one that holds the byte (chunks may overlap or nest
// when a sender resends with different boundaries).
constexpr int kChunkLookback = 16;

// Cursor over one transfer's chunks in offset order. Requirements:
//   void seek_for_prev(uint64_t off);  // last chunk with offset <= off, or invalid
//   bool valid() const; void next(); void prev();
//   uint64_t offset() const; uint64_t size() const;
//   std::string_view bytes() const;    // size() bytes, or fewer if reading them failed
//   Status status() const;             // error that made the cursor invalid, if any
template <class Cursor>
Status assemble_chunks(Cursor&& c, uint64_t transfer_id, uint64_t offset, uint64_t length,
                       std::string* out) {
  out->clear();
  if (length == 0) return Status();
  uint64_t end = offset + length;
  if (end < offset) {
    return Status(Code::invalid, "read of transfer " + std::to_string(transfer_id) +
                                     " overflows the 64-bit offset space");
  }
  auto missing = [&](uint64_t pos) {
    Status s = c.status();
    if (!s.ok()) return s;
    out->clear();
    return Status(Code::not_found, "transfer " + std::to_string(transfer_id) +
                                       " has no stored byte at offset " + std::to_string(pos) +
                                       " (read of [" + std::to_string(offset) + ", " +
                                       std::to_string(end) + "))");
  };
  auto covers = [&](uint64_t pos) { return c.offset() + c.size() > pos; };
  uint64_t pos = offset;
  c.seek_for_prev(pos);
  for (int back = 0; c.valid() && !covers(pos) && back < kChunkLookback; ++back) c.prev();
  if (!c.valid() || !covers(pos)) return missing(pos);
  if (length <= (64u << 20)) out->reserve(length);
  while (pos < end) {
    if (!c.valid() || c.offset() > pos) return missing(pos);
    if (covers(pos)) {
      std::string_view b = c.bytes();
      if (b.size() != c.size()) {
        Status s = c.status();
        out->clear();
        return s.ok() ? Status(Code::corruption, "chunk at offset " + std::to_string(c.offset()) +
                                                     " of transfer " + std::to_string(transfer_id) +
                                                     " could not be read whole")
                      : s;
      }
      uint64_t stop = std::min<uint64_t>(c.offset() + b.size(), end);
      out->append(b.data() + (pos - c.offset()), stop - pos);
      pos = stop;
    }
    if (pos < end) c.next();
  }
  return c.status();
}

// Cursor over an in-memory offset -> bytes map.
class MapChunkCursor {
 public:
  explicit MapChunkCursor(const std::map<uint64_t, std::string>& chunks)
      : chunks_(chunks), it_(chunks.end()) {}
  void seek_for_prev(uint64_t off) {
    it_ = chunks_.upper_bound(off);
    if (it_ == chunks_.begin()) {
      it_ = chunks_.end();
    } else {
      --it_;
    }
  }
  bool valid() const { return it_ != chunks_.end(); }
  void next() { ++it_; }
  void prev() { it_ = it_ == chunks_.begin() ? chunks_.end() : std::prev(it_); }
  uint64_t offset() const { return it_->first; }
  uint64_t size() const { return it_->second.size(); }
  std::string_view bytes() const { return it_->second; }
  Status status() const { return Status(); }

 private:
  const std::map<uint64_t, std::string>& chunks_;
  std::map<uint64_t, std::string>::const_iterator it_;
};

}  // namespace glimpse::storage
