#include "client/receiver.hpp"

#include <cstdio>

#include "image/image.hpp"

namespace glimpse::client {
namespace {

// The node pushes the file's bytes here; resolves `done` at the end.
class ByteListenerImpl final : public rpc::ByteListener::Server {
 public:
  ByteListenerImpl(std::shared_ptr<FileState> state,
                   std::function<void(const FileState&)> on_growth,
                   kj::Own<kj::PromiseFulfiller<void>> done)
      : state_(std::move(state)), on_growth_(std::move(on_growth)), done_(kj::mv(done)) {}

  // The node drops its reference without calling end() when the follow fails
  // on its side (or the connection goes): say so, instead of KJ's generic
  // "PromiseFulfiller was destroyed without fulfilling the promise".
  ~ByteListenerImpl() noexcept(false) {
    if (done_->isWaiting()) {
      done_->reject(KJ_EXCEPTION(DISCONNECTED,
                                 "the node stopped sending " + state_->file_id + " after " +
                                     std::to_string(state_->bytes.size()) +
                                     " bytes; run `glimpse recv` again to resume"));
    }
  }

  kj::Promise<void> bytes(BytesContext context) override {
    auto params = context.getParams();
    uint64_t offset = params.getOffset();
    auto data = params.getData();
    std::string& have = state_->bytes;
    KJ_REQUIRE(offset <= have.size(), "node skipped bytes", offset, have.size());
    uint64_t end = offset + data.size();
    if (end > have.size()) {
      size_t skip = have.size() - offset;
      have.append(reinterpret_cast<const char*>(data.begin()) + skip, data.size() - skip);
      if (on_growth_) on_growth_(*state_);
    }
    return kj::READY_NOW;
  }

  kj::Promise<void> end(EndContext context) override {
    read_info(context.getParams().getInfo(), state_.get());
    if (on_growth_) on_growth_(*state_);
    done_->fulfill();
    return kj::READY_NOW;
  }

 private:
  std::shared_ptr<FileState> state_;
  std::function<void(const FileState&)> on_growth_;
  kj::Own<kj::PromiseFulfiller<void>> done_;
};

}  // namespace

void read_info(rpc::FileInfo::Reader info, FileState* state) {
  state->file_id = info.getFileId().cStr();
  state->sender = info.getSender();
  state->total_size = info.getTotalSize();
  state->mts = info.getMts();
  state->width = static_cast<int>(info.getWidth());
  state->height = static_cast<int>(info.getHeight());
  state->scan_ends.clear();
  for (uint64_t end : info.getScanEnds()) state->scan_ends.push_back(end);
  state->completed = info.getCompleted();
  state->aborted = info.getAborted();
}

kj::Promise<std::shared_ptr<FileState>> follow_file(
    rpc::Session::Client session, const std::string& file_id,
    std::function<void(const FileState&)> on_growth) {
  auto req = session.openRequest();
  req.setFileId(file_id);
  return req.send().then([on_growth = std::move(on_growth)](auto reply) mutable {
    auto state = std::make_shared<FileState>();
    read_info(reply.getInfo(), state.get());
    state->completed = state->aborted = false;  // known only at end()
    auto paf = kj::newPromiseAndFulfiller<void>();
    auto follow = reply.getFile().followRequest();
    follow.setFrom(0);
    follow.setListener(kj::heap<ByteListenerImpl>(state, std::move(on_growth), kj::mv(paf.fulfiller)));
    // The handle keeps the node's follower alive until end() arrives.
    return follow.send().then([state, done = kj::mv(paf.promise)](auto followed) mutable {
      return done.then([state, handle = followed.getHandle()]() mutable { return state; });
    });
  });
}

std::shared_ptr<FileState> read_now(Connection& connection, rpc::Session::Client session,
                                    const std::string& file_id) {
  auto& ws = connection.wait_scope();
  auto open = session.openRequest();
  open.setFileId(file_id);
  auto reply = open.send().wait(ws);
  auto state = std::make_shared<FileState>();
  read_info(reply.getInfo(), state.get());
  rpc::File::Client file = reply.getFile();
  for (;;) {
    auto req = file.readRequest();
    req.setOffset(state->bytes.size());
    req.setMaxBytes(1 << 20);
    auto got = req.send().wait(ws);
    auto data = got.getBytes();
    state->bytes.append(reinterpret_cast<const char*>(data.begin()), data.size());
    read_info(got.getInfo(), state.get());
    if (data.size() == 0 || state->bytes.size() >= got.getInfo().getAvailable()) break;
  }
  return state;
}

std::string FrameWriter::jpeg_path(const std::string& file_id) const {
  return dir_ + "/" + file_id + ".jpg";
}

bool FrameWriter::update(const FileState& state, std::string* error) {
  if (state.bytes.size() == written_) return true;
  int scans = 0;
  for (uint64_t end : state.scan_ends)
    if (end <= state.bytes.size()) ++scans;
  // Rewrite the .jpg when a scan completes or the file is complete, not on
  // every chunk: a reader of the file never sees a half-painted scan.
  if (scans == scans_ && state.bytes.size() < state.total_size) return true;
  auto wrote = image::write_file_atomic(jpeg_path(state.file_id), state.bytes);
  if (!wrote.ok()) {
    *error = wrote.error().message;
    return false;
  }
  written_ = state.bytes.size();
  // One PNG per completed scan, even when several complete in one arrival.
  for (int scan = scans_ + 1; frames_ && scan <= scans; ++scan) {
    auto decoded = image::decode_prefix(std::string_view(state.bytes).substr(0, state.scan_ends[scan - 1]));
    if (!decoded.ok()) continue;  // e.g. a scan that does not paint anything yet
    auto png = image::encode_png(decoded->pixels);
    if (!png.ok()) continue;
    char name[64];
    std::snprintf(name, sizeof name, ".scan%02d.png", scan);
    auto ok = image::write_file_atomic(dir_ + "/" + state.file_id + name, png.value());
    if (!ok.ok()) {
      *error = ok.error().message;
      return false;
    }
  }
  scans_ = scans;
  return true;
}

}  // namespace glimpse::client
