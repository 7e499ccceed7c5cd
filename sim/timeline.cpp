#include "sim/timeline.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "actors/event_codec.hpp"
#include "sim/describe.hpp"

namespace glimpse::sim {
namespace {

int scans_within(const std::vector<uint64_t>& scan_ends, uint64_t prefix) {
  return static_cast<int>(std::upper_bound(scan_ends.begin(), scan_ends.end(), prefix) -
                          scan_ends.begin());
}

std::string ms_or_dash(const std::optional<double>& ms) {
  if (!ms) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.1f ms", *ms);
  return b;
}

}  // namespace

bool load_timeline(storage::EventLog& log, uint64_t transfer_id, Timeline* out,
                   std::string* error) {
  Timeline t;
  t.transfer_id = transfer_id;
  std::string failure;
  int64_t origin = 0;
  int previous_scans = 0;
  storage::Status s = log.replay({storage::StreamKind::transfer, transfer_id}, 0,
                                 [&](uint64_t seq, std::string_view bytes) {
                                   actors::Expected<actors::Event> e = actors::decode_event(bytes);
                                   if (!e.ok()) {
                                     failure = "transfer " + std::to_string(transfer_id) + " seq " +
                                               std::to_string(seq) + ": " + e.error().message;
                                     return false;
                                   }
                                   if (t.rows.empty()) origin = e->time_ns;
                                   actors::apply_in_place(t.state, *e);
                                   TimelineRow row;
                                   row.seq = seq;
                                   row.time_ns = e->time_ns;
                                   row.rel_ms = static_cast<double>(e->time_ns - origin) / 1e6;
                                   row.prefix = t.state.acked;
                                   row.scans = scans_within(t.state.header.scan_ends, row.prefix);
                                   row.scan_completed = row.scans > previous_scans;
                                   previous_scans = row.scans;
                                   row.event = std::move(*e);
                                   t.rows.push_back(std::move(row));
                                   return true;
                                 });
  t.header = t.state.header;
  *out = std::move(t);
  if (!s.ok()) {
    *error = "reading transfer " + std::to_string(transfer_id) + ": " + s.to_string();
    return false;
  }
  if (!failure.empty()) {
    *error = failure;
    return false;
  }
  if (out->rows.empty()) {
    *error = "no transfer " + std::to_string(transfer_id) +
             " in this log (`glimpse-sim list` shows the transfers it holds)";
    return false;
  }
  return true;
}

std::string format_row(const Timeline& t, const TimelineRow& row) {
  const uint64_t ts = t.header.total_size;
  double pct = ts ? 100.0 * static_cast<double>(row.prefix) / static_cast<double>(ts) : 0;
  std::string detail = describe_event(row.event);
  std::string name = event_name(row.event);
  detail = detail.size() > name.size() ? detail.substr(name.size() + 1) : "";
  char b[512];
  std::snprintf(b, sizeof b, "%+12.3f ms  %-17s %-44s prefix=%-9llu %5.1f%% of TS  scan %d/%zu%s",
                row.rel_ms, name.c_str(), detail.c_str(),
                static_cast<unsigned long long>(row.prefix), pct, row.scans,
                t.header.scan_ends.size(), row.scan_completed ? " *" : "");
  return b;
}

TransferSummary summarize(const Timeline& t) {
  TransferSummary s;
  s.transfer_id = t.transfer_id;
  s.sender = t.header.sender;
  s.receivers = t.header.receivers;
  s.phase = phase_name(t.state.phase);
  s.total_size = t.header.total_size;
  s.mts = t.header.mts;
  s.prefix = t.state.acked;
  s.events = t.rows.size();
  if (!t.rows.empty()) s.opened_ns = t.rows.front().time_ns;
  for (const TimelineRow& r : t.rows) {
    double ms = static_cast<double>(r.time_ns - s.opened_ns) / 1e6;
    if (std::holds_alternative<actors::Delivered>(r.event.body) && !s.delivered_ms)
      s.delivered_ms = ms;
    if (std::holds_alternative<actors::Completed>(r.event.body)) s.completed_ms = ms;
  }
  return s;
}

std::string format_summaries(const std::vector<TransferSummary>& rows) {
  std::string out;
  char b[512];
  std::snprintf(b, sizeof b, "%-20s %-20s %-9s %-20s %10s %10s %10s %6s %14s %14s\n", "transfer",
                "opened (UTC)", "state", "sender -> receivers", "TS", "MTS", "stored", "events",
                "to Delivered", "to Completed");
  out += b;
  for (const TransferSummary& s : rows) {
    char when[32] = "-";
    time_t secs = static_cast<time_t>(s.opened_ns / 1'000'000'000);
    struct tm tm_utc;
    if (gmtime_r(&secs, &tm_utc)) std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm_utc);
    std::string who = std::to_string(s.sender) + " ->";
    for (size_t i = 0; i < s.receivers.size() && i < 3; ++i)
      who += " " + std::to_string(s.receivers[i]);
    if (s.receivers.size() > 3) who += " +" + std::to_string(s.receivers.size() - 3);
    std::snprintf(b, sizeof b, "%-20llu %-20s %-9s %-20s %10llu %10llu %10llu %6llu %14s %14s\n",
                  static_cast<unsigned long long>(s.transfer_id), when, s.phase.c_str(),
                  who.c_str(), static_cast<unsigned long long>(s.total_size),
                  static_cast<unsigned long long>(s.mts), static_cast<unsigned long long>(s.prefix),
                  static_cast<unsigned long long>(s.events), ms_or_dash(s.delivered_ms).c_str(),
                  ms_or_dash(s.completed_ms).c_str());
    out += b;
  }
  return out;
}

bool parse_time(const std::string& text, int64_t* unix_ns) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
    if (text.size() > 12) return false;
    *unix_ns = static_cast<int64_t>(std::stoll(text)) * 1'000'000'000;
    return true;
  }
  struct tm tm_utc = {};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm_utc);
  if (!end || !(*end == '\0' || (end[0] == 'Z' && end[1] == '\0'))) {
    tm_utc = {};
    end = strptime(text.c_str(), "%Y-%m-%d", &tm_utc);
    if (!end || *end != '\0') return false;
  }
  *unix_ns = static_cast<int64_t>(timegm(&tm_utc)) * 1'000'000'000;
  return true;
}

}  // namespace glimpse::sim
