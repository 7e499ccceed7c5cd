#include "actors/event_codec.hpp"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstring>

#include "schema/events.capnp.h"

namespace glimpse::actors {
namespace {

template <class ListBuilder, class Vec>
void fill_list(ListBuilder list, const Vec& v) {
  for (unsigned i = 0; i < v.size(); ++i) list.set(i, v[i]);
}

template <class ListReader>
std::vector<uint64_t> to_vector(ListReader list) {
  std::vector<uint64_t> out;
  out.reserve(list.size());
  for (auto x : list) out.push_back(x);
  return out;
}

RelayError bad(std::string message) {
  return RelayError{ErrorCode::storage_failure, "event log: " + std::move(message)};
}

void encode_body(schema::Event::Builder b, const EventBody& body) {
  std::visit(
      [&](const auto& e) {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, TransferOpened>) {
          auto o = b.initTransferOpened();
          o.setTransferId(e.transfer_id);
          o.setSender(e.sender);
          fill_list(o.initReceivers(e.receivers.size()), e.receivers);
          o.setIdempotencyKey(e.idempotency_key);
          o.setTotalSize(e.total_size);
          o.setMts(e.mts);
          o.setWidth(e.width);
          o.setHeight(e.height);
          fill_list(o.initScanEnds(e.scan_ends.size()), e.scan_ends);
          auto n = o.initNetwork();
          n.setType(static_cast<schema::NetworkType>(e.network.type));
          n.setSignal(e.network.signal);
          o.setNode(e.node);
        } else if constexpr (std::is_same_v<E, ChunkAppended>) {
          auto c = b.initChunkAppended();
          c.setOffset(e.offset);
          c.setLength(e.length);
          c.setCrc32c(e.crc32c);
        } else if constexpr (std::is_same_v<E, Delivered>) {
          auto d = b.initDelivered();
          d.setFileId(e.file_id);
          d.setOffset(e.offset);
        } else if constexpr (std::is_same_v<E, ReceiverNotified>) {
          b.initReceiverNotified().setReceiver(e.receiver);
        } else if constexpr (std::is_same_v<E, Completed>) {
          auto c = b.initCompleted();
          if (e.crc32c)
            c.setCrc32c(*e.crc32c);
          else
            c.initSha256(0);  // from a version-1 event; its SHA-256 was not kept
        } else if constexpr (std::is_same_v<E, Aborted>) {
          b.initAborted().setReason(e.reason);
        } else if constexpr (std::is_same_v<E, Expired>) {
          b.setExpired();
        } else if constexpr (std::is_same_v<E, NotificationQueued>) {
          auto q = b.initNotificationQueued();
          q.setFileId(e.file_id);
          q.setTransferId(e.transfer_id);
          q.setSender(e.sender);
          q.setTotalSize(e.total_size);
          q.setMts(e.mts);
          q.setWidth(e.width);
          q.setHeight(e.height);
          q.setDeliveredNs(e.delivered_ns);
        } else if constexpr (std::is_same_v<E, NotificationAcked>) {
          b.initNotificationAcked().setFileId(e.file_id);
        }
      },
      body);
}

Expected<Event> decode_reader(schema::Event::Reader r) {
  if (r.getVersion() > schema::CURRENT_EVENT_VERSION)
    return bad("event written by schema version " + std::to_string(r.getVersion()) +
               ", but this build knows versions up to " +
               std::to_string(schema::CURRENT_EVENT_VERSION) + "; run a newer glimpsed");
  Event out;
  out.time_ns = r.getTimeNs();
  switch (r.which()) {
    case schema::Event::TRANSFER_OPENED: {
      auto o = r.getTransferOpened();
      TransferOpened e;
      e.transfer_id = o.getTransferId();
      e.sender = o.getSender();
      e.receivers = to_vector(o.getReceivers());
      e.idempotency_key = o.getIdempotencyKey();
      e.total_size = o.getTotalSize();
      e.mts = o.getMts();
      e.width = o.getWidth();
      e.height = o.getHeight();
      e.scan_ends = to_vector(o.getScanEnds());
      auto type = static_cast<uint16_t>(o.getNetwork().getType());
      if (type > static_cast<uint16_t>(NetworkType::g2))
        return bad("unknown network type " + std::to_string(type));
      e.network = NetworkReport{static_cast<NetworkType>(type), o.getNetwork().getSignal()};
      e.node = o.getNode();
      out.body = std::move(e);
      break;
    }
    case schema::Event::CHUNK_APPENDED: {
      auto c = r.getChunkAppended();
      out.body = ChunkAppended{c.getOffset(), c.getLength(), c.getCrc32c()};
      break;
    }
    case schema::Event::DELIVERED: {
      auto d = r.getDelivered();
      out.body = Delivered{d.getFileId(), d.getOffset()};
      break;
    }
    case schema::Event::RECEIVER_NOTIFIED:
      out.body = ReceiverNotified{r.getReceiverNotified().getReceiver()};
      break;
    case schema::Event::COMPLETED: {
      auto c = r.getCompleted();
      Completed e;
      if (!c.hasSha256()) e.crc32c = c.getCrc32c();  // else a version-1 event
      out.body = e;
      break;
    }
    case schema::Event::ABORTED:
      out.body = Aborted{r.getAborted().getReason()};
      break;
    case schema::Event::EXPIRED:
      out.body = Expired{};
      break;
    case schema::Event::NOTIFICATION_QUEUED: {
      auto q = r.getNotificationQueued();
      out.body = NotificationQueued{q.getFileId(), q.getTransferId(), q.getSender(),
                                    q.getTotalSize(), q.getMts(), q.getWidth(), q.getHeight(),
                                    q.getDeliveredNs()};
      break;
    }
    case schema::Event::NOTIFICATION_ACKED:
      out.body = NotificationAcked{r.getNotificationAcked().getFileId()};
      break;
    default:
      return bad("unknown event kind " + std::to_string(static_cast<int>(r.which())) +
                 " at a known version; the log is corrupt");
  }
  return out;
}

}  // namespace

std::string encode_event(const Event& event) {
  capnp::MallocMessageBuilder message;
  auto b = message.initRoot<schema::Event>();
  b.setVersion(schema::CURRENT_EVENT_VERSION);
  b.setTimeNs(event.time_ns);
  encode_body(b, event.body);
  auto words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

Expected<Event> decode_event(std::string_view bytes) {
  if (bytes.empty() || bytes.size() % sizeof(capnp::word) != 0)
    return bad("event of " + std::to_string(bytes.size()) + " bytes is not a Cap'n Proto message");
  kj::Array<capnp::word> words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  std::memcpy(words.begin(), bytes.data(), bytes.size());
  try {
    capnp::FlatArrayMessageReader reader(words);
    return decode_reader(reader.getRoot<schema::Event>());
  } catch (const kj::Exception& e) {
    return bad(std::string("malformed event: ") + e.getDescription().cStr());
  }
}

}  // namespace glimpse::actors
