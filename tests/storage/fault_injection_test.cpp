#include "storage/fault_injection.hpp"

#include <gtest/gtest.h>

#include "storage/rocksdb_log.hpp"
#include "tests/storage/event_log_contract.hpp"
#include "tests/storage/temp_dir.hpp"

namespace glimpse::storage::testing {
namespace {

// With nothing armed the wrapper keeps the whole contract.
struct UnarmedWrapperFactory {
  std::unique_ptr<EventLog> inner = new_memory_log();
  std::unique_ptr<EventLog> open() { return std::make_unique<FaultInjectionLog>(inner.get()); }
};
INSTANTIATE_TYPED_TEST_SUITE_P(FaultInjectionUnarmed, EventLogContractTest, UnarmedWrapperFactory);

class FaultInjectionTest : public ::testing::Test {
 protected:
  AppendRequest batch(uint64_t seq) {
    AppendRequest r = request(transfer(1), seq, {chunk_event(seq, seq * 10, 10)});
    r.chunks = {ChunkPut{seq * 10, pattern_bytes(seq * 10, 10)}};
    r.index = {IndexPut{"k" + std::to_string(seq), "v"}};
    return r;
  }
  uint64_t inner_next() {
    uint64_t n = 0;
    EXPECT_TRUE(inner_->next_seq(transfer(1), &n).ok());
    return n;
  }

  std::unique_ptr<EventLog> inner_ = new_memory_log();
  FaultInjectionLog log_{inner_.get()};
};

TEST_F(FaultInjectionTest, FailedAppendWritesNothingAndReportsTheArmedCode) {
  log_.fail_next_appends(Code::no_space);
  Status s = log_.append_and_wait(batch(0));
  EXPECT_EQ(s.code(), Code::no_space) << s.to_string();
  EXPECT_EQ(inner_next(), 0u);
  std::string out;
  EXPECT_EQ(inner_->read_chunks(1, 0, 10, &out).code(), Code::not_found);
  EXPECT_EQ(inner_->get_index("k0", &out).code(), Code::not_found);
  EXPECT_TRUE(log_.append_and_wait(batch(0)).ok());  // fault consumed
  EXPECT_EQ(log_.appends_injected(), 1u);
}

TEST_F(FaultInjectionTest, FailsAsManyAppendsAsArmed) {
  log_.fail_next_appends(Code::io_error, 2);
  EXPECT_EQ(log_.append_and_wait(batch(0)).code(), Code::io_error);
  EXPECT_EQ(log_.append_and_wait(batch(0)).code(), Code::io_error);
  EXPECT_TRUE(log_.append_and_wait(batch(0)).ok());
}

TEST_F(FaultInjectionTest, SyncFailureReportsAnErrorButLeavesTheBatchInTheLog) {
  ASSERT_TRUE(log_.append_and_wait(batch(0)).ok());
  log_.fail_next_sync();
  Status s = log_.append_and_wait(batch(1));
  EXPECT_EQ(s.code(), Code::io_error) << s.to_string();
  // The write reached the log: a recovering reader sees all of it.
  EXPECT_EQ(inner_next(), 2u);
  std::string out;
  ASSERT_TRUE(log_.read_chunks(1, 10, 10, &out).ok());
  EXPECT_EQ(out, pattern_bytes(10, 10));
  EXPECT_TRUE(log_.get_index("k1", &out).ok());
  // Retrying the same batch is refused; the caller must recover instead.
  EXPECT_EQ(log_.append_and_wait(batch(1)).code(), Code::conflict);
}

TEST_F(FaultInjectionTest, HeldAppendsWriteNothingUntilReleasedThenPassInOrder) {
  log_.hold_appends();
  std::vector<int> done;
  log_.append(batch(0), [&](Status s) { done.push_back(s.ok() ? 0 : -1); });
  log_.append(batch(1), [&](Status s) { done.push_back(s.ok() ? 1 : -1); });
  EXPECT_EQ(log_.wait_held(2), (std::vector<size_t>{1, 1}));
  EXPECT_EQ(inner_next(), 0u);
  EXPECT_TRUE(done.empty());
  log_.release_held();
  EXPECT_EQ(done, (std::vector<int>{0, 1}));
  EXPECT_EQ(inner_next(), 2u);
  log_.append(batch(2), [&](Status s) { done.push_back(s.ok() ? 2 : -1); });
  EXPECT_EQ(log_.wait_held(1).size(), 1u) << "holding goes on after a release";
  log_.heal();
  EXPECT_EQ(done, (std::vector<int>{0, 1, 2}));
  EXPECT_TRUE(log_.append_and_wait(batch(3)).ok()) << "heal stops holding";
}

TEST_F(FaultInjectionTest, DeathAfterWriteRepliesClosedAndRefusesEverythingAfter) {
  log_.die_after_next_write();
  Status s = log_.append_and_wait(batch(0));
  EXPECT_EQ(s.code(), Code::closed);
  EXPECT_TRUE(log_.dead());
  EXPECT_EQ(inner_next(), 1u);  // the write is on "disk"
  EXPECT_EQ(log_.append_and_wait(batch(1)).code(), Code::closed);
  EXPECT_EQ(inner_next(), 1u);
  uint64_t n = 0;
  std::string out;
  EXPECT_EQ(log_.next_seq(transfer(1), &n).code(), Code::closed);
  EXPECT_EQ(log_.read_chunks(1, 0, 10, &out).code(), Code::closed);
  EXPECT_EQ(log_.replay(transfer(1), 0, [](uint64_t, std::string_view) { return true; }).code(),
            Code::closed);
  EXPECT_EQ(log_.delete_stream(transfer(1), 0).code(), Code::closed);
  // A "restart" over the same disk sees the batch that was never acknowledged.
  log_.heal();
  ASSERT_TRUE(log_.next_seq(transfer(1), &n).ok());
  EXPECT_EQ(n, 1u);
}

TEST_F(FaultInjectionTest, SilentDeathNeverRunsTheCallback) {
  log_.die_after_next_write(FaultInjectionLog::DeathReply::none);
  bool called = false;
  log_.append(batch(0), [&](Status) { called = true; });
  EXPECT_FALSE(called);
  EXPECT_TRUE(log_.dead());
  EXPECT_EQ(inner_next(), 1u);
}

TEST_F(FaultInjectionTest, KillWritesNothing) {
  log_.kill();
  EXPECT_EQ(log_.append_and_wait(batch(0)).code(), Code::closed);
  EXPECT_EQ(inner_next(), 0u);
}

TEST_F(FaultInjectionTest, ReadFaultsFailTheNextReads) {
  ASSERT_TRUE(log_.append_and_wait(batch(0)).ok());
  log_.fail_next_reads(Code::corruption);
  EXPECT_EQ(log_.replay(transfer(1), 0, [](uint64_t, std::string_view) { return true; }).code(),
            Code::corruption);
  std::string out;
  EXPECT_TRUE(log_.read_chunks(1, 0, 10, &out).ok());
}

TEST_F(FaultInjectionTest, FaultsApplyInArmingOrderAcrossKinds) {
  log_.fail_next_appends(Code::io_error);
  log_.fail_next_sync();
  EXPECT_EQ(log_.append_and_wait(batch(0)).code(), Code::io_error);
  EXPECT_EQ(inner_next(), 0u);  // the write fault came first: nothing written
  EXPECT_EQ(log_.append_and_wait(batch(0)).code(), Code::io_error);
  EXPECT_EQ(inner_next(), 1u);  // then the sync fault: written, not acknowledged
  EXPECT_EQ(log_.appends_seen(), 2u);
}

// Over a real RocksDB directory: a death between write and reply leaves a
// batch that nobody acknowledged, and a restarted process recovers it.
TEST(FaultInjectionOverRocksDb, DeathAfterWriteLeavesTheBatchForTheRestartedProcess) {
  TempDir dir;
  RocksDbOptions options;
  options.path = dir.sub("db");
  {
    std::unique_ptr<EventLog> disk;
    ASSERT_TRUE(open_rocksdb_log(options, &disk).ok());
    FaultInjectionLog log(disk.get());
    ASSERT_TRUE(log.append_and_wait(request(transfer(1), 0, {tagged_event(1, "acked")})).ok());
    log.die_after_next_write();
    EXPECT_EQ(log.append_and_wait(request(transfer(1), 1, {tagged_event(2, "unacked")})).code(),
              Code::closed);
  }
  std::unique_ptr<EventLog> disk;
  ASSERT_TRUE(open_rocksdb_log(options, &disk).ok());
  std::vector<std::string> events;
  ASSERT_TRUE(disk->replay(transfer(1), 0, [&](uint64_t, std::string_view e) {
                     events.emplace_back(e);
                     return true;
                   }).ok());
  EXPECT_EQ(events, (std::vector<std::string>{tagged_event(1, "acked"), tagged_event(2, "unacked")}));
}

}  // namespace
}  // namespace glimpse::storage::testing
