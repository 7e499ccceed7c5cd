#include "sim/synthetic_log.hpp"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include "actors/transfer.hpp"
#include "schema/events.capnp.h"
#include "util/crc32c.hpp"

namespace glimpse::sim::synth {
namespace {

template <class Fill>
std::string build(Stamp stamp, Fill fill) {
  capnp::MallocMessageBuilder m;
  auto e = m.initRoot<schema::Event>();
  e.setVersion(stamp.version ? stamp.version : schema::CURRENT_EVENT_VERSION);
  e.setTimeNs(stamp.time_ns);
  fill(e);
  auto words = capnp::messageToFlatArray(m);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

}  // namespace

std::string transfer_opened(const OpenSpec& spec, Stamp stamp) {
  return build(stamp, [&](schema::Event::Builder e) {
    auto o = e.initTransferOpened();
    o.setTransferId(spec.transfer_id);
    o.setSender(spec.sender);
    auto r = o.initReceivers(static_cast<unsigned>(spec.receivers.size()));
    for (size_t i = 0; i < spec.receivers.size(); ++i) r.set(i, spec.receivers[i]);
    o.setIdempotencyKey(spec.idempotency_key);
    o.setTotalSize(spec.total_size);
    o.setMts(spec.mts);
    o.setWidth(spec.width);
    o.setHeight(spec.height);
    auto s = o.initScanEnds(static_cast<unsigned>(spec.scan_ends.size()));
    for (size_t i = 0; i < spec.scan_ends.size(); ++i) s.set(i, spec.scan_ends[i]);
    o.initNetwork().setType(schema::NetworkType::G3);
    o.setNode(spec.node);
  });
}

std::string chunk_appended(uint64_t offset, uint32_t length, uint32_t crc32c, Stamp stamp) {
  return build(stamp, [&](schema::Event::Builder e) {
    auto c = e.initChunkAppended();
    c.setOffset(offset);
    c.setLength(length);
    c.setCrc32c(crc32c);
  });
}

std::string delivered(const std::string& file_id, uint64_t offset, Stamp stamp) {
  return build(stamp, [&](schema::Event::Builder e) {
    auto d = e.initDelivered();
    d.setFileId(file_id);
    d.setOffset(offset);
  });
}

std::string receiver_notified(uint64_t receiver, Stamp stamp) {
  return build(stamp,
               [&](schema::Event::Builder e) { e.initReceiverNotified().setReceiver(receiver); });
}

std::string completed(uint32_t crc32c, Stamp stamp) {
  return build(stamp, [&](schema::Event::Builder e) { e.initCompleted().setCrc32c(crc32c); });
}

std::string aborted(const std::string& reason, Stamp stamp) {
  return build(stamp, [&](schema::Event::Builder e) { e.initAborted().setReason(reason); });
}

std::string expired(Stamp stamp) {
  return build(stamp, [&](schema::Event::Builder e) { e.setExpired(); });
}

std::string notification_queued(const std::string& file_id, uint64_t transfer_id, uint64_t sender,
                                Stamp stamp) {
  return build(stamp, [&](schema::Event::Builder e) {
    auto q = e.initNotificationQueued();
    q.setFileId(file_id);
    q.setTransferId(transfer_id);
    q.setSender(sender);
  });
}

std::string notification_acked(const std::string& file_id, Stamp stamp) {
  return build(stamp,
               [&](schema::Event::Builder e) { e.initNotificationAcked().setFileId(file_id); });
}

std::string file_id_for(uint16_t node, uint64_t transfer_id) {
  return actors::make_file_id(node, transfer_id);
}

storage::Status append_event(storage::EventLog& log, storage::StreamId stream, std::string event,
                             std::vector<storage::ChunkPut> chunks) {
  storage::AppendRequest req;
  req.stream = stream;
  storage::Status s = log.next_seq(stream, &req.expected_seq);
  if (!s.ok()) return s;
  req.events.push_back(std::move(event));
  req.chunks = std::move(chunks);
  return log.append_and_wait(std::move(req));
}

storage::Status write_transfer(storage::EventLog& log, OpenSpec spec, const std::string& file,
                               uint64_t chunk_bytes, int64_t start_ns, int64_t step_ns) {
  spec.total_size = file.size();
  if (spec.scan_ends.empty()) spec.scan_ends = {spec.total_size};
  if (spec.mts == 0) spec.mts = spec.scan_ends.front();
  storage::StreamId stream{storage::StreamKind::transfer, spec.transfer_id};
  int64_t t = start_ns;
  auto next = [&] {
    Stamp s{t, 0};
    t += step_ns;
    return s;
  };
  storage::Status s = append_event(log, stream, transfer_opened(spec, next()));
  bool delivered_yet = false;
  for (uint64_t off = 0; s.ok() && off < file.size(); off += chunk_bytes) {
    std::string bytes = file.substr(off, chunk_bytes);
    uint32_t len = static_cast<uint32_t>(bytes.size());
    std::string ev = chunk_appended(off, len, util::crc32c(bytes), next());
    s = append_event(log, stream, std::move(ev), {{off, std::move(bytes)}});
    if (s.ok() && !delivered_yet && off + len >= spec.mts) {
      delivered_yet = true;
      s = append_event(log, stream,
                       delivered(file_id_for(spec.node, spec.transfer_id), off + len, next()));
      for (uint64_t r : spec.receivers) {
        if (s.ok()) s = append_event(log, stream, receiver_notified(r, next()));
      }
    }
  }
  if (s.ok()) {
    s = append_event(log, stream, completed(util::crc32c(file), next()));
  }
  return s;
}

}  // namespace glimpse::sim::synth
