#include "storage/value_log.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/storage/temp_dir.hpp"
#include "tests/storage/test_events.hpp"
#include "util/crc32c.hpp"

namespace glimpse::storage::testing {
namespace {

class ValueLogTest : public ::testing::Test {
 protected:
  std::unique_ptr<ValueLog> open(uint64_t segment_bytes = 1 << 20) {
    ValueLogOptions options;
    options.dir = dir_.sub("values");
    options.segment_bytes = segment_bytes;
    std::unique_ptr<ValueLog> log;
    Status s = ValueLog::open(options, &log);
    EXPECT_TRUE(s.ok()) << s.to_string();
    return log;
  }
  static std::string read(const ValueLog& log, const ValueRef& ref, uint64_t transfer,
                          uint64_t offset) {
    std::string out;
    Status s = log.read(ref, transfer, offset, &out);
    EXPECT_TRUE(s.ok()) << s.to_string();
    return out;
  }
  // Flips one byte of the segment file at `at`.
  void flip_byte(const ValueLog& log, uint32_t segment, uint64_t at) {
    std::fstream f(log.segment_path(segment), std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(at));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x40);
    f.seekp(static_cast<std::streamoff>(at));
    f.write(&c, 1);
  }

  TempDir dir_;
};

TEST_F(ValueLogTest, RecordsOfOneWriteReadBackByTheirReferences) {
  auto log = open();
  std::vector<ValueRef> refs;
  for (uint64_t i = 0; i < 5; ++i) refs.push_back(log->add(7, i * 1000, pattern_bytes(i * 1000, 1000 + i)));
  ASSERT_TRUE(log->write().ok());
  for (uint64_t i = 0; i < 5; ++i) {
    EXPECT_EQ(refs[i].segment, 1u);
    EXPECT_EQ(read(*log, refs[i], 7, i * 1000), pattern_bytes(i * 1000, 1000 + i));
  }
  EXPECT_FALSE(log->has_staged());
}

TEST_F(ValueLogTest, ARecordStagedWithItsBytesCrcReadsBackAndAWrongCrcReadsAsCorrupt) {
  auto log = open();
  const std::string bytes = pattern_bytes(0, 70000);
  const ValueRef good = log->add(7, 0, bytes, util::crc32c(bytes));
  const ValueRef lied = log->add(7, 70000, bytes, util::crc32c(bytes) ^ 1);
  ASSERT_TRUE(log->write().ok());
  EXPECT_EQ(read(*log, good, 7, 0), bytes);
  std::string out;
  EXPECT_EQ(log->read(lied, 7, 70000, &out).code(), Code::corruption);
  EXPECT_TRUE(out.empty());
}

TEST_F(ValueLogTest, EncodedReferenceDecodesToTheSame) {
  ValueRef ref{3, (1ull << 40) + 17, 65536}, back;
  ASSERT_TRUE(ValueRef::decode(ref.encode(), &back));
  EXPECT_EQ(back.segment, 3u);
  EXPECT_EQ(back.offset, (1ull << 40) + 17);
  EXPECT_EQ(back.length, 65536u);
  EXPECT_FALSE(ValueRef::decode("short", &back));
  EXPECT_FALSE(ValueRef::decode(ValueRef{0, 0, 0}.encode(), &back));
}

TEST_F(ValueLogTest, AReferenceUsedForAnotherChunkIsCorruption) {
  auto log = open();
  ValueRef ref = log->add(7, 0, "abc");
  ASSERT_TRUE(log->write().ok());
  std::string out;
  EXPECT_EQ(log->read(ref, 8, 0, &out).code(), Code::corruption);
  EXPECT_EQ(log->read(ref, 7, 3, &out).code(), Code::corruption);
  ValueRef longer = ref;
  longer.length = 4;
  EXPECT_EQ(log->read(longer, 7, 0, &out).code(), Code::corruption);
  EXPECT_TRUE(out.empty());
}

TEST_F(ValueLogTest, AFlippedPayloadByteIsCorruptionNamingTheSegment) {
  auto log = open();
  ValueRef ref = log->add(7, 0, pattern_bytes(0, 5000));
  ASSERT_TRUE(log->write().ok());
  flip_byte(*log, ref.segment, ref.offset + 32 + 4000);
  std::string out;
  Status s = log->read(ref, 7, 0, &out);
  EXPECT_EQ(s.code(), Code::corruption);
  EXPECT_NE(s.message().find("00000001.vlog"), std::string::npos) << s.to_string();
  EXPECT_NE(s.message().find("CRC32C"), std::string::npos) << s.to_string();
}

TEST_F(ValueLogTest, DiscardedRecordsLeaveTheirPlaceToTheNextWrite) {
  auto log = open();
  ValueRef dropped = log->add(7, 0, "never written");
  log->discard();
  EXPECT_FALSE(log->has_staged());
  ValueRef kept = log->add(7, 0, "kept");
  ASSERT_TRUE(log->write().ok());
  EXPECT_EQ(kept.offset, dropped.offset);
  EXPECT_EQ(read(*log, kept, 7, 0), "kept");
}

TEST_F(ValueLogTest, WritesMoveToANewSegmentOnceOneIsFull) {
  auto log = open(/*segment_bytes=*/64 << 10);
  std::vector<ValueRef> refs;
  for (uint64_t i = 0; i < 6; ++i) {
    refs.push_back(log->add(1, i * 40000, pattern_bytes(i * 40000, 40000)));
    ASSERT_TRUE(log->write().ok());
  }
  EXPECT_EQ(refs.front().segment, 1u);
  EXPECT_GE(refs.back().segment, 3u);
  for (uint64_t i = 0; i < 6; ++i) EXPECT_EQ(read(*log, refs[i], 1, i * 40000), pattern_bytes(i * 40000, 40000));
  for (uint64_t i = 1; i < 6; ++i) EXPECT_GE(refs[i].segment, refs[i - 1].segment);
}

TEST_F(ValueLogTest, AReopenedLogWritesPastEveryOldSegmentAndReadsThem) {
  ValueRef old;
  {
    auto log = open();
    old = log->add(1, 0, "old bytes");
    ASSERT_TRUE(log->write().ok());
  }
  auto log = open();
  EXPECT_EQ(log->initial_segments(), std::vector<uint32_t>{1});
  ValueRef fresh = log->add(1, 9, "new bytes");
  ASSERT_TRUE(log->write().ok());
  EXPECT_EQ(fresh.segment, 2u);
  EXPECT_EQ(read(*log, old, 1, 0), "old bytes");
  EXPECT_EQ(read(*log, fresh, 1, 9), "new bytes");
}

TEST_F(ValueLogTest, ARemovedSegmentReadsNotFound) {
  auto log = open(/*segment_bytes=*/4096);
  ValueRef first = log->add(1, 0, "first");
  ASSERT_TRUE(log->write().ok());
  EXPECT_EQ(read(*log, first, 1, 0), "first");  // caches a descriptor
  ValueRef second = log->add(1, 5, "second");
  ASSERT_TRUE(log->write().ok());
  ASSERT_NE(first.segment, second.segment);
  ASSERT_TRUE(log->remove_segment(first.segment).ok());
  EXPECT_FALSE(std::filesystem::exists(log->segment_path(first.segment)));
  std::string out;
  EXPECT_EQ(log->read(first, 1, 0, &out).code(), Code::not_found);
  EXPECT_EQ(read(*log, second, 1, 5), "second");
}

TEST_F(ValueLogTest, AnUnwritableDirectoryFailsTheWriteWithItsPath) {
  auto log = open();
  std::filesystem::remove_all(dir_.sub("values"));
  log->add(1, 0, "x");
  Status s = log->write();
  EXPECT_EQ(s.code(), Code::io_error);
  EXPECT_NE(s.message().find(dir_.sub("values")), std::string::npos) << s.to_string();
  EXPECT_FALSE(log->has_staged());
}

}  // namespace
}  // namespace glimpse::storage::testing
