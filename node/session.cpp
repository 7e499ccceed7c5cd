// Gateway (login), Session and Upload: the sending side of the client RPC.
#include <ctime>

#include "util/crc32c.hpp"
#include "util/token.hpp"
#include "node/log.hpp"
#include "node/message_stream.hpp"
#include "node/service.hpp"

namespace glimpse::node {
namespace {

using actors::Expected;
using actors::TransferStatus;

// One open (or resumed) transfer of one sender. Reports durable progress to
// the sender's SendCallback; never reports an offset twice.
class UploadImpl final : public rpc::Upload::Server, public kj::TaskSet::ErrorHandler {
 public:
  UploadImpl(ServiceContext& context, kj::Own<ConnectionState> connection, uint64_t sender,
             const TransferStatus& status, rpc::SendCallback::Client callback)
      : context_(context),
        connection_(kj::mv(connection)),
        sender_(sender),
        transfer_id_(status.transfer_id),
        acked_(status.acked),
        next_ack_at_(context.timer->now() + context.options.ack_interval_ms * kj::MILLISECONDS),
        file_id_(status.file_id),
        callback_(kj::mv(callback)),
        tasks_(*this),
        appends_(*this) {}
  // Appends still in flight are cancelled with appends_: their bytes leave
  // the connection's window here.
  ~UploadImpl() noexcept(false) { connection_->upload_in_flight_bytes -= in_flight_bytes_; }

  kj::Promise<void> write(WriteContext call) override {
    context_.bridge->run_urgent();  // receivers first: this loop may be busy for a while
    KJ_IF_MAYBE(e, failed_) { return kj::cp(*e); }
    auto params = call.getParams();
    uint64_t offset = params.getOffset();
    auto data = params.getBytes();
    if (data.size() == 0)
      return fail(refusal("invalid_argument", "empty write at offset " + std::to_string(offset) +
                                                  ": every write must carry at least one byte"));
    if (data.size() > context_.options.max_chunk_bytes)
      return fail(refusal("limit_exceeded",
                          "a write of " + std::to_string(data.size()) + " bytes is over this node's limit of " +
                              std::to_string(context_.options.max_chunk_bytes) + "; write smaller chunks"));
    if (offset == 0 && (data.size() < 2 || data[0] != 0xFF || data[1] != 0xD8))
      return fail(refusal("invalid_argument",
                          "the payload is not a JPEG (no SOI marker at offset 0); send the "
                          "progressive JPEG that `glimpse send` prepares"));
    log_debug("transfer %llu: write [%llu, +%zu)", ull(transfer_id_), ull(offset), data.size());
    in_flight_bytes_ += data.size();
    connection_->upload_in_flight_bytes += data.size();
    // The bytes go on inside the received message where they can (no copy).
    auto shared = BufferedMessageStream::share(data);
    util::SharedBytes bytes =
        shared ? *std::move(shared)
               : util::SharedBytes(
                     std::string(reinterpret_cast<const char*>(data.begin()), data.size()));
    // The CRC now, while the bytes are in this core's cache: the transfer
    // actor would read them back from memory.
    const uint32_t crc = util::crc32c(bytes.view());
    pending_.push_back(actors::ChunkBytes{offset, std::move(bytes), crc});
    // Flow control: up to upload_window_bytes, across the connection's
    // uploads, may wait for durability while the sender keeps writing (so one
    // fsync serves many chunks); beyond it, this write returns only once
    // durable (replies come in order, so all earlier ones are too). A refusal
    // lands in failed_ either way.
    kj::Promise<void> result = kj::READY_NOW;
    if (connection_->upload_in_flight_bytes > context_.options.upload_window_bytes) {
      auto paf = kj::newPromiseAndFulfiller<void>();
      pending_waiters_.add(kj::mv(paf.fulfiller));
      result = kj::mv(paf.promise);
    }
    if (appends_in_flight_ < kMaxAppendsInFlight) send_pending();
    return result;
  }

  kj::Promise<void> done(DoneContext call) override {
    KJ_IF_MAYBE(e, failed_) { return kj::cp(*e); }
    const uint32_t digest = call.getParams().getCrc32c();
    finishing_ = true;  // done's answer reports the rest
    // The finish follows every write into the relay without waiting for
    // their durability: the transfer decides it behind them and answers once
    // all are durable (or refuses it if one was refused).
    send_pending();
    auto finished = relay_call<TransferStatus>(context_, [&](auto cb) {
      context_.relay->finish(sender_, transfer_id_, digest, cb);
    });
    return finished.then([this, call](Expected<TransferStatus> status) mutable {
      // Every write's reply first: a refused write is the reason to report.
      return appends_.onEmpty().then(
          [this, call, status = kj::mv(status)]() mutable -> kj::Promise<void> {
            KJ_IF_MAYBE(e, failed_) { return kj::cp(*e); }
            if (!status.ok()) return refusal(status.error());
            report(status.value());
            call.getResults().setFileId(status->file_id);
            return kj::READY_NOW;
          });
    });
  }

  kj::Promise<void> abort(AbortContext call) override {
    std::string reason = call.getParams().getReason();
    return relay_call<TransferStatus>(context_, [&](auto cb) {
             context_.relay->abort(sender_, transfer_id_, reason, cb);
           })
        .then([this, reason](Expected<TransferStatus> status) -> kj::Promise<void> {
          if (!status.ok()) return refusal(status.error());
          log_info("transfer %llu aborted by its sender: %s", ull(transfer_id_), reason.c_str());
          return kj::READY_NOW;
        });
  }

  void taskFailed(kj::Exception&& e) override {
    log_debug("transfer %llu: sender callback failed: %s", ull(transfer_id_), e.getDescription().cStr());
  }

 private:
  static unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }

  kj::Promise<void> fail(kj::Exception e) {
    failed_ = kj::cp(e);
    log_debug("transfer %llu: write refused: %s", ull(transfer_id_), e.getDescription().cStr());
    return kj::mv(e);
  }

  void report(const TransferStatus& status) {
    if (status.acked > acked_) {
      acked_ = status.acked;
      send_acked();
    }
    if (!status.file_id.empty() && file_id_.empty()) {
      file_id_ = status.file_id;
      log_info("transfer %llu delivered as %s (%llu bytes durable)", ull(transfer_id_),
               file_id_.c_str(), ull(status.acked));
      auto req = callback_.deliveredRequest();
      req.setFileId(file_id_);
      req.setOffset(status.acked);
      tasks_.add(req.send().ignoreResult());
    }
    if (status.completed && !completed_) {
      completed_ = true;
      log_info("transfer %llu completed (%llu bytes)", ull(transfer_id_), ull(status.acked));
    }
  }

  // Sends every pending write to the relay as one append (each chunk keeps
  // its boundaries), at most kMaxAppendsInFlight at a time: writes that come
  // while those wait for durability queue up and go together, so under load a
  // chunk costs a fraction of a cross-thread call, an actor turn and a log
  // batch. When the append is answered, the next one leaves.
  void send_pending() {
    if (pending_.empty()) return;
    ++appends_in_flight_;
    size_t n = 0;
    for (const auto& c : pending_) n += c.bytes.size();
    auto appended = relay_call<TransferStatus>(context_, [&](auto cb) {
      context_.relay->append(sender_, transfer_id_, kj::mv(pending_), cb);
    });
    pending_.clear();
    appends_.add(appended.then(
        [this, n, waiters = kj::mv(pending_waiters_)](Expected<TransferStatus> status) mutable
        -> kj::Promise<void> {
          context_.bridge->run_urgent();  // as in write(): a reply burst is long
          --appends_in_flight_;
          in_flight_bytes_ -= n;
          connection_->upload_in_flight_bytes -= n;
          if (!status.ok()) {
            auto e = refusal(status.error());
            for (auto& w : waiters) w->reject(kj::cp(e));
            for (auto& w : pending_waiters_) w->reject(kj::cp(e));
            pending_waiters_.clear();
            pending_.clear();
            return fail(kj::mv(e));
          }
          report(status.value());
          for (auto& w : waiters) w->fulfill();
          send_pending();
          return kj::READY_NOW;
        }));
    pending_waiters_ = kj::Vector<kj::Own<kj::PromiseFulfiller<void>>>();
  }

  // One `acked` call in flight at a time, carrying the latest offset, the
  // first one interval after the upload opened and then at most one per
  // interval: a progress bar needs no more, and each call costs the sender
  // and this loop a round trip (three messages). None once the sender called
  // done: its answer comes once everything is durable. (Resuming asks the
  // node, and `delivered` carries the offset too, so a late report loses
  // nothing.)
  void send_acked() {
    if (ack_in_flight_ || finishing_ || told_acked_ >= acked_) return;
    ack_in_flight_ = true;
    const kj::TimePoint now = context_.timer->now();
    if (now < next_ack_at_) {
      tasks_.add(context_.timer->atTime(next_ack_at_).then([this] {
        ack_in_flight_ = false;
        send_acked();
      }));
      return;
    }
    next_ack_at_ = now + context_.options.ack_interval_ms * kj::MILLISECONDS;
    told_acked_ = acked_;
    auto req = callback_.ackedRequest();
    req.setOffset(acked_);
    tasks_.add(req.send().ignoreResult().then([this] {
      ack_in_flight_ = false;
      send_acked();
    }));
  }

  ServiceContext& context_;
  kj::Own<ConnectionState> connection_;
  uint64_t sender_;
  uint64_t transfer_id_;
  uint64_t acked_;
  uint64_t told_acked_ = 0;  // the last offset sent to the callback
  bool ack_in_flight_ = false;  // a call, or the wait for the next interval
  bool finishing_ = false;      // done() was called
  kj::TimePoint next_ack_at_;
  std::string file_id_;
  bool completed_ = false;
  rpc::SendCallback::Client callback_;
  kj::Maybe<kj::Exception> failed_;  // a refused write fails every later one
  uint64_t in_flight_bytes_ = 0;     // written, not yet durable (part of the connection's)
  // Writes not yet sent to the relay: only while kMaxAppendsInFlight appends
  // are. The waiters are the writes among them beyond the window.
  static constexpr size_t kMaxAppendsInFlight = 2;
  std::vector<actors::ChunkBytes> pending_;
  kj::Vector<kj::Own<kj::PromiseFulfiller<void>>> pending_waiters_;
  size_t appends_in_flight_ = 0;
  kj::TaskSet tasks_;                // calls to the sender's callback
  kj::TaskSet appends_;              // appends sent to the relay, until answered
};

class SessionImpl final : public rpc::Session::Server {
 public:
  SessionImpl(ServiceContext& context, kj::Own<ConnectionState> connection, uint64_t user)
      : context_(context), connection_(kj::mv(connection)), user_(user) {}

  kj::Promise<void> send(SendContext call) override {
    auto params = call.getParams();
    uint64_t size = params.totalSize().wordCount * 8;
    if (size > context_.options.max_header_bytes)
      return refusal("limit_exceeded", "the send header is " + std::to_string(size) +
                                           " bytes, over this node's limit of " +
                                           std::to_string(context_.options.max_header_bytes));
    auto h = params.getHeader();
    actors::OpenRequest request;
    for (uint64_t r : h.getReceivers()) request.receivers.push_back(r);
    request.idempotency_key = h.getIdempotencyKey();
    request.total_size = h.getTotalSize();
    request.mts = h.getMts();
    request.width = h.getWidth();
    request.height = h.getHeight();
    for (uint64_t e : h.getScanEnds()) request.scan_ends.push_back(e);
    request.network.type = static_cast<actors::NetworkType>(h.getNetwork().getType());
    request.network.signal = h.getNetwork().getSignal();
    auto callback = params.getCallback();
    uint64_t ts = request.total_size, mts = request.mts;
    size_t receivers = request.receivers.size();
    return relay_call<TransferStatus>(context_, [&](auto cb) {
             context_.relay->open_transfer(user_, std::move(request), cb);
           })
        .then([this, call, callback, ts, mts, receivers](Expected<TransferStatus> status) mutable
              -> kj::Promise<void> {
          if (!status.ok()) {
            log_info("send by %llu refused: %s", ull(user_), status.error().to_string().c_str());
            return refusal(status.error());
          }
          const TransferStatus& s = status.value();
          if (s.acked == 0 && s.file_id.empty())
            log_info("transfer %llu opened by %llu: %zu receiver(s), TS %llu, MTS %llu",
                     ull(s.transfer_id), ull(user_), receivers, ull(ts), ull(mts));
          else
            log_info("transfer %llu resumed by %llu at %llu%s", ull(s.transfer_id), ull(user_),
                     ull(s.acked), s.completed ? " (already complete)" : "");
          auto results = call.getResults();
          results.setTransferId(s.transfer_id);
          results.setAckedOffset(s.acked);
          results.setFileId(s.file_id);
          results.setCompleted(s.completed);
          results.setUpload(
              kj::heap<UploadImpl>(context_, kj::addRef(*connection_), user_, s, kj::mv(callback)));
          return kj::READY_NOW;
        });
  }

  kj::Promise<void> subscribe(SubscribeContext call) override {
    return subscribe_inbox(context_, user_, call);
  }

  kj::Promise<void> ack(AckContext call) override {
    std::string file_id = call.getParams().getFileId();
    return relay_call<actors::Done>(context_, [&](auto cb) {
             context_.relay->ack_notification(user_, file_id, cb);
           })
        .then([](Expected<actors::Done> done) -> kj::Promise<void> {
          if (!done.ok()) return refusal(done.error());
          return kj::READY_NOW;
        });
  }

  kj::Promise<void> open(OpenContext call) override {
    return open_file(context_, *connection_, user_, call);
  }

 private:
  static unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }
  ServiceContext& context_;
  kj::Own<ConnectionState> connection_;
  uint64_t user_;
};

class GatewayImpl final : public rpc::Gateway::Server {
 public:
  GatewayImpl(ServiceContext& context, kj::Own<ConnectionState> connection,
              kj::Function<void()> on_login)
      : context_(context), connection_(kj::mv(connection)), on_login_(kj::mv(on_login)) {}

  kj::Promise<void> login(LoginContext call) override {
    auto v = token::verify(context_.token_secret, call.getParams().getToken().cStr(),
                           static_cast<int64_t>(std::time(nullptr)));
    if (v.check != token::Check::ok) {
      log_debug("login refused: %s", token::describe(v.check));
      return refusal("unauthenticated", token::describe(v.check));
    }
    log_debug("user %llu logged in", static_cast<unsigned long long>(v.user));
    auto results = call.getResults();
    results.setUser(v.user);
    results.setSession(kj::heap<SessionImpl>(context_, kj::addRef(*connection_), v.user));
    on_login_();
    return kj::READY_NOW;
  }

 private:
  ServiceContext& context_;
  kj::Own<ConnectionState> connection_;
  kj::Function<void()> on_login_;
};

}  // namespace

kj::Exception refusal(const char* code, const std::string& message) {
  return kj::Exception(kj::Exception::Type::FAILED, __FILE__, __LINE__,
                       kj::str(code, ": ", message.c_str()));
}

kj::Exception refusal(const actors::RelayError& error) {
  return refusal(actors::error_code_name(error.code), error.message);
}

rpc::Gateway::Client new_gateway(ServiceContext& context, kj::Own<ConnectionState> connection,
                                 kj::Function<void()> on_login) {
  return kj::heap<GatewayImpl>(context, kj::mv(connection), kj::mv(on_login));
}

ReplyRoom::ReplyRoom(kj::Own<ConnectionState> c, uint64_t n) : connection(kj::mv(c)), bytes(n) {
  connection->reply_bytes_reserved += bytes;
}

ReplyRoom::~ReplyRoom() { connection->reply_bytes_reserved -= bytes; }

kj::Promise<kj::Own<ReplyRoom>> room_to_reply(ServiceContext& context, ConnectionState& connection,
                                              uint64_t bytes) {
  const bool room = connection.queued_bytes == nullptr ||
                    connection.queued_bytes() + connection.reply_bytes_reserved <= kReplyQueueBytes;
  if (room) return kj::heap<ReplyRoom>(kj::addRef(connection), bytes);
  // Polled: the RPC layer says nothing when its queue drains. Only a client
  // that does not read what it asked for ever waits here.
  ++*context.replies_held;
  return context.timer->afterDelay(5 * kj::MILLISECONDS)
      .attach(kj::defer([&context]() { --*context.replies_held; }))
      .then([&context, &connection, bytes]() { return room_to_reply(context, connection, bytes); });
}

}  // namespace glimpse::node
