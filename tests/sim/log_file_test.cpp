#include "sim/log_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <unistd.h>

#include <fstream>

#include "sim/synthetic_log.hpp"
#include "util/crc32c.hpp"

namespace glimpse::sim {
namespace {

using storage::StreamId;
using storage::StreamKind;

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "glimpse_sim_" + std::to_string(::getpid()) + "_" + name;
}

std::string test_file(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + 7) % 251);
  return s;
}

std::unique_ptr<storage::EventLog> sample_log() {
  auto log = storage::new_memory_log();
  synth::OpenSpec spec;
  spec.transfer_id = 42;
  spec.receivers = {7, 8};
  spec.mts = 3000;
  spec.scan_ends = {1000, 3000, 10000};
  EXPECT_TRUE(
      synth::write_transfer(*log, spec, test_file(10000), 1024, 1'000'000'000, 5'000'000).ok());
  return log;
}

std::vector<std::string> events_of(storage::EventLog& log, StreamId s) {
  std::vector<std::string> out;
  EXPECT_TRUE(log.replay(s, 0,
                         [&](uint64_t, std::string_view e) {
                           out.emplace_back(e);
                           return true;
                         })
                  .ok());
  return out;
}

TEST(LogFile, ExportThenLoadGivesTheSameEventsAndBytes) {
  auto log = sample_log();
  StreamId t{StreamKind::transfer, 42};
  std::string path = temp_path("roundtrip.glog");
  std::string error;
  LogFileHeader h;
  h.source = "unit test";
  h.transfer_id = 42;
  ASSERT_TRUE(export_log(*log, {t}, h, path, &error)) << error;

  std::unique_ptr<storage::EventLog> loaded;
  LogFileHeader got;
  ASSERT_TRUE(load_log_file(path, &loaded, &got, &error)) << error;
  EXPECT_EQ(got.source, "unit test");
  EXPECT_EQ(got.transfer_id, 42u);
  EXPECT_EQ(got.format_version, 1u);
  EXPECT_EQ(events_of(*loaded, t), events_of(*log, t));
  std::string a, b;
  ASSERT_TRUE(log->read_chunks(42, 0, 10000, &a).ok());
  ASSERT_TRUE(loaded->read_chunks(42, 0, 10000, &b).ok());
  EXPECT_EQ(a, b);
  ::unlink(path.c_str());
}

TEST(LogFile, FailedExportLeavesNoFile) {
  auto log = storage::new_memory_log();
  StreamId t{StreamKind::transfer, 3};
  ASSERT_TRUE(synth::append_event(*log, t, synth::transfer_opened({}, {1, 0})).ok());
  // A ChunkAppended whose bytes were never stored.
  ASSERT_TRUE(synth::append_event(*log, t, synth::chunk_appended(0, 10, 0, {2, 0})).ok());
  std::string path = temp_path("failed.glog");
  std::string error;
  EXPECT_FALSE(export_log(*log, {t}, {}, path, &error));
  EXPECT_NE(error.find("transfer 3 seq 1: chunk bytes unreadable"), std::string::npos) << error;
  EXPECT_NE(::access(path.c_str(), F_OK), 0);
  EXPECT_NE(::access((path + ".tmp").c_str(), F_OK), 0);
}

TEST(LogFile, ExportRefusesToReplaceAFifo) {
  auto log = sample_log();
  std::string path = temp_path("export.fifo");
  ::unlink(path.c_str());
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  std::string error;
  EXPECT_FALSE(export_log(*log, {StreamId{StreamKind::transfer, 42}}, {}, path, &error));
  EXPECT_NE(error.find("not a regular file"), std::string::npos) << error;
  struct stat st {};
  ASSERT_EQ(::lstat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  ::unlink(path.c_str());
}

TEST(LogFile, ExportThroughASymlinkWritesTheFileItPointsTo) {
  auto log = sample_log();
  std::string file = temp_path("target.glog"), link = temp_path("link.glog");
  ::unlink(link.c_str());
  std::string error;
  const StreamId t{StreamKind::transfer, 42};
  ASSERT_TRUE(export_log(*log, {t}, {}, file, &error)) << error;
  ASSERT_EQ(::symlink(file.c_str(), link.c_str()), 0);
  ASSERT_TRUE(export_log(*log, {t}, {}, link, &error)) << error;
  struct stat st {};
  ASSERT_EQ(::lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  std::unique_ptr<storage::EventLog> loaded;
  LogFileHeader got;
  EXPECT_TRUE(load_log_file(link, &loaded, &got, &error)) << error;
  ::unlink(link.c_str());
  ::unlink(file.c_str());
}

TEST(LogFile, MissingFileIsAClearError) {
  std::unique_ptr<storage::EventLog> loaded;
  LogFileHeader h;
  std::string error;
  EXPECT_FALSE(load_log_file("/nonexistent/x.glog", &loaded, &h, &error));
  EXPECT_NE(error.find("cannot open log file /nonexistent/x.glog"), std::string::npos) << error;
}

TEST(LogFile, TextFileIsNotALogFile) {
  std::string path = temp_path("text.glog");
  std::ofstream(path) << "hello, this is not a log\n";
  std::unique_ptr<storage::EventLog> loaded;
  LogFileHeader h;
  std::string error;
  EXPECT_FALSE(load_log_file(path, &loaded, &h, &error));
  EXPECT_NE(error.find(path), std::string::npos) << error;
  ::unlink(path.c_str());
}

TEST(LogFile, TruncatedFileNamesTheDamagedRecord) {
  auto log = sample_log();
  std::string path = temp_path("trunc.glog");
  std::string error;
  ASSERT_TRUE(export_log(*log, {{StreamKind::transfer, 42}}, {}, path, &error)) << error;
  ASSERT_EQ(::truncate(path.c_str(), 3000), 0);
  std::unique_ptr<storage::EventLog> loaded;
  LogFileHeader h;
  EXPECT_FALSE(load_log_file(path, &loaded, &h, &error));
  EXPECT_NE(error.find("damaged at record"), std::string::npos) << error;
  ::unlink(path.c_str());
}

TEST(LogFile, NewerFormatIsRefused) {
  std::string path = temp_path("newer.glog");
  std::string error;
  LogFileHeader h;
  h.format_version = 99;
  ASSERT_TRUE(write_log_file(path, h, {}, &error)) << error;
  LogFileHeader got;
  EXPECT_FALSE(read_log_file(
      path, &got, [](LogRecord&) { return true; }, &error));
  EXPECT_NE(error.find("newer"), std::string::npos) << error;
  ::unlink(path.c_str());
}

TEST(LogFile, EventOfNewerSchemaIsRefusedNamingIt) {
  std::string path = temp_path("newer_event.glog");
  std::string error;
  LogFileHeader h;
  h.format_version = 1;
  LogRecord r0{{StreamKind::transfer, 5}, 0, 1, synth::transfer_opened({}, {1, 0}), {}};
  LogRecord r1{{StreamKind::transfer, 5}, 1, 2, synth::expired({2, 999}), {}};
  ASSERT_TRUE(write_log_file(path, h, {r0, r1}, &error)) << error;
  std::unique_ptr<storage::EventLog> loaded;
  EXPECT_FALSE(load_log_file(path, &loaded, &h, &error));
  EXPECT_NE(error.find("transfer 5 seq 1"), std::string::npos) << error;
  EXPECT_NE(error.find("newer"), std::string::npos) << error;
  ::unlink(path.c_str());
}

}  // namespace
}  // namespace glimpse::sim
