// BufferedMessageStream over a real socket pair, against Cap'n Proto's own
// reader and writer at the other end.
#include "node/message_stream.hpp"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <capnp/serialize-async.h>
#include <gtest/gtest.h>
#include <kj/async-io.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace glimpse::node {
namespace {

// A message whose root is `bytes` as Data; a small first segment with fixed
// growth puts large payloads in segments of their own.
struct Message {
  explicit Message(const std::string& bytes, uint first_segment_words = 1024)
      : builder(first_segment_words, capnp::AllocationStrategy::FIXED_SIZE) {
    builder.getRoot<capnp::AnyPointer>().setAs<capnp::Data>(
        kj::arrayPtr(reinterpret_cast<const kj::byte*>(bytes.data()), bytes.size()));
  }
  capnp::MallocMessageBuilder builder;
};

std::string payload_of(capnp::MessageReader& reader) {
  auto data = reader.getRoot<capnp::AnyPointer>().getAs<capnp::Data>();
  return std::string(reinterpret_cast<const char*>(data.begin()), data.size());
}

std::string pattern(size_t n, char seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + i * 7);
  return s;
}

// A socket pair on a KJ event loop (held by pointer: KJ's destructors may throw).
struct Env {
  kj::AsyncIoContext io = kj::setupAsyncIo();
  kj::TwoWayPipe pipe = io.provider->newTwoWayPipe();
};

class BufferedMessageStreamTest : public ::testing::Test {
 protected:
  std::unique_ptr<Env> env = std::make_unique<Env>();
  kj::AsyncIoContext& io = env->io;
  kj::TwoWayPipe& pipe = env->pipe;
  kj::AsyncIoStream& ours = *pipe.ends[0];
  kj::AsyncIoStream& theirs = *pipe.ends[1];
};

TEST_F(BufferedMessageStreamTest, ReadsWhatCapnpWroteSmallLargeAndMultiSegment) {
  const std::vector<std::string> sent = {"a", pattern(100, 'b'), pattern(200 << 10, 'c'),
                                         pattern(5000, 'd'), ""};
  std::vector<std::unique_ptr<Message>> messages;
  kj::Promise<void> writing = kj::READY_NOW;  // in turn, while the reads below run
  for (auto& s : sent) {
    messages.push_back(std::make_unique<Message>(s, s.size() > 4000 ? 16 : 1024));
    if (s.size() > 4000) {
      ASSERT_GT(messages.back()->builder.getSegmentsForOutput().size(), 1u);
    }
    writing = writing.then(
        [this, m = messages.back().get()] { return capnp::writeMessage(theirs, m->builder); });
  }
  writing = writing.eagerlyEvaluate(nullptr);
  BufferedMessageStream stream(ours);
  for (auto& s : sent) {
    auto reader = stream.tryReadMessage().wait(io.waitScope);
    KJ_IF_MAYBE(r, reader) { EXPECT_EQ(payload_of(**r), s); }
    else FAIL() << "no message where " << s.size() << " bytes were sent";
  }
  writing.wait(io.waitScope);
}

TEST_F(BufferedMessageStreamTest, BytesOfALargeMessageCanBeSharedPastTheMessagesLife) {
  const std::string large = pattern(64 << 10, 'L'), small = pattern(100, 's');
  Message big(large), little(small);
  capnp::writeMessage(theirs, big.builder).wait(io.waitScope);
  capnp::writeMessage(theirs, little.builder).wait(io.waitScope);
  BufferedMessageStream stream(ours);
  auto data_of = [](capnp::MessageReader& r) {
    return r.getRoot<capnp::AnyPointer>().getAs<capnp::Data>();
  };

  std::optional<util::SharedBytes> shared;
  KJ_IF_MAYBE(r, stream.tryReadMessage().wait(io.waitScope)) {
    auto data = data_of(**r);
    shared = BufferedMessageStream::share(data.slice(10, data.size()));
    // Past the message's end is not inside it.
    EXPECT_FALSE(BufferedMessageStream::share(kj::arrayPtr(data.begin(), data.size() + 4096)));
    // A few bytes do not keep a whole large message: they are copied.
    EXPECT_FALSE(BufferedMessageStream::share(data.slice(0, 1000)));
  }
  else FAIL();
  ASSERT_TRUE(shared);  // the reader is gone; the bytes are not
  EXPECT_EQ(shared->view(), std::string_view(large).substr(10));

  KJ_IF_MAYBE(r, stream.tryReadMessage().wait(io.waitScope)) {
    EXPECT_FALSE(BufferedMessageStream::share(data_of(**r))) << "a small message is copied";
  }
  else FAIL();
  EXPECT_FALSE(BufferedMessageStream::share(kj::arrayPtr(
      reinterpret_cast<const kj::byte*>(large.data()), large.size())));  // not a message at all
}

TEST_F(BufferedMessageStreamTest, WritesWhatCapnpReads) {
  const std::vector<std::string> sent = {pattern(10, 'x'), pattern(300 << 10, 'y'), pattern(70, 'z')};
  BufferedMessageStream stream(ours);
  for (auto& s : sent) {
    Message m(s, 16);
    stream.writeMessage(m.builder).wait(io.waitScope);  // the copy is taken: `m` may go
  }
  for (auto& s : sent) {
    auto reader = capnp::readMessage(theirs).wait(io.waitScope);
    EXPECT_EQ(payload_of(*reader), s);
  }
}

TEST_F(BufferedMessageStreamTest, MessagesWrittenInOneTurnLeaveInOneWrite) {
  int before_write = 0;
  BufferedMessageStream stream(ours, [&] { ++before_write; });
  std::vector<kj::Promise<void>> written;
  for (int i = 0; i < 10; ++i) {  // no turn of the loop in between
    Message m(pattern(50, static_cast<char>('a' + i)));
    written.push_back(stream.writeMessage(m.builder));
  }
  for (auto& w : written) w.wait(io.waitScope);
  for (int i = 0; i < 10; ++i) {
    auto reader = capnp::readMessage(theirs).wait(io.waitScope);
    EXPECT_EQ(payload_of(*reader), pattern(50, static_cast<char>('a' + i)));
  }
  EXPECT_EQ(stream.writes(), 1u);
  EXPECT_EQ(before_write, 1);
}

TEST_F(BufferedMessageStreamTest, MessagesThatArriveTogetherAreParsedFromOneRead) {
  for (int i = 0; i < 20; ++i) {
    Message m(pattern(100, static_cast<char>(i)));
    capnp::writeMessage(theirs, m.builder).wait(io.waitScope);
  }
  BufferedMessageStream stream(ours);
  for (int i = 0; i < 20; ++i) {
    auto reader = stream.tryReadMessage().wait(io.waitScope);
    KJ_IF_MAYBE(r, reader) { EXPECT_EQ(payload_of(**r), pattern(100, static_cast<char>(i))); }
    else FAIL();
  }
  EXPECT_EQ(stream.reads(), 1u);
}

TEST_F(BufferedMessageStreamTest, TheEndOfTheStreamBetweenMessagesIsNoMessage) {
  Message m("last");
  capnp::writeMessage(theirs, m.builder).wait(io.waitScope);
  theirs.shutdownWrite();
  BufferedMessageStream stream(ours);
  EXPECT_TRUE(stream.tryReadMessage().wait(io.waitScope) != nullptr);
  EXPECT_TRUE(stream.tryReadMessage().wait(io.waitScope) == nullptr);
}

TEST_F(BufferedMessageStreamTest, TheEndOfTheStreamInsideAMessageIsAnError) {
  Message m(pattern(20000, 'q'));
  auto flat = capnp::messageToFlatArray(m.builder);
  auto bytes = flat.asBytes();
  theirs.write(bytes.begin(), bytes.size() / 2).wait(io.waitScope);
  theirs.shutdownWrite();
  BufferedMessageStream stream(ours);
  auto error = stream.tryReadMessage().then(
      [](auto) -> kj::Maybe<kj::Exception::Type> { return nullptr; },
      [](kj::Exception&& e) -> kj::Maybe<kj::Exception::Type> { return e.getType(); });
  EXPECT_TRUE(error.wait(io.waitScope) == kj::Exception::Type::DISCONNECTED);
}

std::string read_error(BufferedMessageStream& stream, kj::WaitScope& ws, capnp::ReaderOptions options) {
  return stream.tryReadMessage(options)
      .then([](auto) { return std::string("no error"); },
            [](kj::Exception&& e) { return std::string(e.getDescription().cStr()); })
      .wait(ws);
}

TEST_F(BufferedMessageStreamTest, AMessageOverTheTraversalLimitIsRefused) {
  Message m(pattern(100 << 10, 'l'));
  capnp::writeMessage(theirs, m.builder).wait(io.waitScope);
  BufferedMessageStream stream(ours);
  capnp::ReaderOptions options;
  options.traversalLimitInWords = 1000;
  EXPECT_NE(read_error(stream, io.waitScope, options).find("Message is too large"), std::string::npos);
}

TEST_F(BufferedMessageStreamTest, AMessageWithTooManySegmentsIsRefused) {
  const uint32_t header[2] = {1000, 1};  // 1,001 segments
  theirs.write(header, sizeof(header)).wait(io.waitScope);
  BufferedMessageStream stream(ours);
  EXPECT_NE(read_error(stream, io.waitScope, {}).find("too many segments"), std::string::npos);
}

TEST_F(BufferedMessageStreamTest, AWriteWaitsOnceTooMuchIsBufferedAndResumesAsThePeerReads) {
  BufferedMessageStream stream(ours);
  const std::string big = pattern(256 << 10, 'w');
  std::vector<kj::Promise<void>> writes;
  size_t n = 0;
  // Nobody reads: the socket fills, then the buffer, until a write must wait.
  for (; n < 200; ++n) {
    Message m(big, 16);
    auto w = stream.writeMessage(m.builder);
    if (!w.poll(io.waitScope)) {
      writes.push_back(kj::mv(w));
      break;
    }
    w.wait(io.waitScope);
  }
  ASSERT_LT(n, 200u) << "200 writes of 256 KiB were all taken at once";
  for (size_t i = 0; i <= n; ++i) {
    auto reader = capnp::readMessage(theirs).wait(io.waitScope);
    EXPECT_EQ(payload_of(*reader), big);
  }
  writes.back().wait(io.waitScope);
}

TEST_F(BufferedMessageStreamTest, EndSendsWhatIsBufferedThenClosesTheWriteSide) {
  BufferedMessageStream stream(ours);
  Message a("one"), b("two");
  stream.writeMessage(a.builder).wait(io.waitScope);
  stream.writeMessage(b.builder).wait(io.waitScope);
  stream.end().wait(io.waitScope);
  EXPECT_EQ(payload_of(*capnp::readMessage(theirs).wait(io.waitScope)), "one");
  EXPECT_EQ(payload_of(*capnp::readMessage(theirs).wait(io.waitScope)), "two");
  EXPECT_TRUE(capnp::tryReadMessage(theirs).wait(io.waitScope) == nullptr);
}

bool fails(kj::Promise<void> p, kj::WaitScope& ws) {
  return p.then([] { return false; }, [](kj::Exception&&) { return true; }).wait(ws);
}

TEST_F(BufferedMessageStreamTest, AFailedWriteFailsEveryLaterWrite) {
  BufferedMessageStream stream(ours);
  pipe.ends[1] = nullptr;  // the peer is gone
  Message m(pattern(100, 'f'));
  EXPECT_FALSE(fails(stream.writeMessage(m.builder), io.waitScope)) << "taken into the buffer";
  EXPECT_TRUE(fails(stream.end(), io.waitScope)) << "the buffer could not be sent";
  EXPECT_TRUE(fails(stream.writeMessage(m.builder), io.waitScope));
}

}  // namespace
}  // namespace glimpse::node
