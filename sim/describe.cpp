#include "sim/describe.hpp"

#include <cstdio>


namespace glimpse::sim {

const char* event_name(const actors::Event& event) {
  static const char* const names[] = {
      "TransferOpened", "ChunkAppended", "Delivered",          "ReceiverNotified", "Completed",
      "Aborted",        "Expired",       "NotificationQueued", "NotificationAcked"};
  return names[event.body.index()];
}

std::string describe_event(const actors::Event& event) {
  using namespace actors;
  std::string out = event_name(event);
  auto add = [&](const std::string& k, const std::string& v) { out += " " + k + "=" + v; };
  if (auto* o = std::get_if<TransferOpened>(&event.body)) {
    add("ts", std::to_string(o->total_size));
    add("mts", std::to_string(o->mts));
    add("scans", std::to_string(o->scan_ends.size()));
    add("size", std::to_string(o->width) + "x" + std::to_string(o->height));
  } else if (auto* c = std::get_if<ChunkAppended>(&event.body)) {
    char crc[16];
    std::snprintf(crc, sizeof crc, "%08x", c->crc32c);
    add("offset", std::to_string(c->offset));
    add("length", std::to_string(c->length));
    add("crc32c", crc);
  } else if (auto* d = std::get_if<Delivered>(&event.body)) {
    add("file", d->file_id);
    add("offset", std::to_string(d->offset));
  } else if (auto* n = std::get_if<ReceiverNotified>(&event.body)) {
    add("receiver", std::to_string(n->receiver));
  } else if (auto* done = std::get_if<Completed>(&event.body)) {
    char crc[16];
    std::snprintf(crc, sizeof crc, "%08x", done->crc32c.value_or(0));
    add("crc32c", done->crc32c ? crc : "(version 1: a SHA-256, not kept)");
  } else if (auto* a = std::get_if<Aborted>(&event.body)) {
    add("reason", "\"" + a->reason + "\"");
  } else if (auto* q = std::get_if<NotificationQueued>(&event.body)) {
    add("file", q->file_id);
    add("transfer", std::to_string(q->transfer_id));
  } else if (auto* k = std::get_if<NotificationAcked>(&event.body)) {
    add("file", k->file_id);
  }
  return out;
}

std::string phase_name(actors::TransferPhase phase) {
  switch (phase) {
    case actors::TransferPhase::none:
      return "none";
    case actors::TransferPhase::open:
      return "open";
    case actors::TransferPhase::completed:
      return "completed";
    case actors::TransferPhase::aborted:
      return "aborted";
    case actors::TransferPhase::expired:
      return "expired";
  }
  return "unknown";
}

}  // namespace glimpse::sim
