#include "node/message_stream.hpp"

#include <kj/debug.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>

namespace glimpse::node {
namespace {

using capnp::word;

// Cap'n Proto's own ceiling on segments per message (serialize.c++).
constexpr uint64_t kMaxSegments = 512;

uint32_t le32(const kj::byte* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

void put_le32(std::string& out, uint32_t v) {
  const char b[4] = {char(v), char(v >> 8), char(v >> 16), char(v >> 24)};
  out.append(b, 4);
}

using Words = std::shared_ptr<kj::Array<word>>;

class OwnedMessageReader;
// This thread's live messages of at least kShareMinBytes, by where their words
// begin (see BufferedMessageStream::share).
thread_local std::map<const kj::byte*, const OwnedMessageReader*> t_shareable;

// A message that owns its words: every segment lies in one array, which
// share() may hand on past the message's own life.
class OwnedMessageReader final : public capnp::MessageReader {
 public:
  OwnedMessageReader(Words words, kj::ArrayPtr<const uint32_t> sizes,
                     capnp::ReaderOptions options)
      : MessageReader(options), words_(kj::mv(words)),
        segments_(kj::heapArray<kj::ArrayPtr<const word>>(sizes.size())) {
    const word* at = words_->begin();
    for (size_t i = 0; i < sizes.size(); ++i) {
      segments_[i] = kj::arrayPtr(at, sizes[i]);
      at += sizes[i];
    }
    if (bytes().size() >= BufferedMessageStream::kShareMinBytes)
      t_shareable.emplace(bytes().begin(), this);
  }
  ~OwnedMessageReader() noexcept override {
    if (bytes().size() >= BufferedMessageStream::kShareMinBytes) t_shareable.erase(bytes().begin());
  }

  kj::ArrayPtr<const word> getSegment(uint id) override {
    return id < segments_.size() ? segments_[id] : nullptr;
  }

  kj::ArrayPtr<const kj::byte> bytes() const { return words_->asBytes(); }
  const Words& words() const { return words_; }

 private:
  Words words_;
  kj::Array<kj::ArrayPtr<const word>> segments_;
};

}  // namespace

BufferedMessageStream::BufferedMessageStream(kj::AsyncIoStream& stream,
                                             std::function<void()> before_write)
    : stream_(stream), before_write_(std::move(before_write)), in_(kj::heapArray<word>(kInputBufferBytes / sizeof(word))), tasks_(*this) {}

kj::Promise<kj::Maybe<capnp::MessageReaderAndFds>> BufferedMessageStream::tryReadMessage(
    kj::ArrayPtr<kj::AutoCloseFd>, capnp::ReaderOptions options, kj::ArrayPtr<word>) {
  return kj::evalNow([&]() { return read_message(options); })
      .then([](kj::Maybe<kj::Own<capnp::MessageReader>> reader) -> kj::Maybe<capnp::MessageReaderAndFds> {
        KJ_IF_MAYBE(r, reader) { return capnp::MessageReaderAndFds{kj::mv(*r), nullptr}; }
        return nullptr;
      });
}

kj::Promise<kj::Maybe<kj::Own<capnp::MessageReader>>> BufferedMessageStream::read_message(
    capnp::ReaderOptions options) {
  kj::byte* base = in_.asBytes().begin();
  const size_t avail = in_end_ - in_begin_;
  if (avail >= sizeof(word)) {
    const kj::byte* p = base + in_begin_;
    const uint64_t count = uint64_t(le32(p)) + 1;
    KJ_REQUIRE(count <= kMaxSegments, "Message has too many segments.", count);
    const size_t table = (count + 2) / 2 * sizeof(word);  // 1 + count uint32s, padded to a word
    if (avail >= table) {
      auto sizes = kj::heapArray<uint32_t>(count);
      uint64_t total = 0;
      for (size_t i = 0; i < count; ++i) total += sizes[i] = le32(p + 4 + 4 * i);
      KJ_REQUIRE(total <= options.traversalLimitInWords,
                 "Message is too large. To increase the limit on the receiving end, see "
                 "capnp::ReaderOptions.", total);
      auto words = std::make_shared<kj::Array<word>>(kj::heapArray<word>(total));
      kj::byte* body = words->asBytes().begin();
      const size_t body_bytes = total * sizeof(word);
      const size_t have = std::min<size_t>(avail - table, body_bytes);
      std::memcpy(body, p + table, have);
      in_begin_ += table + have;
      if (in_begin_ == in_end_) in_begin_ = in_end_ = 0;
      auto done = [words = kj::mv(words), sizes = kj::mv(sizes), options]() mutable
          -> kj::Maybe<kj::Own<capnp::MessageReader>> {
        return kj::Own<capnp::MessageReader>(
            kj::heap<OwnedMessageReader>(kj::mv(words), sizes, options));
      };
      if (have == body_bytes) return done();
      // The rest goes straight into the message: no second copy of a chunk's bytes.
      ++reads_;
      return stream_.read(body + have, body_bytes - have).then(kj::mv(done));
    }
  }
  // Need more: keep the partial message at the front and read as much as fits.
  if (in_begin_ > 0) {
    std::memmove(base, base + in_begin_, avail);
    in_begin_ = 0;
    in_end_ = avail;
  }
  ++reads_;
  return stream_.tryRead(base + in_end_, 1, in_.asBytes().size() - in_end_)
      .then([this, options](size_t n) -> kj::Promise<kj::Maybe<kj::Own<capnp::MessageReader>>> {
        if (n == 0) {
          if (in_end_ == in_begin_) return kj::Maybe<kj::Own<capnp::MessageReader>>(nullptr);
          return KJ_EXCEPTION(DISCONNECTED, "premature EOF: the peer closed inside a message");
        }
        in_end_ += n;
        return read_message(options);
      });
}

kj::Promise<void> BufferedMessageStream::writeMessage(
    kj::ArrayPtr<const int>, kj::ArrayPtr<const kj::ArrayPtr<const word>> segments) {
  kj::ArrayPtr<const kj::ArrayPtr<const word>> one[] = {segments};
  return writeMessages(kj::arrayPtr(one, 1));
}

kj::Promise<void> BufferedMessageStream::writeMessages(
    kj::ArrayPtr<kj::ArrayPtr<const kj::ArrayPtr<const word>>> messages) {
  KJ_IF_MAYBE(e, write_failed_) { return kj::cp(*e); }
  for (auto segments : messages) {
    KJ_REQUIRE(segments.size() > 0 && segments.size() <= kMaxSegments, "bad segment count",
               segments.size());
    put_le32(out_, segments.size() - 1);
    for (auto s : segments) put_le32(out_, s.size());
    if (segments.size() % 2 == 0) put_le32(out_, 0);
    for (auto s : segments) out_.append(reinterpret_cast<const char*>(s.begin()), s.size() * sizeof(word));
  }
  if (out_.size() >= kHighWaterBytes) return drained();
  schedule_flush();
  return kj::READY_NOW;
}

void BufferedMessageStream::schedule_flush() {
  if (flush_scheduled_ || flushing_) return;
  flush_scheduled_ = true;
  // Behind the events queued now: one write carries every message they add.
  tasks_.add(kj::evalLater([this]() -> kj::Promise<void> {
    flush_scheduled_ = false;
    if (flushing_) return kj::READY_NOW;  // drained() started it already
    return flush();
  }));
}

kj::Promise<void> BufferedMessageStream::flush() {
  if (out_.empty()) {
    flushing_ = false;
    for (auto& waiter : drain_waiters_) waiter->fulfill();
    drain_waiters_.clear();
    return kj::READY_NOW;
  }
  flushing_ = true;
  if (before_write_) before_write_();
  sending_.swap(out_);  // out_ takes sending_'s emptied buffer
  ++writes_;
  return stream_.write(sending_.data(), sending_.size()).then([this]() {
    if (sending_.capacity() > kKeepBufferBytes)
      std::string().swap(sending_);  // a burst's buffer is not kept by an idle connection
    else
      sending_.clear();
    return flush();
  });
}

kj::Promise<void> BufferedMessageStream::drained() {
  KJ_IF_MAYBE(e, write_failed_) { return kj::cp(*e); }
  if (!flushing_ && out_.empty()) return kj::READY_NOW;
  auto paf = kj::newPromiseAndFulfiller<void>();
  drain_waiters_.add(kj::mv(paf.fulfiller));
  if (!flushing_) tasks_.add(flush());
  return kj::mv(paf.promise);
}

kj::Maybe<int> BufferedMessageStream::getSendBufferSize() {
  int size = 0;
  uint length = sizeof(size);
  KJ_IF_MAYBE(e, kj::runCatchingExceptions(
                     [&]() { stream_.getsockopt(SOL_SOCKET, SO_SNDBUF, &size, &length); })) {
    return nullptr;
  }
  return size;
}

kj::Promise<void> BufferedMessageStream::end() {
  return drained().then([this]() { stream_.shutdownWrite(); });
}

std::optional<util::SharedBytes> BufferedMessageStream::share(kj::ArrayPtr<const kj::byte> bytes) {
  auto it = t_shareable.upper_bound(bytes.begin());
  if (it == t_shareable.begin()) return std::nullopt;
  const OwnedMessageReader& message = *(--it)->second;
  if (bytes.end() > message.bytes().end()) return std::nullopt;
  // Kept memory is counted in bytes shared (the upload window): a few bytes
  // must not keep a large message.
  if (message.bytes().size() > bytes.size() + kShareSlackBytes) return std::nullopt;
  return util::SharedBytes(message.words(), reinterpret_cast<const char*>(bytes.begin()),
                           bytes.size());
}

void BufferedMessageStream::taskFailed(kj::Exception&& e) {
  for (auto& waiter : drain_waiters_) waiter->reject(kj::cp(e));
  drain_waiters_.clear();
  write_failed_ = kj::mv(e);
}

}  // namespace glimpse::node
