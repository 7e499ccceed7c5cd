#pragma once
// The retention policy: when a finished stream leaves the log, and the sweep
// that applies it to an EventLog. No clock is read here: time comes in as
// `now_ns`.
//
// "Finished" and "last event time" are read from the events themselves,
// through the schema's union tag and timeNs (schema/events.capnp), which
// storage already parses. That keeps the layering one-way (no actors/ code,
// no decoder handed in by the caller) and needs no metadata record to keep in
// step with the events. A sweep costs one point read per stream; only a
// stream whose last event is old enough is read in full.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "storage/event_log.hpp"

namespace glimpse::storage {

struct RetentionPolicy {
  // A finished stream whose last event is at least this old is deleted.
  // Zero (or less) keeps every stream forever.
  std::chrono::nanoseconds max_age{0};
};

// What the policy looks at, read from one stream's events.
struct StreamSummary {
  StreamId stream;
  uint64_t next_seq = 0;      // number of events
  int64_t last_event_ns = 0;  // timeNs of the last event
  // transfer: the stream holds a Completed, Aborted or Expired event.
  // inbox: every NotificationQueued has its NotificationAcked (nothing is
  // waiting for the user), so deleting it loses nothing the user has not seen.
  bool finished = false;
};

// Whether `policy` lets `summary`'s stream go at `now_ns`: finished, and its
// last event at least max_age before `now_ns`. Pure.
bool past_retention(const RetentionPolicy& policy, const StreamSummary& summary, int64_t now_ns);

// Reads every event of `stream` into `*out`. corruption or newer_version if
// an event does not parse.
Status summarize_stream(EventLog& log, StreamId stream, StreamSummary* out);

struct RetentionReport {
  uint64_t streams_seen = 0;
  std::vector<StreamId> deleted;  // in the order deleted: transfers, then inboxes
  // Kept because an event arrived between the look and the delete (the
  // delete's expected next seq no longer matched); the next sweep looks again.
  uint64_t changed = 0;
  // Kept because an event does not parse (corruption, or a newer schema);
  // `first_unreadable` says which and why.
  uint64_t unreadable = 0;
  std::string first_unreadable;
};

// Deletes, with delete_stream(), every stream past_retention() lets go at
// `now_ns`, except the transfer stream with the largest id: the node seeds
// its next transfer id past the largest stored one on start, so keeping it
// means a deleted transfer's id (and file id) is never handed out again.
// Stops early, with ok, when `*stop` becomes true. Returns the first error
// that is not about one stream (the log failed). Blocks on reads and on each
// deletion's write: run it on a thread of its own, not an actor's or the RPC
// thread.
Status apply_retention(EventLog& log, const RetentionPolicy& policy, int64_t now_ns,
                       RetentionReport* report, const std::atomic<bool>* stop = nullptr);

}  // namespace glimpse::storage
