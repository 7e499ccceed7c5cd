// fill(): any prefix -> a complete baseline JPEG showing exactly what the prefix shows,
// checked with an independent decoder (djpeg from libjpeg-turbo-progs).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "image/image.hpp"
#include "tests/image/test_images.hpp"

namespace glimpse::image {
namespace {

const char* djpeg_path() {
  for (const char* p : {"/usr/bin/djpeg", "/usr/local/bin/djpeg"})
    if (access(p, X_OK) == 0) return p;
  return nullptr;
}

// Decodes `jpeg` with djpeg -pnm; empty Pixels on failure.
Pixels djpeg(const std::string& jpeg) {
  char path[] = "/tmp/glimpse_fill_XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return {};
  const bool written = write(fd, jpeg.data(), jpeg.size()) == static_cast<ssize_t>(jpeg.size());
  close(fd);
  Pixels out;
  if (written) {
    const std::string command = std::string(djpeg_path()) + " -pnm " + path + " 2>/dev/null";
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe) {
      char magic[3] = {0};
      int maxval = 0;
      if (std::fscanf(pipe, "%2s %d %d %d", magic, &out.width, &out.height, &maxval) == 4 &&
          std::fgetc(pipe) != EOF && maxval == 255) {
        out.channels = std::string(magic) == "P5" ? 1 : 3;
        out.data.resize(static_cast<size_t>(out.width) * out.height * out.channels);
        if (std::fread(out.data.data(), 1, out.data.size(), pipe) != out.data.size()) out = {};
      } else {
        out = {};
      }
      if (pclose(pipe) != 0) out = {};
    }
  }
  unlink(path);
  return out;
}

bool is_baseline(const std::string& jpeg) {
  const size_t sof = test::find_sof(jpeg);
  return sof != std::string::npos && static_cast<uint8_t>(jpeg[sof + 1]) == 0xC0;
}

void expect_fill_matches_prefix(const std::string& progressive, size_t n) {
  const std::string_view prefix = std::string_view(progressive).substr(0, n);
  Result<std::string> filled = fill(prefix);
  ASSERT_TRUE(filled.ok()) << "prefix " << n << ": " << filled.error().message;
  EXPECT_TRUE(is_baseline(filled.value())) << "prefix " << n;
  DecodeOptions plain;
  plain.block_smoothing = false;
  Result<Decoded> ours = decode_prefix(prefix, plain);
  ASSERT_TRUE(ours.ok());
  const Pixels theirs = djpeg(filled.value());
  ASSERT_EQ(theirs.width, ours->pixels.width) << "djpeg failed on the fill of prefix " << n;
  ASSERT_EQ(theirs.height, ours->pixels.height);
  ASSERT_EQ(theirs.channels, ours->pixels.channels);
  EXPECT_TRUE(theirs.data == ours->pixels.data) << "djpeg sees other pixels for prefix " << n;
}

class Fill : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!djpeg_path()) GTEST_SKIP() << "djpeg (libjpeg-turbo-progs) is not installed";
  }
};

TEST_F(Fill, DjpegSeesOurPrefixDecodeAtEveryScanEndAndMidScan) {
  Result<Prepared> p = prepare(test::make_jpeg(test::make_picture(125, 83), {}));
  ASSERT_TRUE(p.ok());
  for (size_t i = 0; i < p->scan_ends.size(); ++i) {
    expect_fill_matches_prefix(p->jpeg, p->scan_ends[i]);
    if (i + 1 < p->scan_ends.size())
      expect_fill_matches_prefix(p->jpeg, (p->scan_ends[i] + p->scan_ends[i + 1]) / 2);
  }
}

TEST_F(Fill, DjpegSeesOurPrefixDecodeForGray) {
  Result<Prepared> p = prepare(test::make_jpeg(test::make_picture(70, 50, 1), {}));
  ASSERT_TRUE(p.ok());
  for (uint64_t end : p->scan_ends) expect_fill_matches_prefix(p->jpeg, end);
}

TEST_F(Fill, DjpegSeesOurPrefixDecodeFor444AndTheDefaultScript) {
  test::JpegSpec spec;
  spec.subsampling = test::Subsampling::s444;
  PrepareOptions options;
  options.script = ScanScriptKind::libjpeg_default;
  Result<Prepared> p = prepare(test::make_jpeg(test::make_picture(64, 40), spec), options);
  ASSERT_TRUE(p.ok());
  for (uint64_t end : p->scan_ends) expect_fill_matches_prefix(p->jpeg, end);
}

TEST_F(Fill, WholeFileFillKeepsEveryPixel) {
  Result<Prepared> p = prepare(test::make_jpeg(test::make_picture(96, 64), {}));
  ASSERT_TRUE(p.ok());
  Result<std::string> filled = fill(p->jpeg);
  ASSERT_TRUE(filled.ok());
  EXPECT_TRUE(decode(filled.value())->data == decode(p->jpeg)->data);
}

TEST_F(Fill, PrefixWithoutACompleteScanIsTruncated) {
  Result<Prepared> p = prepare(test::make_jpeg(test::make_picture(96, 64), {}));
  ASSERT_TRUE(p.ok());
  Result<std::string> filled = fill(std::string_view(p->jpeg).substr(0, p->scan_ends[0] - 10));
  ASSERT_FALSE(filled.ok());
  EXPECT_EQ(filled.error().kind, ErrorKind::truncated);
}

}  // namespace
}  // namespace glimpse::image
