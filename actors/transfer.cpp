#include "actors/transfer.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

namespace glimpse::actors {
namespace {

RelayError err(ErrorCode code, std::string message) { return RelayError{code, std::move(message)}; }

std::string range_str(uint64_t begin, uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + ")";
}

TransferDecision refuse(ErrorCode code, std::string message) {
  TransferDecision d;
  d.reply = err(code, std::move(message));
  return d;
}

// The contiguous prefix once a chunk [offset, offset + length) not yet stored
// is added to `s`, without copying the state.
uint64_t acked_with(const TransferState& s, uint64_t offset, uint32_t length) {
  if (offset != s.acked) return s.acked;
  uint64_t acked = offset + length;
  for (auto it = s.chunks.find(acked); it != s.chunks.end() && it->first == acked;
       it = s.chunks.find(acked))
    acked += it->second.length;
  return acked;
}

// The status after `events` (at most one ChunkAppended), computed without
// copying the state: decide runs once per chunk and the chunk map is large.
TransferDecision accept(const TransferState& state, std::vector<Event> events) {
  TransferStatus status = state.status();
  for (const auto& e : events) {
    if (auto* o = std::get_if<TransferOpened>(&e.body)) status.transfer_id = o->transfer_id;
    if (auto* c = std::get_if<ChunkAppended>(&e.body))
      status.acked = acked_with(state, c->offset, c->length);
    if (auto* d = std::get_if<Delivered>(&e.body)) status.file_id = d->file_id;
    if (std::holds_alternative<Completed>(e.body)) status.completed = true;
  }
  TransferDecision d;
  d.events = std::move(events);
  d.reply = status;
  return d;
}

// Refusal for a transfer that takes no more changes, or nullopt if it is open.
std::optional<RelayError> closed_error(const TransferState& s) {
  switch (s.phase) {
    case TransferPhase::aborted:
      return err(ErrorCode::aborted, "transfer " + std::to_string(s.header.transfer_id) +
                                         " was aborted (" + s.abort_reason +
                                         "); open a new transfer");
    case TransferPhase::expired:
      return err(ErrorCode::aborted, "transfer " + std::to_string(s.header.transfer_id) +
                                         " expired after being idle; open a new transfer");
    default: return std::nullopt;
  }
}

RelayError no_such_transfer(uint64_t id) {
  return err(ErrorCode::not_found, "no transfer " + std::to_string(id) + " for this sender");
}

TransferDecision decide_open(const TransferState& s, const OpenTransfer& c, int64_t now,
                             const TransferLimits& limits) {
  if (s.phase != TransferPhase::none) {
    if (!(s.header == c.header))
      return refuse(ErrorCode::conflict,
                    "idempotency key \"" + c.header.idempotency_key + "\" already names transfer " +
                        std::to_string(s.header.transfer_id) +
                        " with a different header; use a new key for a new photo");
    if (auto e = closed_error(s)) return refuse(e->code, e->message);
    return accept(s, {});  // resume
  }
  if (auto e = validate_header(c.header, limits)) return refuse(e->code, e->message);
  return accept(s, {Event{now, c.header}});
}

TransferDecision decide_append(const TransferState& s, const AppendChunk& c, int64_t now,
                               const TransferLimits& limits) {
  if (s.phase == TransferPhase::none || s.header.sender != c.sender)
    return refuse(ErrorCode::not_found, no_such_transfer(s.header.transfer_id).message);
  if (auto e = closed_error(s)) return refuse(e->code, e->message);
  const uint64_t ts = s.header.total_size;
  const uint64_t end = c.offset + c.length;
  if (c.length == 0)
    return refuse(ErrorCode::invalid_argument, "empty chunk at offset " + std::to_string(c.offset) +
                                                   "; send at least one byte");
  if (c.offset >= ts || end > ts || end < c.offset)
    return refuse(ErrorCode::invalid_argument,
                  "chunk " + range_str(c.offset, end) + " goes past the total size " +
                      std::to_string(ts) + " declared at open");
  if (c.length > limits.max_chunk_size)
    return refuse(ErrorCode::limit_exceeded,
                  "chunk of " + std::to_string(c.length) + " bytes exceeds the maximum of " +
                      std::to_string(limits.max_chunk_size) + "; split it");
  if (c.length < limits.min_chunk_size && end != ts)
    return refuse(ErrorCode::limit_exceeded,
                  "chunk of " + std::to_string(c.length) + " bytes is below the minimum of " +
                      std::to_string(limits.min_chunk_size) + " (only the last chunk may be shorter)");

  auto same = s.chunks.find(c.offset);
  if (same != s.chunks.end()) {
    if (same->second == StoredChunk{c.length, c.crc32c}) return accept(s, {});  // resent, matches
    return refuse(ErrorCode::conflict,
                  "chunk " + range_str(c.offset, end) + " differs from the stored chunk " +
                      range_str(c.offset, c.offset + same->second.length) +
                      "; stored bytes never change, resume from offset " + std::to_string(s.acked));
  }
  if (s.chunks.size() >= limits.max_chunks)
    return refuse(ErrorCode::limit_exceeded,
                  "transfer " + std::to_string(s.header.transfer_id) + " already holds " +
                      std::to_string(s.chunks.size()) + " chunks, the maximum; abort it and " +
                      "send the photo again in larger chunks");
  auto next = s.chunks.lower_bound(c.offset);
  bool overlaps = next != s.chunks.end() && next->first < end;
  if (next != s.chunks.begin()) {
    auto prev = std::prev(next);
    overlaps = overlaps || prev->first + prev->second.length > c.offset;
  }
  if (overlaps)
    return refuse(ErrorCode::conflict, "chunk " + range_str(c.offset, end) +
                                           " overlaps stored bytes; resume from offset " +
                                           std::to_string(s.acked) +
                                           " with the chunk boundaries used before");

  std::vector<Event> events{Event{now, ChunkAppended{c.offset, c.length, c.crc32c}}};
  if (!s.delivered()) {
    const uint64_t acked = acked_with(s, c.offset, c.length);
    if (acked >= s.header.mts)
      events.push_back(
          Event{now, Delivered{make_file_id(s.header.node, s.header.transfer_id), acked}});
  }
  return accept(s, std::move(events));
}

TransferDecision decide_finish(const TransferState& s, const FinishTransfer& c, int64_t now) {
  if (s.phase == TransferPhase::none || s.header.sender != c.sender)
    return refuse(ErrorCode::not_found, no_such_transfer(s.header.transfer_id).message);
  if (auto e = closed_error(s)) return refuse(e->code, e->message);
  if (s.phase == TransferPhase::completed) {
    // A version-1 Completed recorded a SHA-256, not a CRC: nothing to compare.
    if (!s.crc32c || *s.crc32c == c.declared_crc32c) return accept(s, {});
    return refuse(ErrorCode::conflict, "transfer already completed with another CRC-32C");
  }
  const uint64_t ts = s.header.total_size;
  if (s.acked < ts)
    return refuse(ErrorCode::invalid_argument,
                  "only " + std::to_string(s.acked) + " of " + std::to_string(ts) +
                      " bytes are stored; send " + range_str(s.acked, ts) + " and finish again");
  if (!c.stored_crc32c)
    return refuse(ErrorCode::storage_failure, "stored bytes could not be read back; retry finish");
  if (*c.stored_crc32c != c.declared_crc32c)
    return refuse(ErrorCode::conflict,
                  "declared CRC-32C does not match the stored bytes; stored bytes never "
                  "change, so abort this transfer and send the photo again");
  return accept(s, {Event{now, Completed{c.declared_crc32c}}});
}

TransferDecision decide_abort(const TransferState& s, const AbortTransfer& c, int64_t now) {
  if (s.phase == TransferPhase::none || s.header.sender != c.sender)
    return refuse(ErrorCode::not_found, no_such_transfer(s.header.transfer_id).message);
  if (s.phase == TransferPhase::completed)
    return refuse(ErrorCode::conflict, "transfer " + std::to_string(s.header.transfer_id) +
                                           " is already complete and cannot be aborted");
  if (s.finished()) return accept(s, {});
  return accept(s, {Event{now, Aborted{c.reason.empty() ? "aborted by sender" : c.reason}}});
}

TransferDecision decide_notified(const TransferState& s, const MarkReceiverNotified& c,
                                 int64_t now) {
  if (s.phase == TransferPhase::none)
    return refuse(ErrorCode::not_found, no_such_transfer(s.header.transfer_id).message);
  const auto& r = s.header.receivers;
  if (std::find(r.begin(), r.end(), c.receiver) == r.end())
    return refuse(ErrorCode::invalid_argument,
                  "user " + std::to_string(c.receiver) + " is not a receiver of this transfer");
  if (!s.delivered())
    return refuse(ErrorCode::invalid_argument, "transfer is not delivered yet");
  if (std::find(s.notified.begin(), s.notified.end(), c.receiver) != s.notified.end())
    return accept(s, {});
  return accept(s, {Event{now, ReceiverNotified{c.receiver}}});
}

}  // namespace

std::optional<RelayError> validate_header(const TransferOpened& h, const TransferLimits& limits) {
  auto invalid = [](std::string m) { return err(ErrorCode::invalid_argument, std::move(m)); };
  auto limit = [](std::string m) { return err(ErrorCode::limit_exceeded, std::move(m)); };
  if (h.receivers.empty()) return invalid("no receivers; name at least one user to send to");
  if (h.receivers.size() > limits.max_receivers)
    return limit(std::to_string(h.receivers.size()) + " receivers exceed the maximum of " +
                 std::to_string(limits.max_receivers));
  std::set<uint64_t> unique(h.receivers.begin(), h.receivers.end());
  if (unique.size() != h.receivers.size()) return invalid("a receiver is listed twice");
  if (h.receivers.size() == 1 && h.receivers.front() == h.sender)
    return invalid("the sender is the only receiver; name someone else");
  if (h.idempotency_key.size() > limits.max_idempotency_key)
    return limit("idempotency key of " + std::to_string(h.idempotency_key.size()) +
                 " bytes exceeds the maximum of " + std::to_string(limits.max_idempotency_key));
  if (h.total_size == 0) return invalid("total size is 0; a photo has at least one byte");
  if (h.total_size > limits.max_total_size)
    return limit("total size " + std::to_string(h.total_size) + " exceeds the maximum of " +
                 std::to_string(limits.max_total_size) + " bytes");
  if (h.mts == 0 || h.mts > h.total_size)
    return invalid("MTS " + std::to_string(h.mts) + " must be in [1, total size " +
                   std::to_string(h.total_size) + "]");
  if (h.width == 0 || h.height == 0) return invalid("width and height must both be above 0");
  if (h.scan_ends.size() > limits.max_scan_ends)
    return limit(std::to_string(h.scan_ends.size()) + " scan ends exceed the maximum of " +
                 std::to_string(limits.max_scan_ends));
  if (h.scan_ends.empty() || h.scan_ends.back() != h.total_size)
    return invalid("scan ends must be listed and the last one must equal the total size");
  for (size_t i = 0; i < h.scan_ends.size(); ++i)
    if (h.scan_ends[i] == 0 || (i > 0 && h.scan_ends[i] <= h.scan_ends[i - 1]))
      return invalid("scan ends must be strictly ascending and above 0");
  if (!std::binary_search(h.scan_ends.begin(), h.scan_ends.end(), h.mts))
    return invalid("MTS " + std::to_string(h.mts) + " is not a scan end; snap it to one");
  if (static_cast<uint8_t>(h.network.type) > static_cast<uint8_t>(NetworkType::g2) ||
      h.network.signal > 4)
    return invalid("network report out of range (type 0..5, signal 0..4)");
  return std::nullopt;
}

TransferDecision decide(const TransferState& state, const TransferCommand& command,
                        const TransferLimits& limits) {
  const int64_t now = command.now_ns;
  return std::visit(
      [&](const auto& c) -> TransferDecision {
        using C = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<C, OpenTransfer>) return decide_open(state, c, now, limits);
        if constexpr (std::is_same_v<C, AppendChunk>) return decide_append(state, c, now, limits);
        if constexpr (std::is_same_v<C, FinishTransfer>) return decide_finish(state, c, now);
        if constexpr (std::is_same_v<C, AbortTransfer>) return decide_abort(state, c, now);
        if constexpr (std::is_same_v<C, ExpireTransfer>) {
          if (state.phase != TransferPhase::open) return accept(state, {});
          return accept(state, {Event{now, Expired{}}});
        }
        if constexpr (std::is_same_v<C, MarkReceiverNotified>)
          return decide_notified(state, c, now);
      },
      command.body);
}

void apply_in_place(TransferState& s, const Event& event) {
  std::visit(
      [&](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, TransferOpened>) {
          s.phase = TransferPhase::open;
          s.header = e;
        } else if constexpr (std::is_same_v<E, ChunkAppended>) {
          s.chunks[e.offset] = StoredChunk{e.length, e.crc32c};
          for (auto it = s.chunks.find(s.acked); it != s.chunks.end() && it->first == s.acked;
               it = s.chunks.find(s.acked))
            s.acked += it->second.length;
        } else if constexpr (std::is_same_v<E, Delivered>) {
          s.file_id = e.file_id;
          s.delivered_offset = e.offset;
          s.delivered_ns = event.time_ns;
        } else if constexpr (std::is_same_v<E, ReceiverNotified>) {
          s.notified.push_back(e.receiver);
        } else if constexpr (std::is_same_v<E, Completed>) {
          s.phase = TransferPhase::completed;
          s.crc32c = e.crc32c;
        } else if constexpr (std::is_same_v<E, Aborted>) {
          s.phase = TransferPhase::aborted;
          s.abort_reason = e.reason;
        } else if constexpr (std::is_same_v<E, Expired>) {
          s.phase = TransferPhase::expired;
        } else {
          return;  // inbox events do not belong to a transfer stream
        }
        s.last_event_ns = event.time_ns;
      },
      event.body);
}

TransferState apply(TransferState state, const Event& event) {
  apply_in_place(state, event);
  return state;
}

std::vector<std::pair<uint64_t, uint64_t>> TransferState::out_of_order_ranges() const {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (auto it = chunks.upper_bound(acked); it != chunks.end(); ++it) {
    const uint64_t b = it->first, e = it->first + it->second.length;
    if (!out.empty() && out.back().second == b)
      out.back().second = e;
    else
      out.emplace_back(b, e);
  }
  return out;
}

std::vector<uint64_t> TransferState::receivers_to_notify() const {
  std::vector<uint64_t> out;
  if (!delivered()) return out;
  for (uint64_t r : header.receivers)
    if (std::find(notified.begin(), notified.end(), r) == notified.end()) out.push_back(r);
  return out;
}

std::string make_file_id(uint16_t node, uint64_t transfer_id) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "n%u-%016llx", static_cast<unsigned>(node),
                static_cast<unsigned long long>(transfer_id));
  return buf;
}

std::optional<std::pair<uint16_t, uint64_t>> parse_file_id(const std::string& id) {
  if (id.size() < 19 || id.size() > 23 || id[0] != 'n') return std::nullopt;
  const size_t dash = id.find('-');
  if (dash == std::string::npos || dash < 2 || id.size() - dash - 1 != 16) return std::nullopt;
  uint64_t node = 0;
  for (size_t i = 1; i < dash; ++i) {
    if (id[i] < '0' || id[i] > '9') return std::nullopt;
    node = node * 10 + static_cast<uint64_t>(id[i] - '0');
    if (node > 0xffff) return std::nullopt;
  }
  if (dash > 2 && id[1] == '0') return std::nullopt;  // one spelling per id
  uint64_t tid = 0;
  for (size_t i = dash + 1; i < id.size(); ++i) {
    const char ch = id[i];
    int v;
    if (ch >= '0' && ch <= '9') v = ch - '0';
    else if (ch >= 'a' && ch <= 'f') v = ch - 'a' + 10;
    else return std::nullopt;
    tid = (tid << 4) | static_cast<uint64_t>(v);
  }
  return std::make_pair(static_cast<uint16_t>(node), tid);
}

}  // namespace glimpse::actors
