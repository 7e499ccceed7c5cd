#pragma once
// Fixtures shared by the RocksDB log's tests.
#include <gtest/gtest.h>

#include <condition_variable>
#include <memory>
#include <mutex>

#include "storage/rocksdb_log.hpp"
#include "tests/storage/temp_dir.hpp"
#include "tests/storage/test_events.hpp"

namespace rocksdb {
class Env;
}

namespace glimpse::storage::testing {

// A latch the test opens once.
class Gate {
 public:
  void open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Holds the writer thread inside a callback: after hold_writer() returns, the
// writer is parked and everything appended until release() forms the next
// group, so tests decide exactly what a group holds.
class WriterHold {
 public:
  void hold_writer(EventLog& log, StreamId stream) {
    log.append(request(stream, 0, {tagged_event(0, "hold")}), [this](Status s) {
      EXPECT_TRUE(s.ok()) << s.to_string();
      entered_.open();
      release_.wait();
    });
    entered_.wait();
  }
  void release() { release_.open(); }

 private:
  Gate entered_, release_;
};

class RocksDbLogTest : public ::testing::Test {
 protected:
  std::unique_ptr<RocksDbLog> open(Durability durability = Durability::sync,
                                   rocksdb::Env* env = nullptr) {
    RocksDbOptions options;
    options.path = dir_.sub("db");
    options.durability = durability;
    options.env = env;
    std::unique_ptr<RocksDbLog> log;
    Status s = open_rocksdb_log(options, &log);
    EXPECT_TRUE(s.ok()) << s.to_string();
    return log;
  }
  static AppendRequest chunk_batch(uint64_t transfer_id, uint64_t seq, size_t chunk_size) {
    AppendRequest r = request(transfer(transfer_id), seq,
                              {chunk_event(seq, seq * chunk_size, chunk_size)});
    r.chunks = {ChunkPut{seq * chunk_size, pattern_bytes(seq * chunk_size, chunk_size)}};
    return r;
  }
  static uint64_t next(EventLog& log, StreamId s) {
    uint64_t n = 999;
    EXPECT_TRUE(log.next_seq(s, &n).ok());
    return n;
  }

  TempDir dir_;
};


}  // namespace glimpse::storage::testing
