#include "storage/event_log.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "tests/storage/test_events.hpp"

namespace glimpse::storage::testing {
namespace {

// Completes every append on a thread of its own, after append() returned, as
// the RocksDB log's writer does.
class AsyncLog final : public EventLog {
 public:
  explicit AsyncLog(Status result) : result_(std::move(result)) {}
  ~AsyncLog() override {
    for (auto& t : threads_) t.join();
  }
  void append(AppendRequest, AppendCallback done) override {
    threads_.emplace_back([done = std::move(done), r = result_] { done(r); });
  }
  Status replay(StreamId, uint64_t, const std::function<bool(uint64_t, std::string_view)>&) override {
    return Status();
  }
  Status next_seq(StreamId, uint64_t*) override { return Status(); }
  Status read_chunks(uint64_t, uint64_t, uint64_t, std::string*) override { return Status(); }
  Status get_index(std::string_view, std::string*) override { return Status(); }
  Status scan_index(std::string_view,
                    const std::function<bool(std::string_view, std::string_view)>&) override {
    return Status();
  }
  Status list_streams(StreamKind, const std::function<bool(StreamId, uint64_t)>&) override {
    return Status();
  }
  Status scan_all(const std::function<bool(const StoredEvent&)>&) override { return Status(); }
  Status delete_stream(StreamId, uint64_t) override { return Status(); }

 private:
  Status result_;
  std::vector<std::thread> threads_;
};

TEST(EventLog, AppendAndWaitReturnsTheResultOfACallbackRunOnAnotherThread) {
  AsyncLog failing(Status(Code::no_space, "full"));
  Status s = failing.append_and_wait(request(transfer(1), 0, {tagged_event(1, "a")}));
  EXPECT_EQ(s.code(), Code::no_space);
  EXPECT_EQ(s.message(), "full");
  AsyncLog ok(Status{});
  EXPECT_TRUE(ok.append_and_wait(request(transfer(1), 0, {tagged_event(1, "a")})).ok());
}

TEST(EventLog, AppendAndWaitWorksWithAnInlineCallback) {
  auto log = new_memory_log();
  EXPECT_TRUE(log->append_and_wait(request(inbox(1), 0, {tagged_event(1, "a")})).ok());
  EXPECT_EQ(log->append_and_wait(request(inbox(1), 0, {tagged_event(1, "a")})).code(),
            Code::conflict);
}

TEST(EventLogWrapper, ForwardsEveryCallToItsTarget) {
  auto inner = new_memory_log();
  EventLogWrapper wrapper(inner.get());
  EXPECT_EQ(wrapper.target(), inner.get());
  AppendRequest request;
  request.stream = StreamId{StreamKind::inbox, 7};
  request.events = {tagged_event(1, "through the wrapper")};
  ASSERT_TRUE(wrapper.append_and_wait(std::move(request)).ok());
  uint64_t next = 0;
  ASSERT_TRUE(inner->next_seq(StreamId{StreamKind::inbox, 7}, &next).ok());
  EXPECT_EQ(next, 1u);
  ASSERT_TRUE(wrapper.next_seq(StreamId{StreamKind::inbox, 7}, &next).ok());
  EXPECT_EQ(next, 1u);
  int replayed = 0;
  ASSERT_TRUE(wrapper.replay(StreamId{StreamKind::inbox, 7}, 0, [&](uint64_t, std::string_view) {
    ++replayed;
    return true;
  }).ok());
  EXPECT_EQ(replayed, 1);
}

}  // namespace
}  // namespace glimpse::storage::testing
