// glimpse prepare / render / fill as a user runs them: --help, exit codes,
// error lines naming the file, and no partial output file on failure.
#include <dirent.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "image/image.hpp"
#include "tests/image/test_images.hpp"
#include "tests/support/command.hpp"

namespace glimpse::image {
namespace {

using glimpse::test::Outcome;

class CmdImage : public ::testing::Test {
 protected:
  void SetUp() override {
    glimpse_ = glimpse::test::built_program("client/glimpse");
    if (!glimpse::test::is_executable(glimpse_)) GTEST_SKIP() << "no glimpse binary at " << glimpse_;
    char dir[] = "/tmp/glimpse_cmd_image_XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    const std::string photo = test::make_jpeg(test::make_picture(160, 120), {});
    Result<Prepared> p = prepare(photo);
    ASSERT_TRUE(p.ok());
    write("photo.jpg", photo);
    write("progressive.jpg", p->jpeg);
  }
  void TearDown() override {
    if (!dir_.empty()) std::system(("rm -rf '" + dir_ + "'").c_str());
  }

  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  void write(const std::string& name, const std::string& bytes) {
    ASSERT_TRUE(write_file_atomic(path(name), bytes).ok());
  }
  Outcome run(const std::string& args) const {
    return glimpse::test::run_command("cd '" + dir_ + "' && '" + glimpse_ + "' " + args);
  }
  // The directory's entries, sorted.
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    if (DIR* d = opendir(dir_.c_str())) {
      while (dirent* e = readdir(d)) {
        const std::string name = e->d_name;
        if (name != "." && name != "..") out.push_back(name);
      }
      closedir(d);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string glimpse_, dir_;
};

TEST_F(CmdImage, EveryCommandHasHelpThatExitsZero) {
  for (const char* command : {"prepare", "render", "fill"}) {
    Outcome r = run(std::string(command) + " --help");
    EXPECT_EQ(r.code, 0) << command;
    EXPECT_NE(r.output.find(std::string("usage: glimpse ") + command), std::string::npos)
        << r.output;
    EXPECT_EQ(run(std::string(command) + " -h").code, 0);
  }
}

TEST_F(CmdImage, PrepareRenderFillRoundTrip) {
  Outcome p = run("prepare photo.jpg -o out.jpg");
  ASSERT_EQ(p.code, 0) << p.output;
  EXPECT_NE(p.output.find("lossless transcode"), std::string::npos) << p.output;
  EXPECT_NE(p.output.find("2g"), std::string::npos) << p.output;
  Outcome r = run("render out.jpg --bytes 30% -o first.png --scale 2");
  ASSERT_EQ(r.code, 0) << r.output;
  Result<std::string> png = read_file(path("first.png"));
  ASSERT_TRUE(png.ok());
  Result<Pixels> shown = decode(png.value());
  ASSERT_TRUE(shown.ok());
  EXPECT_EQ(shown->width, 80);
  Outcome f = run("fill out.jpg --bytes 40% -o filled.jpg");
  ASSERT_EQ(f.code, 0) << f.output;
  Result<std::string> filled = read_file(path("filled.jpg"));
  ASSERT_TRUE(filled.ok());
  EXPECT_TRUE(decode(filled.value()).ok());
}

TEST_F(CmdImage, BadInputNamesTheFileExitsOneAndLeavesNoOutput) {
  write("empty.jpg", "");
  write("notes.jpg", "just some text\n");
  Result<std::string> jpeg = read_file(path("photo.jpg"));
  write("cut.jpg", jpeg->substr(0, jpeg->size() / 2));
  const std::vector<std::string> before = files();
  for (const char* name : {"empty.jpg", "notes.jpg", "cut.jpg", "missing.jpg"}) {
    Outcome r = run(std::string("prepare ") + name + " -o out.jpg");
    EXPECT_EQ(r.code, 1) << name << ": " << r.output;
    EXPECT_NE(r.output.find(name), std::string::npos) << r.output;
  }
  Outcome r = run("render progressive.jpg --bytes 10 -o out.png");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("progressive.jpg: truncated"), std::string::npos) << r.output;
  EXPECT_EQ(run("fill notes.jpg --bytes 50% -o out.jpg").code, 1);
  EXPECT_EQ(files(), before) << "a failed command left a file behind";
}

TEST_F(CmdImage, UsageErrorsExitTwo) {
  EXPECT_EQ(run("prepare photo.jpg").code, 2);
  EXPECT_EQ(run("prepare photo.jpg -o x.jpg --quality 0").code, 2);
  EXPECT_EQ(run("prepare photo.jpg -o x.jpg --metadata maybe").code, 2);
  EXPECT_EQ(run("prepare photo.jpg -o x.jpg --frobnicate").code, 2);
  EXPECT_EQ(run("render progressive.jpg -o x.png").code, 2);
  EXPECT_EQ(run("render progressive.jpg --bytes 150% -o x.png").code, 2);
  EXPECT_EQ(run("render progressive.jpg --bytes 50% --scale 3 -o x.png").code, 2);
  EXPECT_EQ(run("fill progressive.jpg --bytes lots -o x.jpg").code, 2);
  for (const char* bytes : {"0", "0%", "%", "inf", "1e400", "1e5", "0x10000", "-5", "nan%"}) {
    Outcome r = run(std::string("render progressive.jpg --bytes ") + bytes + " -o x.png");
    EXPECT_EQ(r.code, 2) << bytes << ": " << r.output;
    EXPECT_NE(r.output.find("--bytes"), std::string::npos) << r.output;
  }
}

TEST_F(CmdImage, OutputThatIsTheInputIsRefusedAndTheInputKept) {
  Result<std::string> before = read_file(path("progressive.jpg"));
  ASSERT_TRUE(before.ok());
  for (const char* command : {"prepare progressive.jpg -o progressive.jpg",
                              "render progressive.jpg --bytes 20% -o ./progressive.jpg",
                              "fill progressive.jpg --bytes 20% -o progressive.jpg"}) {
    Outcome r = run(command);
    EXPECT_EQ(r.code, 2) << command << ": " << r.output;
    EXPECT_NE(r.output.find("-o names the input file"), std::string::npos) << r.output;
  }
  EXPECT_EQ(read_file(path("progressive.jpg")).value(), before.value());
}

TEST_F(CmdImage, HugeByteCountMeansTheWholeFile) {
  Outcome r = run("fill progressive.jpg --bytes 99999999999999999999 -o whole.jpg");
  EXPECT_EQ(r.code, 0) << r.output;
}

}  // namespace
}  // namespace glimpse::image
