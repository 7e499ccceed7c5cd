#include "client/sender.hpp"

#include <algorithm>

#include <kj/common.h>

#include "util/crc32c.hpp"
#include "util/hex.hpp"
#include "util/sha256.hpp"

namespace glimpse::client {
namespace {

// Receives the node's progress calls; forwards each to the observer once,
// until detach(): the node may hold this callback, and call it, after
// send_photo() returned or threw, when the observer's captures are gone.
class SendCallbackImpl final : public rpc::SendCallback::Server {
 public:
  explicit SendCallbackImpl(SendObserver observer) : observer_(std::move(observer)) {}

  void detach() { detached_ = true; }
  const std::string& delivered_id() const { return delivered_; }

  kj::Promise<void> acked(AckedContext context) override {
    note_acked(context.getParams().getOffset());
    return kj::READY_NOW;
  }

  kj::Promise<void> delivered(DeliveredContext context) override {
    note_acked(context.getParams().getOffset());  // may run ahead of `acked`
    announce(context.getParams().getFileId());
    return kj::READY_NOW;
  }

  void note_acked(uint64_t offset) {
    if (detached_ || offset <= acked_) return;
    acked_ = offset;
    if (observer_.on_acked) observer_.on_acked(offset);
  }

  void announce(kj::StringPtr file_id) {
    if (detached_ || !delivered_.empty() || file_id.size() == 0) return;
    delivered_ = file_id.cStr();
    if (observer_.on_delivered) observer_.on_delivered(delivered_);
  }

 private:
  SendObserver observer_;
  std::string delivered_;
  uint64_t acked_ = 0;
  bool detached_ = false;
};

kj::Promise<void> pump(Connection& connection, rpc::Upload::Client upload,
                       const SendRequest& request, uint64_t offset) {
  if (offset >= request.jpeg.size()) return kj::READY_NOW;
  size_t n = std::min<uint64_t>(request.chunk_bytes, request.jpeg.size() - offset);
  auto req = upload.writeRequest();
  req.setOffset(offset);
  req.setBytes(kj::arrayPtr(reinterpret_cast<const kj::byte*>(request.jpeg.data()) + offset, n));
  kj::Promise<void> sent = req.send();
  if (request.rate_bytes_per_s > 0) {
    uint64_t ns = n * 1000000000ull / request.rate_bytes_per_s;
    sent = sent.then([&connection, ns]() { return connection.timer().afterDelay(ns * kj::NANOSECONDS); });
  }
  return sent.then([&connection, upload = kj::mv(upload), &request, offset, n]() mutable {
    return pump(connection, kj::mv(upload), request, offset + n);
  });
}

}  // namespace

void fill_header(const SendRequest& request, rpc::SendHeader::Builder header) {
  // In ascending order, as idempotency_key() takes them: the same people in
  // another order are the same transfer.
  std::vector<uint64_t> sorted = request.receivers;
  std::sort(sorted.begin(), sorted.end());
  auto receivers = header.initReceivers(sorted.size());
  for (size_t i = 0; i < sorted.size(); ++i) receivers.set(i, sorted[i]);
  header.setTotalSize(request.jpeg.size());
  header.setMts(request.mts);
  header.setWidth(request.width);
  header.setHeight(request.height);
  auto ends = header.initScanEnds(request.scan_ends.size());
  for (size_t i = 0; i < request.scan_ends.size(); ++i) ends.set(i, request.scan_ends[i]);
  auto network = header.initNetwork();
  network.setType(static_cast<schema::NetworkType>(request.network.type));
  network.setSignal(static_cast<uint8_t>(request.network.signal));
  header.setIdempotencyKey(request.idempotency_key);
}

std::string send_photo(Connection& connection, rpc::Session::Client session,
                       const SendRequest& request, const SendObserver& observer) {
  auto callback_owned = kj::heap<SendCallbackImpl>(observer);
  SendCallbackImpl& callback = *callback_owned;
  // Holding a reference keeps `callback` alive for this whole function.
  rpc::SendCallback::Client callback_ref = kj::mv(callback_owned);
  KJ_DEFER(callback.detach());
  auto req = session.sendRequest();
  fill_header(request, req.initHeader());
  req.setCallback(callback_ref);
  auto reply = req.send().wait(connection.wait_scope());
  uint64_t from = reply.getAckedOffset();
  if (observer.on_open) observer.on_open(reply.getTransferId(), from);
  if (observer.on_acked && from > 0) observer.on_acked(from);
  callback.announce(reply.getFileId());
  rpc::Upload::Client upload = reply.getUpload();
  if (reply.getCompleted()) return callback.delivered_id();

  pump(connection, upload, request, from).wait(connection.wait_scope());
  auto done = upload.doneRequest();
  done.setCrc32c(util::crc32c(request.jpeg));
  auto finished = done.send().wait(connection.wait_scope());
  callback.announce(finished.getFileId());
  if (observer.on_acked) observer.on_acked(request.jpeg.size());
  return finished.getFileId().cStr();
}

std::string idempotency_key(std::string_view photo, std::vector<uint64_t> receivers,
                            std::string_view variant) {
  std::sort(receivers.begin(), receivers.end());
  receivers.erase(std::unique(receivers.begin(), receivers.end()), receivers.end());
  util::Sha256 h;
  h.update(photo);
  for (uint64_t r : receivers) h.update("|" + std::to_string(r));
  if (!variant.empty()) {
    h.update("#");
    h.update(variant);
  }
  return util::to_hex(h.finish());
}

}  // namespace glimpse::client
