#pragma once
// What the relay's actors share: the log, the configuration, the listener
// registries, and the conversions between storage and relay vocabularies.
// Internal to actors/.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "actors/event_codec.hpp"
#include "actors/listeners.hpp"
#include "actors/relay.hpp"
#include "storage/event_log.hpp"

namespace glimpse::actors {

// Owned (via shared_ptr) by Relay and every actor; immutable after
// construction except the registries, which are thread-safe.
struct Shared {
  storage::EventLog* log = nullptr;  // outlives the actors (Relay's contract)
  RelayConfig config;
  std::shared_ptr<Registry<Notification>> inbox_listeners =
      std::make_shared<Registry<Notification>>();
  std::shared_ptr<Registry<Expected<FileProgress>>> file_watchers =
      std::make_shared<Registry<Expected<FileProgress>>>();

  int64_t now_ns() const { return config.now_ns(); }
};

// What a subscriber is told of a queued notification, with `available`
// durable bytes.
inline Notification notification_of(const NotificationQueued& n, uint64_t available) {
  return Notification{n.file_id, n.transfer_id, n.sender,  n.total_size,  n.mts,
                      n.width,   n.height,      available, n.delivered_ns};
}

inline RelayError storage_error(const storage::Status& s, const std::string& what) {
  return RelayError{ErrorCode::storage_failure,
                    what + ": " + s.to_string() + "; nothing was acknowledged, retry"};
}

inline void put_be64(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

inline uint64_t get_be64(std::string_view in) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < in.size(); ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

// Index keys written with TransferOpened (see storage/FORMAT.md for the column family).
// "idem/<sender BE64>/<key>" -> transfer id (BE64)
inline std::string idempotency_index_key(uint64_t sender, const std::string& key) {
  std::string k = "idem/";
  put_be64(k, sender);
  k += '/';
  k += key;
  return k;
}
// "recv/<receiver BE64>/<transfer id BE64>" -> "" (receiver -> transfers)
inline std::string receiver_index_key(uint64_t receiver, uint64_t transfer_id) {
  std::string k = "recv/";
  put_be64(k, receiver);
  k += '/';
  put_be64(k, transfer_id);
  return k;
}

inline storage::StreamId transfer_stream(uint64_t id) {
  return storage::StreamId{storage::StreamKind::transfer, id};
}
inline storage::StreamId inbox_stream(uint64_t user) {
  return storage::StreamId{storage::StreamKind::inbox, user};
}

// Recovers an entity: folds every event of `stream` into `*state` with
// apply_in_place and sets `*next_seq` past the last one. Returns the error that
// stopped the replay (the log failed, or an event does not decode), if any;
// `what` names the entity in that error.
template <class State>
std::optional<RelayError> replay_into(storage::EventLog& log, storage::StreamId stream,
                                      State* state, uint64_t* next_seq, const std::string& what) {
  std::optional<RelayError> decode_error;
  storage::Status s = log.replay(stream, 0, [&](uint64_t seq, std::string_view bytes) {
    Expected<Event> e = decode_event(bytes);
    if (!e) {
      decode_error = e.error();
      return false;
    }
    apply_in_place(*state, *e);
    *next_seq = seq + 1;
    return true;
  });
  if (!s.ok()) return storage_error(s, "cannot recover " + what);
  return decode_error;
}

}  // namespace glimpse::actors
