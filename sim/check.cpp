#include "sim/check.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <optional>

#include "actors/event_codec.hpp"
#include "actors/transfer.hpp"
#include "sim/describe.hpp"
#include "util/crc32c.hpp"

namespace glimpse::sim {
namespace {

using namespace glimpse::actors;

// The checker judges the rules, not one node's configuration: widest limits.
TransferLimits widest_limits() {
  TransferLimits l;
  l.max_total_size = std::numeric_limits<uint64_t>::max();
  l.max_scan_ends = std::numeric_limits<size_t>::max();
  l.max_receivers = std::numeric_limits<size_t>::max();
  l.max_idempotency_key = std::numeric_limits<size_t>::max();
  l.min_chunk_size = 1;
  l.max_chunk_size = std::numeric_limits<uint32_t>::max();
  return l;
}

class TransferChecker {
 public:
  TransferChecker(storage::EventLog& log, uint64_t id, const CheckOptions& options,
                  CheckReport* report)
      : log_(log), id_(id), options_(options), report_(report), limits_(widest_limits()) {}

  void run() {
    storage::StreamId stream{storage::StreamKind::transfer, id_};
    std::string unreadable;
    storage::Status s = log_.replay(stream, 0, [&](uint64_t seq, std::string_view bytes) {
      seqs_.push_back(seq);
      Expected<Event> e = decode_event(bytes);
      if (!e.ok()) {
        unreadable = e.error().message;
        return false;
      }
      events_.push_back(std::move(*e));
      return true;
    });
    if (!s.ok()) {
      report_->errors.push_back("transfer " + std::to_string(id_) + ": " + s.to_string());
      return;
    }
    if (seqs_.empty()) {
      report_->errors.push_back("no transfer " + std::to_string(id_) + " in this log");
      return;
    }
    ++report_->transfers;
    report_->events += seqs_.size();
    if (options_.verify_chunks) prefetch();
    // Events before an unreadable one are still judged; a decision that
    // wants events beyond them is not held against the log.
    for (size_t i = 0; i < events_.size();) {
      std::optional<size_t> used = step(i);
      if (!used) return;
      i += *used;
    }
    if (!unreadable.empty()) fail(events_.size(), "cannot be read: " + unreadable, "");
  }

 private:
  bool fail(size_t i, std::string message, std::optional<std::string> what = std::nullopt) {
    Violation v;
    v.transfer_id = id_;
    v.seq = i < seqs_.size() ? seqs_[i] : seqs_.back() + 1;
    v.event = what ? *what : (i < events_.size() ? describe_event(events_[i]) : "end of log");
    v.message = std::move(message);
    report_->violations.push_back(std::move(v));
    return false;
  }

  // Invariants stated in terms the reader of a report knows; false on a violation.
  bool invariants(size_t i) {
    const Event& e = events_[i];
    const TransferOpened& h = state_.header;
    if (state_.phase == TransferPhase::none && !std::holds_alternative<TransferOpened>(e.body))
      return fail(i, "the first event of a transfer must be TransferOpened");
    // The rules let an inbox confirm its notification after the transfer
    // finished (a small file completes before the inboxes answer); nothing
    // else may follow the end.
    if (state_.finished() && !std::holds_alternative<ReceiverNotified>(e.body))
      return fail(i, "event after the transfer finished (" + phase_name(state_.phase) + ")");
    if (auto* o = std::get_if<TransferOpened>(&e.body)) {
      if (state_.phase != TransferPhase::none) return fail(i, "TransferOpened a second time");
      if (o->transfer_id != id_)
        return fail(i, "TransferOpened names transfer " + std::to_string(o->transfer_id) +
                           " in the stream of transfer " + std::to_string(id_));
    } else if (auto* c = std::get_if<ChunkAppended>(&e.body)) {
      uint64_t end = c->offset + c->length;
      if (end > h.total_size || end < c->offset)
        return fail(i, "chunk ends at " + std::to_string(end) + ", past TS " +
                           std::to_string(h.total_size));
      if (options_.verify_chunks && !verify_crc(i, *c)) return false;
    } else if (auto* d = std::get_if<Delivered>(&e.body)) {
      if (state_.delivered())
        return fail(
            i, "Delivered a second time (first at seq " + std::to_string(delivered_seq_) + ")");
      if (d->offset < h.mts)
        return fail(i, "Delivered at offset " + std::to_string(d->offset) + ", below MTS " +
                           std::to_string(h.mts));
      if (d->offset != state_.acked)
        return fail(i, "Delivered at offset " + std::to_string(d->offset) +
                           " but the contiguous durable prefix is " + std::to_string(state_.acked) +
                           " (gap in the offsets)");
      std::string want = make_file_id(h.node, h.transfer_id);
      if (d->file_id != want)
        return fail(
            i, "file id \"" + d->file_id + "\" is not the transfer's stable id \"" + want + "\"");
      delivered_seq_ = seqs_[i];
    } else if (auto* n = std::get_if<ReceiverNotified>(&e.body)) {
      if (!state_.delivered()) return fail(i, "receiver notified before Delivered");
      if (std::find(h.receivers.begin(), h.receivers.end(), n->receiver) == h.receivers.end())
        return fail(i, "user " + std::to_string(n->receiver) + " is not a receiver");
      if (std::find(state_.notified.begin(), state_.notified.end(), n->receiver) !=
          state_.notified.end())
        return fail(i, "receiver " + std::to_string(n->receiver) + " notified a second time");
    } else if (auto* done = std::get_if<Completed>(&e.body)) {
      if (state_.acked != h.total_size)
        return fail(i, "Completed with the contiguous prefix at " + std::to_string(state_.acked) +
                           " of TS " + std::to_string(h.total_size));
      // The chunks' CRCs combined are the file's (they tile [0, TS), and
      // verify_chunks holds each chunk's bytes to its CRC). A Completed from
      // version 1 held a SHA-256 the decoded event does not keep: not checked.
      stored_crc_ = stored_crc32c();
      if (done->crc32c && *done->crc32c != stored_crc_)
        return fail(i, "Completed CRC-32C " + hex32(*done->crc32c) +
                           " does not match the stored chunks' " + hex32(stored_crc_));
    } else if (!std::holds_alternative<Aborted>(e.body) &&
               !std::holds_alternative<Expired>(e.body)) {
      return fail(i, "an inbox event in a transfer stream");
    }
    return true;
  }

  // Reads the transfer's stored bytes in as few reads as the chunk events
  // allow (one per run of touching chunks), so verifying costs one seek per
  // run rather than one per chunk. A run that cannot be read is left to the
  // per-chunk reads, which name the failing chunk.
  void prefetch() {
    std::vector<std::pair<uint64_t, uint64_t>> ranges;
    for (const Event& e : events_)
      if (auto* c = std::get_if<ChunkAppended>(&e.body))
        if (c->offset + c->length > c->offset)
          ranges.emplace_back(c->offset, c->offset + c->length);
    std::sort(ranges.begin(), ranges.end());
    std::vector<std::pair<uint64_t, uint64_t>> runs;
    for (const auto& r : ranges) {
      if (!runs.empty() && r.first <= runs.back().second)
        runs.back().second = std::max(runs.back().second, r.second);
      else
        runs.push_back(r);
    }
    for (const auto& [begin, end] : runs) {
      if (end - begin > kMaxPrefetch) continue;
      std::string bytes;
      if (log_.read_chunks(id_, begin, end - begin, &bytes).ok()) spans_[begin] = std::move(bytes);
    }
  }

  // Bytes [off, off + len) from the prefetched runs, if they hold them.
  bool prefetched(uint64_t off, uint64_t len, std::string_view* out) const {
    auto it = spans_.upper_bound(off);
    if (it == spans_.begin()) return false;
    --it;
    if (off + len > it->first + it->second.size()) return false;
    *out = std::string_view(it->second).substr(off - it->first, len);
    return true;
  }

  bool verify_crc(size_t i, const ChunkAppended& c) {
    std::string_view bytes;
    if (!prefetched(c.offset, c.length, &bytes)) {
      storage::Status s = log_.read_chunks(id_, c.offset, c.length, &buf_);
      if (!s.ok()) return fail(i, "stored bytes unreadable: " + s.to_string());
      bytes = buf_;
    }
    uint32_t crc = util::crc32c(bytes);
    if (crc != c.crc32c)
      return fail(i,
                  "stored bytes have CRC32C " + hex32(crc) + ", the event says " + hex32(c.crc32c));
    return true;
  }

  // CRC-32C of [0, TS) from the chunks' own CRCs; the caller has checked the
  // prefix reaches TS (chunks never overlap, so they tile it).
  uint32_t stored_crc32c() const {
    uint32_t crc = 0;
    for (const auto& [offset, chunk] : state_.chunks)
      crc = util::crc32c_combine(crc, chunk.crc32c, chunk.length);
    return crc;
  }

  // The command that must have produced event i.
  std::optional<TransferCommandBody> command_for(size_t i) {
    const Event& e = events_[i];
    const uint64_t sender = state_.header.sender;
    if (auto* o = std::get_if<TransferOpened>(&e.body)) return OpenTransfer{*o};
    if (auto* c = std::get_if<ChunkAppended>(&e.body))
      return AppendChunk{sender, c->offset, c->length, c->crc32c};
    if (auto* n = std::get_if<ReceiverNotified>(&e.body)) return MarkReceiverNotified{n->receiver};
    if (auto* d = std::get_if<Completed>(&e.body))
      return FinishTransfer{sender, d->crc32c.value_or(stored_crc_), stored_crc_};
    if (auto* a = std::get_if<Aborted>(&e.body)) return AbortTransfer{sender, a->reason};
    if (std::holds_alternative<Expired>(e.body)) return ExpireTransfer{};
    return std::nullopt;  // Delivered: only ever decided together with a chunk
  }

  // Checks event i (and what the rules decide with it); returns how many
  // events it accounted for, or nullopt on a violation.
  std::optional<size_t> step(size_t i) {
    if (!invariants(i)) return std::nullopt;
    std::optional<TransferCommandBody> cmd = command_for(i);
    if (!cmd) {
      fail(i,
           "the transfer rules never decide Delivered on its own: it must come with the "
           "chunk that takes the prefix to MTS");
      return std::nullopt;
    }
    TransferDecision d = decide(state_, TransferCommand{events_[i].time_ns, *cmd}, limits_);
    if (!d.reply.ok()) {
      fail(i, "the transfer rules refuse it: " + d.reply.error().to_string());
      return std::nullopt;
    }
    if (d.events.empty()) {
      fail(i, "repeats what is already stored; the rules record nothing for it");
      return std::nullopt;
    }
    for (size_t k = 0; k < d.events.size(); ++k) {
      size_t j = i + k;
      if (j > i && j < events_.size() && !invariants(j)) return std::nullopt;
      if (j >= events_.size() || !matches(events_[j].body, d.events[k].body)) {
        fail(j, "the transfer rules decide " + describe_event(d.events[k]) + " here",
             j < events_.size() ? describe_event(events_[j]) : "end of log");
        return std::nullopt;
      }
      apply_in_place(state_, events_[j]);
    }
    return d.events.size();
  }

  // A version-1 Completed keeps no CRC: it matches any Completed.
  static bool matches(const EventBody& logged, const EventBody& decided) {
    auto* c = std::get_if<Completed>(&logged);
    if (c != nullptr && !c->crc32c) return std::holds_alternative<Completed>(decided);
    return logged == decided;
  }

  static std::string hex32(uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "%08x", v);
    return b;
  }

  static constexpr uint64_t kMaxPrefetch = 256u << 20;

  storage::EventLog& log_;
  const uint64_t id_;
  const CheckOptions options_;
  CheckReport* report_;
  const TransferLimits limits_;
  std::vector<uint64_t> seqs_;
  std::vector<Event> events_;
  TransferState state_;
  uint64_t delivered_seq_ = 0;
  uint32_t stored_crc_ = 0;  // of the stored chunks, set at Completed
  std::string buf_;
  std::map<uint64_t, std::string> spans_;  // prefetched runs of stored bytes, by offset
};

}  // namespace

std::string Violation::to_string() const {
  return (stream == storage::StreamKind::inbox ? "inbox " : "transfer ") +
         std::to_string(transfer_id) + " seq " + std::to_string(seq) +
         (event.empty() ? "" : " (" + event + ")") + ": " + message;
}

void check_transfer(storage::EventLog& log, uint64_t transfer_id, const CheckOptions& options,
                    CheckReport* report) {
  TransferChecker(log, transfer_id, options, report).run();
}

void check_all(storage::EventLog& log, const CheckOptions& options, CheckReport* report) {
  std::vector<uint64_t> ids;
  storage::Status s =
      log.list_streams(storage::StreamKind::transfer, [&](storage::StreamId id, uint64_t) {
        ids.push_back(id.id);
        return true;
      });
  if (!s.ok()) report->errors.push_back("listing transfers: " + s.to_string());
  for (uint64_t id : ids) check_transfer(log, id, options, report);
  check_all_inboxes(log, report);
}

}  // namespace glimpse::sim
