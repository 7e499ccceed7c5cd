#include "storage/retention.hpp"

#include <set>
#include <utility>

#include "storage/event_codec.hpp"

namespace glimpse::storage {
namespace {

bool is_stream_error(Code code) { return code == Code::corruption || code == Code::newer_version; }

// timeNs of the stream's event `seq`; *found is false if there is none.
Status event_time(EventLog& log, StreamId stream, uint64_t seq, int64_t* time_ns, bool* found) {
  Status parsed;
  *found = false;
  Status s = log.replay(stream, seq, [&](uint64_t, std::string_view bytes) {
    EventHeader header;
    parsed = parse_event_header(bytes, Code::corruption, &header);
    *time_ns = header.time_ns;
    *found = parsed.ok();
    return false;
  });
  return s.ok() ? parsed : s;
}

}  // namespace

bool past_retention(const RetentionPolicy& policy, const StreamSummary& summary, int64_t now_ns) {
  const int64_t max_age = policy.max_age.count();
  if (max_age <= 0 || !summary.finished || summary.next_seq == 0) return false;
  int64_t cutoff = 0;  // now - max_age, if representable
  if (__builtin_sub_overflow(now_ns, max_age, &cutoff)) return false;
  return summary.last_event_ns <= cutoff;
}

Status summarize_stream(EventLog& log, StreamId stream, StreamSummary* out) {
  StreamSummary summary;
  summary.stream = stream;
  bool terminal = false;
  std::set<std::string> waiting;  // inbox: queued, not yet acked
  Status bad;
  Status s = log.replay(stream, 0, [&](uint64_t seq, std::string_view bytes) {
    bad = read_event(bytes, Code::corruption, [&](schema::Event::Reader e) {
      summary.last_event_ns = e.getTimeNs();
      switch (e.which()) {
        case schema::Event::COMPLETED:
        case schema::Event::ABORTED:
        case schema::Event::EXPIRED:
          terminal = true;
          break;
        case schema::Event::NOTIFICATION_QUEUED:
          waiting.insert(e.getNotificationQueued().getFileId());
          break;
        case schema::Event::NOTIFICATION_ACKED:
          waiting.erase(e.getNotificationAcked().getFileId());
          break;
        default:
          break;
      }
    });
    if (!bad.ok()) {
      bad = Status(bad.code(),
                   stream_name(stream) + " seq " + std::to_string(seq) + ": " + bad.message());
      return false;
    }
    summary.next_seq = seq + 1;
    return true;
  });
  if (!s.ok()) return s;
  if (!bad.ok()) return bad;
  summary.finished = stream.kind == StreamKind::transfer ? terminal : waiting.empty();
  *out = std::move(summary);
  return Status();
}

Status apply_retention(EventLog& log, const RetentionPolicy& policy, int64_t now_ns,
                       RetentionReport* report, const std::atomic<bool>* stop) {
  if (policy.max_age.count() <= 0) return Status();
  auto stopped = [stop] { return stop != nullptr && stop->load(); };
  auto unreadable = [report](const Status& s) {
    if (report->unreadable++ == 0) report->first_unreadable = s.to_string();
  };
  for (StreamKind kind : {StreamKind::transfer, StreamKind::inbox}) {
    std::vector<std::pair<StreamId, uint64_t>> streams;
    Status s = log.list_streams(kind, [&](StreamId id, uint64_t next) {
      streams.emplace_back(id, next);
      return true;
    });
    if (!s.ok()) return s;
    if (kind == StreamKind::transfer && !streams.empty()) streams.pop_back();  // the largest id
    for (const auto& [stream, next] : streams) {
      if (stopped()) return Status();
      ++report->streams_seen;
      // Cheap first look: the last event's time alone rules most streams out.
      int64_t last_ns = 0;
      bool found = false;
      s = event_time(log, stream, next - 1, &last_ns, &found);
      if (is_stream_error(s.code())) {
        unreadable(s);
        continue;
      }
      if (!s.ok()) return s;
      StreamSummary probe;
      probe.stream = stream;
      probe.next_seq = next;
      probe.last_event_ns = last_ns;
      probe.finished = true;
      if (!found || !past_retention(policy, probe, now_ns)) continue;
      StreamSummary summary;
      s = summarize_stream(log, stream, &summary);
      if (is_stream_error(s.code())) {
        unreadable(s);
        continue;
      }
      if (!s.ok()) return s;
      if (!past_retention(policy, summary, now_ns)) continue;
      s = log.delete_stream(stream, summary.next_seq);
      if (s.code() == Code::conflict) {
        ++report->changed;
        continue;
      }
      if (!s.ok()) return s;
      report->deleted.push_back(stream);
    }
  }
  return Status();
}

}  // namespace glimpse::storage
