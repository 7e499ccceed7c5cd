// glimpse-sim's commands end to end, through sim_main, on a real RocksDB data
// directory and on exported log files.
#include "sim/commands.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "sim/log_file.hpp"
#include "sim/synthetic_log.hpp"
#include "storage/rocksdb_log.hpp"
#include "test_photo.hpp"
#include "util/crc32c.hpp"

namespace glimpse::sim {
namespace {

struct Outcome {
  int code = 0;
  std::string out, err;
};

Outcome run(std::vector<std::string> args, const std::string& input = "") {
  std::vector<const char*> argv{"glimpse-sim"};
  for (const auto& a : args) argv.push_back(a.c_str());
  std::istringstream in(input);
  std::ostringstream out, err;
  Outcome r;
  r.code = sim_main(static_cast<int>(argv.size()), argv.data(), {in, out, err});
  r.out = out.str();
  r.err = err.str();
  return r;
}

class Commands : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "glimpse_sim_cmd_" + std::to_string(::getpid()) + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::system(("rm -rf '" + dir_ + "' && mkdir -p '" + dir_ + "/data'").c_str());
    data_ = dir_ + "/data";
    storage::RocksDbOptions o;
    o.path = data_ + "/events";  // glimpsed's layout: DATA/events
    o.durability = storage::Durability::none;
    std::unique_ptr<storage::EventLog> log;
    ASSERT_TRUE(storage::open_rocksdb_log(o, &log).ok());
    testing::write_photo_transfer(*log, 11);
    testing::write_photo_transfer(*log, 12);
    // Transfer 13 is broken: its chunk's bytes do not match their CRC32C.
    synth::OpenSpec spec;
    spec.transfer_id = 13;
    spec.total_size = 200;
    spec.scan_ends = {200};
    spec.mts = 200;
    storage::StreamId s{storage::StreamKind::transfer, 13};
    ASSERT_TRUE(synth::append_event(*log, s, synth::transfer_opened(spec, {5, 0})).ok());
    std::string bytes(100, 'a');
    ASSERT_TRUE(
        synth::append_event(*log, s, synth::chunk_appended(0, 100, 1234, {6, 0}), {{0, bytes}})
            .ok());
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

  std::string dir_, data_;
};

TEST_F(Commands, ExportThenReplayIsIdentical) {
  Outcome from_dir = run({"replay", "--data", data_, "--transfer", "11"});
  ASSERT_EQ(from_dir.code, 0) << from_dir.err;
  std::string file = dir_ + "/t11.glog";
  Outcome ex = run({"export", "--data", data_, "--transfer", "11", "-o", file});
  ASSERT_EQ(ex.code, 0) << ex.err;
  Outcome from_file = run({"replay", "--log", file});
  ASSERT_EQ(from_file.code, 0) << from_file.err;
  EXPECT_EQ(from_file.out, from_dir.out);
  EXPECT_GT(std::count(from_dir.out.begin(), from_dir.out.end(), '\n'), 8);
  Outcome check = run({"check", "--log", file});
  EXPECT_EQ(check.code, 0) << check.out << check.err;
}

TEST_F(Commands, ListShowsEveryTransferAndFilters) {
  Outcome all = run({"list", "--data", data_});
  ASSERT_EQ(all.code, 0) << all.err;
  EXPECT_NE(all.out.find("3 transfers"), std::string::npos) << all.out;
  EXPECT_NE(all.out.find("completed"), std::string::npos);
  Outcome by_user = run({"list", "--data", data_, "--user", "7"});
  EXPECT_NE(by_user.out.find("2 transfers"), std::string::npos) << by_user.out;
  Outcome later = run({"list", "--data", data_, "--since", "2030-01-01"});
  EXPECT_NE(later.out.find("0 transfers"), std::string::npos) << later.out;
}

TEST_F(Commands, CheckPassesGoodTransfersAndNamesTheBrokenEvent) {
  Outcome good = run({"check", "--data", data_, "--transfer", "11"});
  EXPECT_EQ(good.code, 0) << good.out << good.err;
  Outcome all = run({"check", "--data", data_, "--all"});
  EXPECT_EQ(all.code, 1);
  EXPECT_NE(all.out.find("VIOLATION transfer 13 seq 1 (ChunkAppended offset=0 length=100"),
            std::string::npos)
      << all.out;
  EXPECT_NE(all.out.find("CRC32C"), std::string::npos) << all.out;
  Outcome no_bytes = run({"check", "--data", data_, "--no-bytes"});
  EXPECT_EQ(no_bytes.code, 0) << no_bytes.out;
}

TEST_F(Commands, CheckRefusesANewerEventNamingIt) {
  std::string file = dir_ + "/newer.glog";
  LogFileHeader h;
  h.format_version = 1;
  synth::OpenSpec spec;
  spec.transfer_id = 5;
  LogRecord r0{{storage::StreamKind::transfer, 5}, 0, 1, synth::transfer_opened(spec, {1, 0}), {}};
  LogRecord r1{{storage::StreamKind::transfer, 5}, 1, 2, synth::expired({2, 7}), {}};
  std::string error;
  ASSERT_TRUE(write_log_file(file, h, {r0, r1}, &error)) << error;
  Outcome check = run({"check", "--log", file});
  EXPECT_EQ(check.code, 1);
  EXPECT_NE(check.err.find("transfer 5 seq 1"), std::string::npos) << check.err;
  EXPECT_NE(check.err.find("version 7"), std::string::npos) << check.err;
}

TEST_F(Commands, DataDirOrItsEventsDirBothOpen) {
  Outcome node_dir = run({"list", "--data", data_});
  Outcome log_dir = run({"list", "--data", data_ + "/events"});
  ASSERT_EQ(node_dir.code, 0) << node_dir.err;
  ASSERT_EQ(log_dir.code, 0) << log_dir.err;
  EXPECT_EQ(node_dir.out.substr(0, node_dir.out.rfind(" in data dir")),
            log_dir.out.substr(0, log_dir.out.rfind(" in data dir")));
}

TEST_F(Commands, StepWaitsForOneLinePerEvent) {
  Outcome fast = run({"replay", "--data", data_, "--transfer", "11"});
  Outcome step = run({"replay", "--data", data_, "--transfer", "11", "--step"}, "\n\n\n");
  EXPECT_EQ(step.out, fast.out);
  EXPECT_NE(step.err.find("press Enter"), std::string::npos);
}

TEST_F(Commands, FilmWritesFramesAndPage) {
  Outcome film = run({"film", "--data", data_, "--transfer", "12", "-o", dir_ + "/film"});
  ASSERT_EQ(film.code, 0) << film.err;
  std::ifstream html(dir_ + "/film/index.html");
  std::stringstream page;
  page << html.rdbuf();
  EXPECT_NE(page.str().find("<img src=\"frame_001_seq"), std::string::npos);
  EXPECT_NE(page.str().find("SSIM 1.000"), std::string::npos) << page.str();
}

TEST_F(Commands, WhatifIsDeterministicForASeed) {
  std::string file = dir_ + "/t12.glog";
  ASSERT_EQ(run({"export", "--data", data_, "--transfer", "12", "-o", file}).code, 0);
  Outcome a = run({"whatif", "--log", file, "--network", "3g", "--seed", "9"});
  Outcome b = run({"whatif", "--log", file, "--network", "3g", "--seed", "9"});
  ASSERT_EQ(a.code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out.find("time to first frame"), std::string::npos);
  EXPECT_NE(a.out.find("first frame display SSIM"), std::string::npos);
}

TEST_F(Commands, ClearErrorsForMissingThings) {
  Outcome no_dir = run({"list", "--data", dir_ + "/nope"});
  EXPECT_EQ(no_dir.code, 1);
  EXPECT_NE(no_dir.err.find("does not exist"), std::string::npos) << no_dir.err;
  Outcome not_db = run({"list", "--data", dir_});
  EXPECT_NE(not_db.err.find("not a Glimpse data directory"), std::string::npos) << not_db.err;
  Outcome no_transfer = run({"replay", "--data", data_, "--transfer", "99"});
  EXPECT_EQ(no_transfer.code, 1);
  EXPECT_NE(no_transfer.err.find("no transfer 99"), std::string::npos) << no_transfer.err;
  Outcome which = run({"replay", "--data", data_});
  EXPECT_NE(which.err.find("--transfer ID"), std::string::npos) << which.err;
  std::ofstream(dir_ + "/bad.glog") << "not a log";
  Outcome bad = run({"check", "--log", dir_ + "/bad.glog"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("bad.glog"), std::string::npos) << bad.err;
  Outcome both = run({"list", "--data", data_, "--log", dir_ + "/bad.glog"});
  EXPECT_NE(both.err.find("exactly one"), std::string::npos) << both.err;
  Outcome typo = run({"list", "--dta", data_});
  EXPECT_EQ(typo.code, 2);
  EXPECT_NE(typo.err.find("unknown option --dta"), std::string::npos);
  Outcome net = run({"whatif", "--data", data_, "--transfer", "11", "--network", "5x"});
  EXPECT_EQ(net.code, 2);
  EXPECT_NE(net.err.find("built-in"), std::string::npos) << net.err;
}

TEST_F(Commands, HelpEverywhere) {
  for (const char* c : {"list", "replay", "check", "film", "export", "whatif", "workload"}) {
    Outcome h = run({c, "--help"});
    EXPECT_EQ(h.code, 0) << c;
    EXPECT_NE(h.out.find(std::string("usage: glimpse-sim ") + c), std::string::npos) << c;
  }
  Outcome top = run({"--help"});
  EXPECT_EQ(top.code, 0);
  EXPECT_NE(top.out.find("whatif"), std::string::npos);
  EXPECT_EQ(run({}).code, 2);
  EXPECT_EQ(run({"frobnicate"}).code, 2);
}

}  // namespace
}  // namespace glimpse::sim
