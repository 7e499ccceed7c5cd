// The receiving side of the client RPC: inbox subscriptions, File, follow.
#include <kj/debug.h>

#include <optional>
#include <string_view>
#include <utility>

#include "image/image.hpp"
#include "node/fill_worker.hpp"
#include "node/log.hpp"
#include "node/service.hpp"

namespace glimpse::node {
namespace {

using actors::Expected;
using actors::FileInfo;

unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }

// Fill allocates by the JPEG's frame size: it must be the size the sender
// declared at open (what the node accepted), or nothing is filled.
std::optional<actors::RelayError> frame_mismatch(std::string_view jpeg, uint32_t width,
                                                 uint32_t height) {
  image::Result<image::FrameSize> size = image::frame_size(jpeg);
  if (size.ok() && static_cast<uint32_t>(size->width) == width &&
      static_cast<uint32_t>(size->height) == height)
    return std::nullopt;
  const std::string found = size.ok() ? std::to_string(size->width) + "x" +
                                            std::to_string(size->height)
                                      : "no frame header";
  return actors::RelayError{actors::ErrorCode::invalid_argument,
                            "cannot fill this file: its JPEG frame header says " + found +
                                " but the sender declared " + std::to_string(width) + "x" +
                                std::to_string(height)};
}

actors::RelayError busy_filling() {
  return actors::RelayError{actors::ErrorCode::unavailable,
                            "the node is busy filling other photos; retry in a few seconds"};
}

// image::fill on the node's fill worker; `unavailable` when it is busy.
kj::Promise<Expected<std::string>> fill_off_thread(ServiceContext& context, std::string prefix) {
  return reply_from_any_thread<Expected<std::string>>([&](auto cb) {
    bool taken = context.fills->submit([cb, prefix = std::move(prefix)]() {
      auto jpeg = image::fill(prefix);
      if (!jpeg.ok())
        return cb(actors::RelayError{actors::ErrorCode::invalid_argument,
                                     "cannot fill this file yet: " + jpeg.error().message});
      cb(std::move(jpeg.value()));
    });
    if (!taken) cb(busy_filling());
  });
}

// Keeps a relay subscription (and the KJ-side object it feeds) alive; the
// client drops it to unsubscribe.
class HandleImpl final : public rpc::Handle::Server {
 public:
  explicit HandleImpl(kj::Own<void> held) : held_(kj::mv(held)) {}

 private:
  kj::Own<void> held_;
};

// Forwards one user's notifications to the client's InboxListener.
class InboxFeed final : public kj::TaskSet::ErrorHandler {
 public:
  InboxFeed(ServiceContext& context, uint64_t user, rpc::InboxListener::Client listener)
      : context_(context), user_(user), listener_(kj::mv(listener)), tasks_(*this), live_(this) {}

  ~InboxFeed() noexcept(false) {
    subscription_.cancel();  // no listener call runs after this
    live_.reset();
  }

  void start() {
    auto bridge = context_.bridge;
    LiveRef<InboxFeed> live = live_;
    subscription_ = context_.relay->subscribe_inbox(
        user_, [bridge, live](const actors::Notification& n) {
          bridge->post(
              [live, n]() {
                if (InboxFeed* self = live.get()) self->deliver(n);
              },
              KjBridge::Lane::urgent);
        });
  }

  void taskFailed(kj::Exception&& e) override {
    log_debug("user %llu: inbox listener failed: %s", ull(user_), e.getDescription().cStr());
  }

 private:
  void deliver(const actors::Notification& n) {
    log_debug("user %llu notified of %s", ull(user_), n.file_id.c_str());
    auto req = listener_.notifyRequest();
    auto out = req.initNotification();
    out.setFileId(n.file_id);
    out.setSender(n.sender);
    out.setTotalSize(n.total_size);
    out.setMts(n.mts);
    out.setWidth(n.width);
    out.setHeight(n.height);
    out.setAvailable(n.available);
    out.setDeliveredNs(n.delivered_ns);
    tasks_.add(req.send().ignoreResult());
  }

  ServiceContext& context_;
  uint64_t user_;
  rpc::InboxListener::Client listener_;
  kj::TaskSet tasks_;
  LiveRef<InboxFeed> live_;
  actors::Subscription subscription_;
};

// Streams a file's bytes to a ByteListener as they become durable, then end().
class Follower final : public kj::TaskSet::ErrorHandler {
 public:
  Follower(ServiceContext& context, uint64_t user, std::string file_id, uint64_t from,
           rpc::ByteListener::Client listener)
      : context_(context), user_(user), file_id_(std::move(file_id)), position_(from),
        listener_(kj::mv(listener)), tasks_(*this), live_(this) {}

  ~Follower() noexcept(false) {
    subscription_.cancel();
    live_.reset();
  }

  void start() {
    auto bridge = context_.bridge;
    LiveRef<Follower> live = live_;
    subscription_ = context_.relay->watch_file(
        user_, file_id_, [bridge, live](Expected<actors::FileProgress> progress) {
          bridge->post(
              [live, progress]() {
                if (Follower* self = live.get()) self->on_progress(progress);
              },
              KjBridge::Lane::urgent);
        });
  }

  void taskFailed(kj::Exception&& e) override { stop(e.getDescription().cStr()); }

 private:
  // Ends a follow that cannot go on. Releasing the client's ByteListener
  // rejects the client's wait for end() instead of leaving it waiting forever;
  // the file stays unacknowledged, so the next subscribe offers it again.
  void stop(const std::string& why) {
    if (stopped_) return;
    stopped_ = true;
    log_info("user %llu: follow of %s ended: %s", ull(user_), file_id_.c_str(), why.c_str());
    finished_ = true;
    subscription_.cancel();
    listener_ = nullptr;
  }

  void on_progress(const Expected<actors::FileProgress>& progress) {
    if (finished_) return;
    if (!progress.ok()) return stop(progress.error().to_string());
    available_ = std::max(available_, progress->available);
    final_ = progress->completed || progress->aborted;
    if (!pumping_) {
      pumping_ = true;
      tasks_.add(pump());
    }
  }

  kj::Promise<void> pump() {
    if (position_ < available_) {
      uint64_t n = std::min<uint64_t>(available_ - position_, 256 << 10);
      return relay_call<std::string>(context_, [&](auto cb) {
               context_.relay->read_file(user_, file_id_, position_, n, cb);
             })
          .then([this](Expected<std::string> bytes) -> kj::Promise<void> {
            if (!bytes.ok()) return refusal(bytes.error());
            if (bytes->empty()) return pump_done();
            auto req = listener_.bytesRequest();
            req.setOffset(position_);
            req.setData(kj::arrayPtr(reinterpret_cast<const kj::byte*>(bytes->data()), bytes->size()));
            position_ += bytes->size();
            return req.send().then([this]() { return pump(); });
          });
    }
    return pump_done();
  }

  kj::Promise<void> pump_done() {
    if (!final_) {
      pumping_ = false;  // on_progress restarts us when more lands
      return kj::READY_NOW;
    }
    finished_ = true;
    return relay_call<FileInfo>(context_, [&](auto cb) { context_.relay->open_file(user_, file_id_, cb); })
        .then([this](Expected<FileInfo> info) -> kj::Promise<void> {
          if (!info.ok()) return refusal(info.error());
          auto req = listener_.endRequest();
          write_info(info.value(), req.initInfo());
          subscription_.cancel();
          return req.send().ignoreResult();
        });
  }

  ServiceContext& context_;
  uint64_t user_;
  std::string file_id_;
  uint64_t position_;
  uint64_t available_ = 0;
  bool final_ = false;
  bool pumping_ = false;
  bool finished_ = false;
  bool stopped_ = false;  // failed: listener_ released
  rpc::ByteListener::Client listener_;
  kj::TaskSet tasks_;
  LiveRef<Follower> live_;
  actors::Subscription subscription_;
};

class FileImpl final : public rpc::File::Server {
 public:
  FileImpl(ServiceContext& context, kj::Own<ConnectionState> connection, uint64_t user,
           std::string file_id)
      : context_(context),
        connection_(kj::mv(connection)),
        user_(user),
        file_id_(std::move(file_id)) {}

  kj::Promise<void> info(InfoContext call) override {
    return current_info().then([call](FileInfo info) mutable {
      write_info(info, call.getResults().initInfo());
    });
  }

  kj::Promise<void> read(ReadContext call) override {
    auto params = call.getParams();
    uint64_t offset = params.getOffset();
    uint64_t max = std::min<uint64_t>(params.getMaxBytes(), 1 << 20);
    return room_to_reply(context_, *connection_, max)
        .then([this, call, offset, max](kj::Own<ReplyRoom> reserved) mutable {
          return relay_call<std::string>(
                     context_,
                     [&](auto cb) { context_.relay->read_file(user_, file_id_, offset, max, cb); })
              .then([this, call](Expected<std::string> bytes) mutable -> kj::Promise<void> {
                if (!bytes.ok()) return refusal(bytes.error());
                auto results = call.getResults();
                results.setBytes(
                    kj::arrayPtr(reinterpret_cast<const kj::byte*>(bytes->data()), bytes->size()));
                return current_info().then([call](FileInfo info) mutable {
                  write_info(info, call.getResults().initInfo());
                });
              })
              .attach(kj::mv(reserved));
        });
  }

  kj::Promise<void> follow(FollowContext call) override {
    auto params = call.getParams();
    auto follower = kj::heap<Follower>(context_, user_, file_id_, params.getFrom(), params.getListener());
    follower->start();
    call.getResults().setHandle(kj::heap<HandleImpl>(kj::mv(follower)));
    return kj::READY_NOW;
  }

  kj::Promise<void> filled(FilledContext call) override {
    // Refused before the prefix is read when the fill worker has no room.
    if (context_.fills_admitted > kFillsWaiting) return refusal(busy_filling());
    ++context_.fills_admitted;
    auto admitted = kj::defer([&context = context_]() { --context.fills_admitted; });
    return current_info()
        .then([this](FileInfo info) {
          // A baseline JPEG is about as large as the whole progressive one.
          return room_to_reply(context_, *connection_, info.total_size)
              .then([info](kj::Own<ReplyRoom> reserved) {
                return std::make_pair(info, kj::mv(reserved));
              });
        })
        .then([this, call](std::pair<FileInfo, kj::Own<ReplyRoom>> admitted_info) mutable {
          const FileInfo& info = admitted_info.first;
          const uint64_t prefix = info.available;
          return relay_call<std::string>(
                     context_,
                     [&](auto cb) { context_.relay->read_file(user_, file_id_, 0, prefix, cb); })
              .then([this, width = info.width, height = info.height](
                        Expected<std::string> bytes) -> kj::Promise<Expected<std::string>> {
                if (!bytes.ok()) return kj::mv(bytes);
                if (auto e = frame_mismatch(*bytes, width, height))
                  return Expected<std::string>(*e);
                return fill_off_thread(context_, std::move(bytes.value()));
              })
              .then([call, prefix](Expected<std::string> jpeg) mutable -> kj::Promise<void> {
                if (!jpeg.ok()) return refusal(jpeg.error());
                auto results = call.getResults();
                results.setJpeg(
                    kj::arrayPtr(reinterpret_cast<const kj::byte*>(jpeg->data()), jpeg->size()));
                results.setPrefix(prefix);
                return kj::READY_NOW;
              })
              .attach(kj::mv(admitted_info.second));
        })
        .attach(kj::mv(admitted));
  }

 private:
  kj::Promise<FileInfo> current_info() {
    return relay_call<FileInfo>(context_, [&](auto cb) { context_.relay->open_file(user_, file_id_, cb); })
        .then([](Expected<FileInfo> info) -> kj::Promise<FileInfo> {
          if (!info.ok()) return refusal(info.error());
          return kj::mv(info.value());
        });
  }

  ServiceContext& context_;
  kj::Own<ConnectionState> connection_;
  uint64_t user_;
  std::string file_id_;
};

}  // namespace

void write_info(const FileInfo& info, rpc::FileInfo::Builder out) {
  out.setFileId(info.file_id);
  out.setSender(info.sender);
  out.setTotalSize(info.total_size);
  out.setMts(info.mts);
  out.setWidth(info.width);
  out.setHeight(info.height);
  auto ends = out.initScanEnds(info.scan_ends.size());
  for (size_t i = 0; i < info.scan_ends.size(); ++i) ends.set(i, info.scan_ends[i]);
  out.setAvailable(info.available);
  out.setCompleted(info.completed);
  out.setAborted(info.aborted);
}

kj::Promise<void> subscribe_inbox(ServiceContext& context, uint64_t user,
                                  capnp::CallContext<rpc::Session::SubscribeParams, rpc::Session::SubscribeResults> call) {
  auto feed = kj::heap<InboxFeed>(context, user, call.getParams().getInbox());
  feed->start();
  call.getResults().setHandle(kj::heap<HandleImpl>(kj::mv(feed)));
  log_debug("user %llu subscribed", ull(user));
  return kj::READY_NOW;
}

kj::Promise<void> open_file(
    ServiceContext& context, ConnectionState& connection, uint64_t user,
    capnp::CallContext<rpc::Session::OpenParams, rpc::Session::OpenResults> call) {
  std::string file_id = call.getParams().getFileId();
  return relay_call<FileInfo>(context,
                              [&](auto cb) { context.relay->open_file(user, file_id, cb); })
      .then([&context, connection = kj::addRef(connection), user,
             call](Expected<FileInfo> info) mutable -> kj::Promise<void> {
        if (!info.ok()) return refusal(info.error());
        auto results = call.getResults();
        write_info(info.value(), results.initInfo());
        results.setFile(kj::heap<FileImpl>(context, kj::mv(connection), user, info->file_id));
        return kj::READY_NOW;
      });
}

}  // namespace glimpse::node
