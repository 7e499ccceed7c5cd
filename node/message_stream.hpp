#pragma once
// A capnp::MessageStream over a byte stream that makes fewer system calls
// than Cap'n Proto 0.9.2's AsyncIoMessageStream, which reads every message
// with at least two read()s (its first word, then the rest) and writes every
// message with a write of its own.
//
//  - Reading: bytes come into an input buffer as many at a time as the kernel
//    has, and every whole message found there is parsed from it, so the small
//    messages of the RPC protocol (Finish, Return, Release) cost no read of
//    their own. What a large message (a chunk write) still lacks is read
//    straight into that message's own memory, not through the buffer.
//  - Writing: a message is copied into an output buffer and reported written
//    at once; the buffer goes to the kernel in one write after the events
//    already queued on the loop have run, so the replies and calls those
//    events make leave together. Past kHighWaterBytes buffered, a write
//    waits until the buffer has drained (back-pressure, as with a full
//    socket).
//
//  - Sharing: the bytes of a large message may outlive it (share()), so a
//    chunk goes on to storage without a copy.
//
// The framing is Cap'n Proto's standard one, so the peer may use any other
// implementation. File descriptors are not supported.
//
// Threads: KJ thread only (the stream's event loop). `stream` must outlive
// this object; destroying it cancels a write in progress. A write that fails
// fails every later write with the same exception.
#include <capnp/serialize-async.h>
#include <kj/async-io.h>

#include <functional>
#include <optional>
#include <string>

#include "util/shared_bytes.hpp"

namespace glimpse::node {

class BufferedMessageStream final : public capnp::MessageStream, private kj::TaskSet::ErrorHandler {
 public:
  static constexpr size_t kInputBufferBytes = 8 << 10;
  static constexpr size_t kHighWaterBytes = 1 << 20;
  static constexpr size_t kKeepBufferBytes = 64 << 10;  // output buffer kept between writes
  static constexpr size_t kShareMinBytes = 16 << 10;    // smaller messages are cheaper to copy
  static constexpr size_t kShareSlackBytes = 4 << 10;   // of a shared message beyond `bytes`

  // `bytes` as SharedBytes that keep their memory alive, without a copy, if
  // they lie inside a message of at least kShareMinBytes, at most
  // kShareSlackBytes larger than `bytes`, that a BufferedMessageStream on
  // this thread read and that is still alive (e.g. the params of the call
  // being dispatched); nullopt otherwise (copy them).
  static std::optional<util::SharedBytes> share(kj::ArrayPtr<const kj::byte> bytes);

  // `before_write`, if set, runs before each write: a loop whose latency-
  // sensitive work waits elsewhere (KjBridge's urgent lane) runs it there.
  explicit BufferedMessageStream(kj::AsyncIoStream& stream, std::function<void()> before_write = {});

  using capnp::MessageStream::tryReadMessage;  // the overloads without fds
  using capnp::MessageStream::writeMessage;
  kj::Promise<kj::Maybe<capnp::MessageReaderAndFds>> tryReadMessage(
      kj::ArrayPtr<kj::AutoCloseFd> fdSpace, capnp::ReaderOptions options = capnp::ReaderOptions(),
      kj::ArrayPtr<capnp::word> scratchSpace = nullptr) override;
  kj::Promise<void> writeMessage(kj::ArrayPtr<const int> fds,
                                 kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>> segments) override;
  kj::Promise<void> writeMessages(
      kj::ArrayPtr<kj::ArrayPtr<const kj::ArrayPtr<const capnp::word>>> messages) override;
  kj::Maybe<int> getSendBufferSize() override;
  kj::Promise<void> end() override;

  // Diagnostics: reads and writes issued on `stream` so far (a write may
  // carry several messages, a read several messages or part of one).
  uint64_t reads() const { return reads_; }
  uint64_t writes() const { return writes_; }

 private:
  kj::Promise<kj::Maybe<kj::Own<capnp::MessageReader>>> read_message(capnp::ReaderOptions options);
  void schedule_flush();
  kj::Promise<void> flush();    // writes out_ (and what is added meanwhile) until empty
  kj::Promise<void> drained();  // resolves once nothing is buffered or being written
  void taskFailed(kj::Exception&& e) override;

  kj::AsyncIoStream& stream_;
  std::function<void()> before_write_;

  kj::Array<capnp::word> in_;  // [in_begin_, in_end_) bytes received, not yet parsed
  size_t in_begin_ = 0, in_end_ = 0;

  std::string out_;      // messages accepted, not yet handed to the kernel
  std::string sending_;  // the bytes of the write in progress
  bool flush_scheduled_ = false, flushing_ = false;
  kj::Vector<kj::Own<kj::PromiseFulfiller<void>>> drain_waiters_;
  kj::Maybe<kj::Exception> write_failed_;  // every later write fails with it
  kj::TaskSet tasks_;

  uint64_t reads_ = 0, writes_ = 0;
};

}  // namespace glimpse::node
