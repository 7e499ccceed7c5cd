#include "storage/rocksdb_log.hpp"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <filesystem>

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
      AppendRequest r = chunk_batch(7, seq, 64 * 1024);  // above min_blob_size: blob files
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

// Enough chunk bytes to fill a memtable, so a flush moves them into blob
// files (with O_DIRECT where the directory accepts it): read back the same
// before and after reopening.
TEST_F(RocksDbLogTest, ChunksFlushedToBlobFilesReadBackTheSame) {
  constexpr size_t kChunk = 1 << 20;
  constexpr uint64_t kChunks = 80;  // > the 64 MiB memtable
  TempDir dir;
  RocksDbOptions options;
  options.path = dir.sub("db");
  options.durability = Durability::buffered;
  {
    std::unique_ptr<RocksDbLog> log;
    ASSERT_TRUE(open_rocksdb_log(options, &log).ok());
    for (uint64_t seq = 0; seq < kChunks; ++seq)
      ASSERT_TRUE(log->append_and_wait(chunk_batch(9, seq, kChunk)).ok());
    std::string out;
    ASSERT_TRUE(log->read_chunks(9, 0, kChunks * kChunk, &out).ok());
    EXPECT_TRUE(out == pattern_bytes(0, kChunks * kChunk));
  }
  bool blob_file = false;
  for (const auto& e : std::filesystem::directory_iterator(options.path))
    blob_file |= e.path().extension() == ".blob";
  EXPECT_TRUE(blob_file) << "no flush to blob files happened";
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

// Sets meta/format_version of the (closed) log at `path` to `version`,
// returning what was there.
std::string rewrite_format_version(const std::string& path, const std::string& version) {
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const char* name : {"default", "events", "chunks", "index", "meta", "owners"}) {
    cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  EXPECT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), path, cfs, &handles, &db).ok());
  if (db == nullptr) return "";
  std::string old;
  EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), handles[4], "format_version", &old).ok());
  if (!version.empty()) {
    EXPECT_TRUE(db->Put(rocksdb::WriteOptions(), handles[4], "format_version", version).ok());
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  delete db;
  return old;
}

TEST_F(RocksDbLogTest, RefusesADirectoryOfANewerFormat) {
  open().reset();
  EXPECT_EQ(rewrite_format_version(dir_.sub("db"), "3"), "2");
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
  EXPECT_EQ(rewrite_format_version(dir_.sub("db"), ""), "2");
}
}  // namespace
}  // namespace glimpse::storage::testing
