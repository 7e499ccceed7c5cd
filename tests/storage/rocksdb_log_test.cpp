#include "storage/rocksdb_log.hpp"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <thread>

#include "storage/rocksdb_keys.hpp"

#include "tests/storage/event_log_contract.hpp"
#include "tests/storage/rocksdb_test_util.hpp"

namespace glimpse::storage::testing {
namespace {

struct RocksDbLogFactory {
  TempDir dir;
  std::unique_ptr<EventLog> open() {
    RocksDbOptions options;
    options.path = dir.sub("db");
    std::unique_ptr<EventLog> log;
    Status s = open_rocksdb_log(options, &log);
    EXPECT_TRUE(s.ok()) << s.to_string();
    return log;
  }
};
INSTANTIATE_TYPED_TEST_SUITE_P(RocksDb, EventLogContractTest, RocksDbLogFactory);

TEST_F(RocksDbLogTest, ReopenKeepsEventsChunksIndexAndNextSeq) {
  {
    auto log = open();
    for (uint64_t seq = 0; seq < 3; ++seq) {
      AppendRequest r = chunk_batch(7, seq, 64 * 1024);
      r.index = {IndexPut{"rcv/" + std::to_string(seq), "7"}};
      ASSERT_TRUE(log->append_and_wait(std::move(r)).ok());
    }
    ASSERT_TRUE(log->append_and_wait(request(inbox(2), 0, {tagged_event(5, "n")})).ok());
  }
  auto log = open();
  EXPECT_EQ(next(*log, transfer(7)), 3u);
  EXPECT_EQ(next(*log, inbox(2)), 1u);
  std::string out;
  ASSERT_TRUE(log->read_chunks(7, 1000, 3 * 65536 - 2000, &out).ok());
  EXPECT_EQ(out, pattern_bytes(1000, 3 * 65536 - 2000));
  ASSERT_TRUE(log->get_index("rcv/2", &out).ok());
  EXPECT_EQ(out, "7");
  EXPECT_EQ(log->append_and_wait(chunk_batch(7, 2, 10)).code(), Code::conflict);
  EXPECT_TRUE(log->append_and_wait(chunk_batch(7, 3, 10)).ok());
}

uint64_t bytes_in(const std::string& dir, const std::string& extension) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == extension) total += e.file_size();
  return total;
}

// 80 MiB of chunks across 16 MiB value segments: the bytes are written once,
// into segments (not RocksDB's WAL or blob files), and read back the same
// before and after reopening.
TEST_F(RocksDbLogTest, ChunkBytesGoToValueSegmentsOnceAndReadBackTheSame) {
  constexpr size_t kChunk = 1 << 20;
  constexpr uint64_t kChunks = 80;
  TempDir dir;
  RocksDbOptions options;
  options.path = dir.sub("db");
  options.value_segment_bytes = 16 << 20;
  {
    std::unique_ptr<RocksDbLog> log;
    ASSERT_TRUE(open_rocksdb_log(options, &log).ok());
    for (uint64_t seq = 0; seq < kChunks; ++seq)
      ASSERT_TRUE(log->append_and_wait(chunk_batch(9, seq, kChunk)).ok());
    std::string out;
    ASSERT_TRUE(log->read_chunks(9, 0, kChunks * kChunk, &out).ok());
    EXPECT_TRUE(out == pattern_bytes(0, kChunks * kChunk));
    EXPECT_LT(bytes_in(options.path, ".log") + bytes_in(options.path, ".blob"), kChunks * kChunk / 8);
  }
  const uint64_t in_segments = bytes_in(options.path + "/values", ".vlog");
  EXPECT_GE(in_segments, kChunks * kChunk);
  EXPECT_LT(in_segments, kChunks * kChunk * 102 / 100);  // headers and 4 KiB alignment
  size_t segments = 0;
  for (const auto& e : std::filesystem::directory_iterator(options.path + "/values"))
    segments += e.path().extension() == ".vlog";
  EXPECT_GE(segments, 5u);
  std::unique_ptr<RocksDbLog> log;
  ASSERT_TRUE(open_rocksdb_log(options, &log).ok());
  std::string out;
  ASSERT_TRUE(log->read_chunks(9, 0, kChunks * kChunk, &out).ok());
  EXPECT_TRUE(out == pattern_bytes(0, kChunks * kChunk));
  EXPECT_EQ(next(*log, transfer(9)), kChunks);
}

TEST_F(RocksDbLogTest, EveryDurabilityModeStoresAndReads) {
  for (Durability d : {Durability::sync, Durability::buffered, Durability::none}) {
    TempDir dir;
    RocksDbOptions options;
    options.path = dir.sub("db");
    options.durability = d;
    std::unique_ptr<RocksDbLog> log;
    ASSERT_TRUE(open_rocksdb_log(options, &log).ok());
    ASSERT_TRUE(log->append_and_wait(chunk_batch(1, 0, 10)).ok());
    std::string out;
    ASSERT_TRUE(log->read_chunks(1, 0, 10, &out).ok());
    EXPECT_EQ(log->stats().syncs, d == Durability::sync ? 1u : 0u);
  }
}

TEST_F(RocksDbLogTest, OpenOfAMissingDirectoryNamesThePath) {
  RocksDbOptions options;
  options.path = dir_.sub("nope");
  options.create_if_missing = false;
  std::unique_ptr<EventLog> log;
  Status s = open_rocksdb_log(options, &log);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(options.path), std::string::npos) << s.to_string();
  EXPECT_EQ(log, nullptr);
}

TEST_F(RocksDbLogTest, OpenOfADirectoryInUseSaysAnotherProcessHoldsIt) {
  auto first = open();
  RocksDbOptions options;
  options.path = dir_.sub("db");
  std::unique_ptr<EventLog> second;
  Status s = open_rocksdb_log(options, &second);
  EXPECT_EQ(s.code(), Code::io_error);
  EXPECT_NE(s.message().find("in use by another process"), std::string::npos) << s.to_string();
  EXPECT_EQ(second, nullptr);
  // The first is unharmed.
  EXPECT_TRUE(first->append_and_wait(request(transfer(1), 0, {tagged_event(0, "ok")})).ok());
}

TEST_F(RocksDbLogTest, OpenOnADiskWithTooLittleFreeSpaceIsRefusedWithNoSpace) {
  RocksDbOptions options;
  options.path = dir_.sub("full");
  options.min_free_bytes = ~0ull;  // more than any disk here has
  std::unique_ptr<EventLog> log;
  Status s = open_rocksdb_log(options, &log);
  EXPECT_EQ(s.code(), Code::no_space) << s.to_string();
  EXPECT_NE(s.message().find("free disk space"), std::string::npos) << s.to_string();
  EXPECT_NE(s.message().find(options.path), std::string::npos) << s.to_string();
  EXPECT_EQ(log, nullptr);
  EXPECT_FALSE(std::filesystem::exists(options.path)) << "nothing is created on a refused open";
}

// Runs `edit` on the (closed) log at `path` opened as plain RocksDB, with
// handles in the order default, events, chunks, index, meta, owners, chunk_refs.
void edit_raw(const std::string& path,
              const std::function<void(rocksdb::DB*, std::vector<rocksdb::ColumnFamilyHandle*>&)>& edit) {
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const char* name : {"default", "events", "chunks", "index", "meta", "owners", "chunk_refs"}) {
    cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), path, cfs, &handles, &db).ok());
  edit(db, handles);
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  delete db;
}

// Sets meta/format_version of the (closed) log at `path` to `version`
// (unless empty), returning what was there.
std::string rewrite_format_version(const std::string& path, const std::string& version) {
  std::string old;
  edit_raw(path, [&](rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*>& h) {
    EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), h[4], "format_version", &old).ok());
    if (!version.empty()) {
      EXPECT_TRUE(db->Put(rocksdb::WriteOptions(), h[4], "format_version", version).ok());
    }
  });
  return old;
}

std::set<std::string> value_segments(const std::string& db_path) {
  std::set<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(db_path + "/values"))
    names.insert(e.path().filename().string());
  return names;
}

TEST_F(RocksDbLogTest, RefusesADirectoryOfANewerFormat) {
  open().reset();
  EXPECT_EQ(rewrite_format_version(dir_.sub("db"), "4"), "3");
  RocksDbOptions options;
  options.path = dir_.sub("db");
  std::unique_ptr<EventLog> log;
  Status s = open_rocksdb_log(options, &log);
  EXPECT_EQ(s.code(), Code::newer_version) << s.to_string();
}

TEST_F(RocksDbLogTest, UpgradesAFormat1DirectoryAndKeepsItsData) {
  auto log = open();
  ASSERT_TRUE(log->append_and_wait(request(transfer(1), 0, {tagged_event(1, "a")})).ok());
  log.reset();
  rewrite_format_version(dir_.sub("db"), "1");
  log = open();
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(next(*log, transfer(1)), 1u);
  log.reset();
  EXPECT_EQ(rewrite_format_version(dir_.sub("db"), ""), "3");
}

TEST_F(RocksDbLogTest, UpgradesAFormat2DirectoryByMovingChunkBytesIntoTheValueLog) {
  open().reset();
  edit_raw(dir_.sub("db"), [](rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*>& h) {
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), h[2], keys::chunk_key(5, 0), pattern_bytes(0, 70000)).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), h[2], keys::chunk_key(5, 70000),
                        pattern_bytes(70000, 1000)).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), h[4], "format_version", "2").ok());
  });
  {
    auto log = open();
    ASSERT_NE(log, nullptr);
    std::string out;
    Status s = log->read_chunks(5, 0, 71000, &out);
    ASSERT_TRUE(s.ok()) << s.to_string();
    EXPECT_TRUE(out == pattern_bytes(0, 71000));
  }
  EXPECT_EQ(rewrite_format_version(dir_.sub("db"), ""), "3");
  edit_raw(dir_.sub("db"), [](rocksdb::DB* db, std::vector<rocksdb::ColumnFamilyHandle*>& h) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), h[2]));
    it->SeekToFirst();
    EXPECT_FALSE(it->Valid()) << "format-2 chunk bytes left behind";
  });
  EXPECT_EQ(value_segments(dir_.sub("db")).size(), 1u);
}

// One 64 KiB chunk per transfer, one segment per chunk: deleting a transfer
// deletes its segment at once, except the one still being written to, which
// goes at the next open; segments something references stay.
TEST_F(RocksDbLogTest, ASegmentIsDeletedOnceNoTransferReferencesIt) {
  RocksDbOptions options;
  options.path = dir_.sub("db");
  options.value_segment_bytes = 64 << 10;
  {
    std::unique_ptr<RocksDbLog> log;
    ASSERT_TRUE(open_rocksdb_log(options, &log).ok());
    for (uint64_t t = 1; t <= 4; ++t) ASSERT_TRUE(log->append_and_wait(chunk_batch(t, 0, 64 << 10)).ok());
    EXPECT_EQ(value_segments(options.path),
              (std::set<std::string>{"00000001.vlog", "00000002.vlog", "00000003.vlog", "00000004.vlog"}));
    ASSERT_TRUE(log->delete_stream(transfer(1), 1).ok());
    ASSERT_TRUE(log->delete_stream(transfer(4), 1).ok());
    EXPECT_EQ(value_segments(options.path),
              (std::set<std::string>{"00000002.vlog", "00000003.vlog", "00000004.vlog"}));
    std::string out;
    ASSERT_TRUE(log->read_chunks(2, 0, 64 << 10, &out).ok());
    EXPECT_TRUE(out == pattern_bytes(0, 64 << 10));
    EXPECT_EQ(log->read_chunks(1, 0, 1, &out).code(), Code::not_found);
  }
  std::unique_ptr<RocksDbLog> log;
  ASSERT_TRUE(open_rocksdb_log(options, &log).ok());
  EXPECT_EQ(value_segments(options.path), (std::set<std::string>{"00000002.vlog", "00000003.vlog"}));
  std::string out;
  ASSERT_TRUE(log->read_chunks(3, 0, 64 << 10, &out).ok());
  EXPECT_TRUE(out == pattern_bytes(0, 64 << 10));
}

// A value written whose batch never reached RocksDB (a crash between the
// two writes) leaves a segment nothing references: the next open deletes it.
TEST_F(RocksDbLogTest, OpenDeletesValueSegmentsNothingReferences) {
  {
    auto log = open();
    ASSERT_TRUE(log->append_and_wait(chunk_batch(3, 0, 1000)).ok());
  }
  std::ofstream(dir_.sub("db") + "/values/00000042.vlog") << std::string(8192, 'x');
  auto log = open();
  EXPECT_EQ(value_segments(dir_.sub("db")), std::set<std::string>{"00000001.vlog"});
  std::string out;
  ASSERT_TRUE(log->read_chunks(3, 0, 1000, &out).ok());
  EXPECT_TRUE(out == pattern_bytes(0, 1000));
}

// Two deletions of one transfer in one group: the second (expected seq 0)
// must not count the transfer's references again, or a segment other
// transfers still use would be deleted.
TEST_F(RocksDbLogTest, DeletingATransferTwiceInOneGroupKeepsItsSegmentsNeighbours) {
  RocksDbOptions options;
  options.path = dir_.sub("db");
  options.value_segment_bytes = 4096;  // every group after the first starts a new segment
  std::unique_ptr<RocksDbLog> log;
  ASSERT_TRUE(open_rocksdb_log(options, &log).ok());
  auto wait_for = [&](auto done) {
    while (!done(log->stats())) std::this_thread::yield();
  };
  {
    WriterHold hold;
    hold.hold_writer(*log, inbox(90));
    log->append(chunk_batch(1, 0, 1000), [](Status s) { EXPECT_TRUE(s.ok()) << s.to_string(); });
    log->append(chunk_batch(2, 0, 1000), [](Status s) { EXPECT_TRUE(s.ok()) << s.to_string(); });
    hold.release();
    log->drain();
  }
  ASSERT_TRUE(log->append_and_wait(chunk_batch(3, 0, 1000)).ok());  // moves writes on
  {
    WriterHold hold;
    hold.hold_writer(*log, inbox(91));
    std::thread first([&] { EXPECT_TRUE(log->delete_stream(transfer(1), 1).ok()); });
    wait_for([](const RocksDbStats& s) { return s.deletes == 1; });
    std::thread again([&] { EXPECT_TRUE(log->delete_stream(transfer(1), 0).ok()); });
    wait_for([](const RocksDbStats& s) { return s.deletes == 2; });
    hold.release();
    first.join();
    again.join();
  }
  std::string out;
  Status s = log->read_chunks(2, 0, 1000, &out);
  ASSERT_TRUE(s.ok()) << s.to_string();
  EXPECT_TRUE(out == pattern_bytes(0, 1000));
}

}  // namespace
}  // namespace glimpse::storage::testing
