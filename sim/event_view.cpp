#include "sim/event_view.hpp"

#include <cstring>

namespace glimpse::sim {

bool EventView::parse(std::string_view bytes, std::string* error) {
  if (bytes.size() % sizeof(capnp::word) != 0 || bytes.empty()) {
    *error = "event is " + std::to_string(bytes.size()) + " bytes, not a whole message";
    return false;
  }
  kj::ArrayPtr<const capnp::word> words;
  size_t n = bytes.size() / sizeof(capnp::word);
  if (reinterpret_cast<uintptr_t>(bytes.data()) % alignof(capnp::word) == 0) {
    words = kj::arrayPtr(reinterpret_cast<const capnp::word*>(bytes.data()), n);
  } else {
    if (copy_.size() < n) copy_ = kj::heapArray<capnp::word>(n);
    std::memcpy(copy_.begin(), bytes.data(), bytes.size());
    words = copy_.slice(0, n);
  }
  try {
    reader_ = std::make_unique<capnp::FlatArrayMessageReader>(words);
    root_ = reader_->getRoot<schema::Event>();
    (void)root_.which();
  } catch (const kj::Exception& e) {
    *error = std::string("event does not parse: ") + e.getDescription().cStr();
    return false;
  }
  return true;
}

std::string event_kind_name(schema::Event::Reader event) {
  switch (event.which()) {
    case schema::Event::TRANSFER_OPENED:
      return "TransferOpened";
    case schema::Event::CHUNK_APPENDED:
      return "ChunkAppended";
    case schema::Event::DELIVERED:
      return "Delivered";
    case schema::Event::RECEIVER_NOTIFIED:
      return "ReceiverNotified";
    case schema::Event::COMPLETED:
      return "Completed";
    case schema::Event::ABORTED:
      return "Aborted";
    case schema::Event::EXPIRED:
      return "Expired";
    case schema::Event::NOTIFICATION_QUEUED:
      return "NotificationQueued";
    case schema::Event::NOTIFICATION_ACKED:
      return "NotificationAcked";
  }
  return "unknown(" + std::to_string(static_cast<int>(event.which())) + ")";
}

std::string stream_name(storage::StreamId stream) {
  return (stream.kind == storage::StreamKind::inbox ? "inbox " : "transfer ") +
         std::to_string(stream.id);
}

}  // namespace glimpse::sim
