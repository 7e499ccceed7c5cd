// The RocksDB log's group-commit writer (storage/rocksdb_writer.cpp): how
// requests are grouped, ordered, refused, drained, and failed on write errors.
#include <gtest/gtest.h>
#include <rocksdb/env.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <thread>

#include "tests/storage/faulty_fs.hpp"
#include "tests/storage/rocksdb_test_util.hpp"

namespace glimpse::storage::testing {
namespace {

using RocksDbWriterTest = RocksDbLogTest;

TEST_F(RocksDbWriterTest, QueuedAppendsShareOneWriteGroupAndOneSync) {
  auto log = open();
  WriterHold hold;
  hold.hold_writer(*log, inbox(99));
  std::atomic<int> ok{0};
  constexpr int kAppends = 500;
  for (int i = 0; i < kAppends; ++i) {
    log->append(chunk_batch(1 + i % 10, i / 10, 100), [&](Status s) { ok += s.ok(); });
  }
  hold.release();
  log->drain();
  EXPECT_EQ(ok.load(), kAppends);
  RocksDbStats stats = log->stats();
  EXPECT_EQ(stats.appends, kAppends + 1u);
  EXPECT_EQ(stats.appends_ok, kAppends + 1u);
  EXPECT_EQ(stats.write_groups, 2u);
  EXPECT_EQ(stats.syncs, 2u);
  EXPECT_EQ(stats.largest_group, static_cast<uint64_t>(kAppends));
  for (uint64_t t = 1; t <= 10; ++t) EXPECT_EQ(next(*log, transfer(t)), 50u) << t;
}

TEST_F(RocksDbWriterTest, ManyThreadsAppendConcurrentlyAndKeepPerStreamOrder) {
  auto log = open();
  constexpr int kThreads = 8, kPerThread = 100;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (uint64_t seq = 0; seq < kPerThread; ++seq) {
        AppendRequest r = chunk_batch(100 + t, seq, 1024);
        r.events = {tagged_event(seq, std::to_string(t) + "/" + std::to_string(seq))};
        if (!log->append_and_wait(std::move(r)).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  for (int t = 0; t < kThreads; ++t) {
    uint64_t expect = 0;
    ASSERT_TRUE(log->replay(transfer(100 + t), 0,
                            [&](uint64_t seq, std::string_view e) {
                              EXPECT_EQ(seq, expect);
                              EXPECT_EQ(e, tagged_event(
                                               seq, std::to_string(t) + "/" + std::to_string(seq)));
                              ++expect;
                              return true;
                            })
                    .ok());
    EXPECT_EQ(expect, kPerThread);
  }
  RocksDbStats stats = log->stats();
  EXPECT_EQ(stats.appends_ok, uint64_t{kThreads * kPerThread});
  EXPECT_EQ(stats.syncs, stats.write_groups);
  EXPECT_LT(stats.syncs, stats.appends) << "no append shared a sync";
  std::cout << "[ stats    ] " << stats.appends << " appends in " << stats.write_groups
            << " synced groups, largest " << stats.largest_group << "\n";
}

TEST_F(RocksDbWriterTest, ConflictInAGroupFailsOnlyThatRequest) {
  auto log = open();
  WriterHold hold;
  hold.hold_writer(*log, inbox(9));
  std::vector<Status> results(3);
  log->append(request(inbox(1), 0, {tagged_event(1, "a")}), [&](Status s) { results[0] = s; });
  log->append(request(inbox(1), 0, {tagged_event(2, "dup")}), [&](Status s) { results[1] = s; });
  log->append(request(inbox(1), 1, {tagged_event(3, "b")}), [&](Status s) { results[2] = s; });
  hold.release();
  log->drain();
  EXPECT_TRUE(results[0].ok());
  EXPECT_EQ(results[1].code(), Code::conflict) << results[1].to_string();
  EXPECT_TRUE(results[2].ok()) << results[2].to_string();
  EXPECT_EQ(next(*log, inbox(1)), 2u);
  EXPECT_EQ(log->stats().write_groups, 2u);
}

TEST_F(RocksDbWriterTest, DestructorFinishesEveryQueuedAppend) {
  std::atomic<int> ok{0};
  {
    auto log = open(Durability::buffered);
    for (uint64_t seq = 0; seq < 200; ++seq) {
      log->append(chunk_batch(3, seq, 512), [&](Status s) { ok += s.ok(); });
    }
  }
  EXPECT_EQ(ok.load(), 200);
  auto log = open();
  EXPECT_EQ(next(*log, transfer(3)), 200u);
}

// A failed WAL write fails the whole group, acknowledges nothing, and leaves
// next_seq at what RocksDB holds; after a reopen every acknowledged batch is
// there.
void check_write_fault(TempDir& dir, FaultyFileSystem::Fault fault, Code expected) {
  auto fs = std::make_shared<FaultyFileSystem>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  RocksDbOptions options;
  options.path = dir.sub("db");
  options.env = env.get();
  std::unique_ptr<RocksDbLog> log;
  ASSERT_TRUE(open_rocksdb_log(options, &log).ok());
  for (uint64_t seq = 0; seq < 5; ++seq) {
    ASSERT_TRUE(log->append_and_wait(request(transfer(1), seq, {tagged_event(seq, "ok")})).ok());
  }
  WriterHold hold;
  hold.hold_writer(*log, transfer(9));
  fs->arm(fault);
  std::vector<Status> results(3);
  log->append(request(transfer(1), 5, {tagged_event(5, "x")}), [&](Status s) { results[0] = s; });
  log->append(request(transfer(2), 0, {tagged_event(5, "y")}), [&](Status s) { results[1] = s; });
  log->append(request(transfer(1), 6, {tagged_event(6, "z")}), [&](Status s) { results[2] = s; });
  hold.release();
  log->drain();
  for (const Status& s : results) {
    EXPECT_EQ(s.code(), expected) << s.to_string();
    EXPECT_NE(s.message().find(options.path), std::string::npos) << s.to_string();
  }
  EXPECT_EQ(log->stats().write_errors, 1u);
  uint64_t n = 0;
  ASSERT_TRUE(log->next_seq(transfer(1), &n).ok());
  EXPECT_EQ(n, 5u);  // nothing of the failed group is visible in this process
  fs->arm(FaultyFileSystem::Fault::none);
  log.reset();
  ASSERT_TRUE(open_rocksdb_log(options, &log).ok());
  ASSERT_TRUE(log->next_seq(transfer(1), &n).ok());
  // The acknowledged five are there; the failed group's record may or may not
  // have reached the WAL (outcome unknown, as the contract says).
  EXPECT_TRUE(n == 5u || n == 7u) << n;
  std::cout << "[ fault    ] after reopen, transfer 1 has " << n << " events\n";
}

TEST_F(RocksDbWriterTest, WalSyncFailureFailsTheGroupWithIoErrorAndAcknowledgesNothing) {
  check_write_fault(dir_, FaultyFileSystem::Fault::wal_sync_io_error, Code::io_error);
}

TEST_F(RocksDbWriterTest, WalOutOfSpaceFailsTheGroupWithNoSpace) {
  check_write_fault(dir_, FaultyFileSystem::Fault::wal_append_no_space, Code::no_space);
}

// A log in `dir` over a file system whose faults the test arms; the Env
// outlives the log (destroy the log first).
struct FaultyLog {
  std::shared_ptr<FaultyFileSystem> fs = std::make_shared<FaultyFileSystem>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  RocksDbOptions options;
  std::unique_ptr<RocksDbLog> log;
  std::vector<Status> unrecoverable;  // what on_unrecoverable was called with

  explicit FaultyLog(TempDir& dir) {
    options.path = dir.sub("db");
    options.env = env.get();
    options.on_unrecoverable = [this](const Status& why) { unrecoverable.push_back(why); };
    EXPECT_TRUE(open_rocksdb_log(options, &log).ok());
  }
  ~FaultyLog() { log.reset(); }

  // on_unrecoverable ran exactly once, with `first`, however often appends
  // fail after it.
  void expect_reported_unrecoverable_once(const Status& first) {
    EXPECT_EQ(log->append_and_wait(request(transfer(1), 1, {tagged_event(1, "again")})).code(),
              first.code());
    ASSERT_EQ(unrecoverable.size(), 1u);
    EXPECT_EQ(unrecoverable[0].to_string(), first.to_string());
  }

  // Reopens (a restart) and checks that transfer 1 takes appends again, at
  // its next seq, which must be one of `expected`.
  void expect_restart_recovers(std::initializer_list<uint64_t> expected) {
    log.reset();
    ASSERT_TRUE(open_rocksdb_log(options, &log).ok());
    uint64_t n = 0;
    ASSERT_TRUE(log->next_seq(transfer(1), &n).ok());
    EXPECT_NE(std::find(expected.begin(), expected.end(), n), expected.end()) << n;
    EXPECT_TRUE(log->append_and_wait(request(transfer(1), n, {tagged_event(2, "z")})).ok());
  }
};

// After a write error the next group calls DB::Resume(): while the fault lasts
// every append still fails with it (nothing acknowledged); once it is gone
// the log writes again without a restart, and a reopen shows exactly the
// acknowledged batches (the failed group's record does not come back).
void check_resume_after_fault(TempDir& dir, FaultyFileSystem::Fault fault, Code expected) {
  FaultyLog faulty(dir);
  auto& fs = faulty.fs;
  auto& log = faulty.log;
  for (uint64_t seq = 0; seq < 5; ++seq) {
    ASSERT_TRUE(log->append_and_wait(request(transfer(1), seq, {tagged_event(seq, "ok")})).ok());
  }
  fs->arm(fault);
  Status failed = log->append_and_wait(
      request(transfer(1), 5, {tagged_event(5, "lost"), tagged_event(6, "lost")}));
  EXPECT_EQ(failed.code(), expected) << failed.to_string();
  fs->arm(FaultyFileSystem::Fault::none);
  Status back = log->append_and_wait(request(transfer(1), 5, {tagged_event(5, "new")}));
  ASSERT_TRUE(back.ok()) << back.to_string();
  EXPECT_GE(log->stats().resumes, 1u);
  EXPECT_TRUE(faulty.unrecoverable.empty());
  EXPECT_TRUE(log->append_and_wait(request(transfer(2), 0, {tagged_event(7, "other")})).ok());
  log.reset();
  ASSERT_TRUE(open_rocksdb_log(faulty.options, &log).ok());
  std::vector<std::string> events;
  ASSERT_TRUE(log->replay(transfer(1), 0,
                          [&](uint64_t, std::string_view e) {
                            events.emplace_back(e);
                            return true;
                          })
                  .ok());
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[5], tagged_event(5, "new"));
  uint64_t n = 0;
  ASSERT_TRUE(log->next_seq(transfer(2), &n).ok());
  EXPECT_EQ(n, 1u);
}

TEST_F(RocksDbWriterTest, AfterWalOutOfSpaceTheNextAppendResumesOnceSpaceIsBack) {
  check_resume_after_fault(dir_, FaultyFileSystem::Fault::wal_append_no_space, Code::no_space);
}

// RocksDB treats a failed WAL sync as fatal (what reached the disk is
// unknown): Resume() refuses, every later append fails saying so, and a
// restart (reopen) recovers everything acknowledged.
// A second failure right after a resume (the disk still full) leaves every
// memtable empty, and RocksDB cannot resume from that state (see
// resume_if_needed): appends fail, saying to restart, and never crash.
// Either way the log tells its owner once (on_unrecoverable).
TEST_F(RocksDbWriterTest, AFailureRightAfterAResumeFailsAppendsUntilARestartAndTellsTheOwnerOnce) {
  FaultyLog faulty(dir_);
  auto& fs = faulty.fs;
  auto& log = faulty.log;
  ASSERT_TRUE(log->append_and_wait(request(transfer(1), 0, {tagged_event(0, "ok")})).ok());
  fs->arm(FaultyFileSystem::Fault::wal_append_no_space);
  EXPECT_EQ(log->append_and_wait(request(transfer(1), 1, {tagged_event(1, "x")})).code(),
            Code::no_space);
  EXPECT_EQ(log->append_and_wait(request(transfer(1), 1, {tagged_event(1, "x")})).code(),
            Code::no_space);  // resumed, and failed again
  fs->arm(FaultyFileSystem::Fault::none);
  Status s = log->append_and_wait(request(transfer(1), 1, {tagged_event(1, "y")}));
  EXPECT_EQ(s.code(), Code::io_error) << s.to_string();
  EXPECT_NE(s.message().find("restart glimpsed"), std::string::npos) << s.to_string();
  faulty.expect_reported_unrecoverable_once(s);
  faulty.expect_restart_recovers({1});
}

TEST_F(RocksDbWriterTest, AfterAWalSyncFailureAppendsFailUntilARestartAndTellsTheOwnerOnce) {
  FaultyLog faulty(dir_);
  auto& fs = faulty.fs;
  auto& log = faulty.log;
  ASSERT_TRUE(log->append_and_wait(request(transfer(1), 0, {tagged_event(0, "ok")})).ok());
  fs->arm(FaultyFileSystem::Fault::wal_sync_io_error);
  EXPECT_EQ(log->append_and_wait(request(transfer(1), 1, {tagged_event(1, "x")})).code(),
            Code::io_error);
  fs->arm(FaultyFileSystem::Fault::none);
  Status s = log->append_and_wait(request(transfer(1), 1, {tagged_event(1, "y")}));
  EXPECT_EQ(s.code(), Code::io_error) << s.to_string();
  EXPECT_NE(s.message().find("restart glimpsed"), std::string::npos) << s.to_string();
  faulty.expect_reported_unrecoverable_once(s);
  EXPECT_EQ(log->stats().resumes, 0u);
  faulty.expect_restart_recovers({1, 2});  // the failed sync's record: outcome unknown
}

// The disk fills while the node runs: appends that would leave less than
// min_free_bytes are refused before anything is written, deletions still
// pass (they free space), and appends pass again once space is back.
TEST_F(RocksDbWriterTest, AppendsThatWouldLeaveTooLittleFreeSpaceAreRefusedUntilSpaceIsBack) {
  std::atomic<uint64_t> free_bytes{1ull << 30};
  RocksDbOptions options;
  options.path = dir_.sub("db");
  options.min_free_bytes = 96ull << 20;
  options.free_space_probe = [&] { return std::optional<uint64_t>(free_bytes.load()); };
  std::unique_ptr<RocksDbLog> log;
  ASSERT_TRUE(open_rocksdb_log(options, &log).ok());
  ASSERT_TRUE(log->append_and_wait(chunk_batch(1, 0, 1000)).ok());
  ASSERT_TRUE(log->append_and_wait(chunk_batch(2, 0, 1000)).ok());

  free_bytes = (96ull << 20) + 500;  // less than min_free_bytes + the next chunk
  Status s = log->append_and_wait(chunk_batch(1, 1, 1000));
  EXPECT_EQ(s.code(), Code::no_space) << s.to_string();
  EXPECT_NE(s.message().find("free disk space"), std::string::npos) << s.to_string();
  EXPECT_NE(s.message().find(options.path), std::string::npos) << s.to_string();
  EXPECT_EQ(next(*log, transfer(1)), 1u) << "nothing of the refused append is stored";
  std::string out;
  EXPECT_EQ(log->read_chunks(1, 1000, 1000, &out).code(), Code::not_found);
  ASSERT_TRUE(log->read_chunks(1, 0, 1000, &out).ok()) << "what was stored stays readable";
  EXPECT_EQ(out, pattern_bytes(0, 1000));
  EXPECT_TRUE(log->delete_stream(transfer(2), 1).ok()) << "a deletion frees space, so it passes";
  EXPECT_EQ(log->stats().space_refusals, 1u);
  EXPECT_EQ(log->stats().write_errors, 0u) << "refused before RocksDB saw it";

  free_bytes = 1ull << 30;
  ASSERT_TRUE(log->append_and_wait(chunk_batch(1, 1, 1000)).ok());
  ASSERT_TRUE(log->read_chunks(1, 1000, 1000, &out).ok());
  EXPECT_EQ(out, pattern_bytes(1000, 1000));
}

// Within one group, the appends that fit are written and only the rest are
// refused.
TEST_F(RocksDbWriterTest, InAGroupOnlyTheAppendsBeyondTheFreeSpaceAreRefused) {
  RocksDbOptions options;
  options.path = dir_.sub("db");
  options.min_free_bytes = 1ull << 20;
  // Room for the held append and two more 1000-byte chunks with their events.
  options.free_space_probe = [] { return std::optional<uint64_t>((1ull << 20) + 2500); };
  std::unique_ptr<RocksDbLog> log;
  ASSERT_TRUE(open_rocksdb_log(options, &log).ok());
  WriterHold hold;
  hold.hold_writer(*log, inbox(99));
  std::vector<Status> results(4);
  for (int t = 0; t < 4; ++t)
    log->append(chunk_batch(1 + t, 0, 1000), [&results, t](Status s) { results[t] = s; });
  hold.release();
  log->drain();
  EXPECT_TRUE(results[0].ok()) << results[0].to_string();
  EXPECT_TRUE(results[1].ok()) << results[1].to_string();
  EXPECT_EQ(results[2].code(), Code::no_space) << results[2].to_string();
  EXPECT_EQ(results[3].code(), Code::no_space) << results[3].to_string();
  EXPECT_EQ(next(*log, transfer(2)), 1u);
  EXPECT_EQ(next(*log, transfer(3)), 0u);
}

TEST_F(RocksDbWriterTest, ADeletionRemovesIndexEntriesWrittenEarlierInItsGroup) {
  auto log = open();
  WriterHold hold;
  hold.hold_writer(*log, transfer(9));
  AppendRequest r = request(transfer(3), 0, {tagged_event(1, "a")});
  r.index = {IndexPut{"idx/3", "x"}};
  Status appended;
  log->append(std::move(r), [&](Status s) { appended = s; });
  Status deleted;
  std::thread deleter([&] { deleted = log->delete_stream(transfer(3), 1); });
  while (log->stats().deletes < 1) std::this_thread::yield();  // queued behind the append
  hold.release();
  deleter.join();
  EXPECT_TRUE(appended.ok()) << appended.to_string();
  EXPECT_TRUE(deleted.ok()) << deleted.to_string();
  std::string out;
  EXPECT_EQ(log->get_index("idx/3", &out).code(), Code::not_found);
  EXPECT_EQ(next(*log, transfer(3)), 0u);
}

}  // namespace
}  // namespace glimpse::storage::testing
