// Bad input: every case gets one clear Error of the right kind, never a crash.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

#include <cstring>

#include "image/image.hpp"
#include "tests/image/test_images.hpp"

namespace glimpse::image {
namespace {

std::string good_jpeg() { return test::make_jpeg(test::make_picture(64, 48), {}); }

std::string good_png() { return test::make_png(test::make_picture(32, 24), test::PngKind::rgb8); }

uint32_t crc32(const std::string& bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char b : bytes) {
    crc ^= b;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
  }
  return ~crc;
}

void put_be32(std::string* s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*s)[at + i] = static_cast<char>((v >> (24 - 8 * i)) & 255);
}

// Every entry point that takes whole files refuses `bytes` with `kind`.
void expect_refused(const std::string& bytes, ErrorKind kind, const char* what) {
  Result<Prepared> p = prepare(bytes);
  ASSERT_FALSE(p.ok()) << what << ": prepare accepted it";
  EXPECT_EQ(p.error().kind, kind) << what << ": " << p.error().message;
  EXPECT_FALSE(p.error().message.empty());
  Result<Pixels> d = decode(bytes);
  ASSERT_FALSE(d.ok()) << what << ": decode accepted it";
  EXPECT_EQ(d.error().kind, kind) << what << ": " << d.error().message;
}

TEST(BadInput, ZeroBytesIsNotAnImage) {
  expect_refused("", ErrorKind::not_an_image, "empty");
  EXPECT_EQ(decode_prefix("").error().kind, ErrorKind::not_an_image);
  EXPECT_EQ(fill("").error().kind, ErrorKind::not_an_image);
}

TEST(BadInput, TextIsNotAnImage) {
  expect_refused("hello, this is a text file\n", ErrorKind::not_an_image, "text");
  EXPECT_EQ(decode_prefix("GIF89a....").error().kind, ErrorKind::not_an_image);
}

TEST(BadInput, PngIsRecognisedByContentNotByName) {
  Result<Prepared> p = prepare(good_png());
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->source_format, "png");
  Result<Decoded> d = decode_prefix(good_png());
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().kind, ErrorKind::unsupported);
}

TEST(BadInput, TruncatedJpegIsTruncated) {
  const std::string jpeg = good_jpeg();
  expect_refused(jpeg.substr(0, jpeg.size() / 2), ErrorKind::truncated, "half a JPEG");
  expect_refused(jpeg.substr(0, jpeg.size() - 1), ErrorKind::truncated,
                 "JPEG without its last byte");
  expect_refused(jpeg.substr(0, 20), ErrorKind::truncated, "JPEG header only");
}

TEST(BadInput, TruncatedPngIsTruncated) {
  const std::string png = good_png();
  expect_refused(png.substr(0, png.size() / 2), ErrorKind::truncated, "half a PNG");
  expect_refused(png.substr(0, png.size() - 4), ErrorKind::truncated, "PNG without IEND's CRC");
}

TEST(BadInput, EveryTruncationOfASmallJpegIsRefusedCleanly) {
  const std::string jpeg = test::make_jpeg(test::make_picture(24, 16), {});
  for (size_t n = 0; n < jpeg.size(); ++n) {
    Result<Pixels> d = decode(jpeg.substr(0, n));
    ASSERT_FALSE(d.ok()) << n;
    EXPECT_TRUE(d.error().kind == ErrorKind::truncated || d.error().kind == ErrorKind::not_an_image)
        << n << ": " << error_kind_name(d.error().kind) << " " << d.error().message;
  }
}

TEST(BadInput, ArithmeticCodedJpegIsUnsupported) {
  std::string jpeg = good_jpeg();
  jpeg[test::find_sof(jpeg) + 1] = static_cast<char>(0xC9);
  expect_refused(jpeg, ErrorKind::unsupported, "arithmetic");
  EXPECT_EQ(decode_prefix(jpeg).error().kind, ErrorKind::unsupported);
  EXPECT_EQ(fill(jpeg).error().kind, ErrorKind::unsupported);
}

TEST(BadInput, TwelveBitJpegIsUnsupported) {
  std::string jpeg = good_jpeg();
  jpeg[test::find_sof(jpeg) + 4] = 12;
  expect_refused(jpeg, ErrorKind::unsupported, "12-bit");
  EXPECT_EQ(decode_prefix(jpeg).error().kind, ErrorKind::unsupported);
}

TEST(BadInput, LosslessJpegIsUnsupported) {
  std::string jpeg = good_jpeg();
  jpeg[test::find_sof(jpeg) + 1] = static_cast<char>(0xC3);
  expect_refused(jpeg, ErrorKind::unsupported, "lossless");
}

TEST(BadInput, JpegDecompressionBombIsRefusedBeforeAllocating) {
  std::string jpeg = good_jpeg();
  const size_t sof = test::find_sof(jpeg);
  for (int i = 5; i <= 8; ++i) jpeg[sof + i] = static_cast<char>(0xFD);  // 65021 x 65021
  expect_refused(jpeg, ErrorKind::too_large, "JPEG bomb");
  EXPECT_EQ(decode_prefix(jpeg).error().kind, ErrorKind::too_large);
  EXPECT_EQ(fill(jpeg).error().kind, ErrorKind::too_large);
}

TEST(BadInput, PngDecompressionBombIsRefusedBeforeAllocating) {
  std::string png = good_png();
  // IHDR data starts at 16 (8 signature + 4 length + 4 type); its CRC follows at 29.
  put_be32(&png, 16, 200000);
  put_be32(&png, 20, 200000);
  put_be32(&png, 29, crc32(png.substr(12, 17)));
  expect_refused(png, ErrorKind::too_large, "PNG bomb");
}

TEST(BadInput, ThousandScanJpegIsRefusedAsAScanBomb) {
  // SOS headers with empty data: cheap to make, expensive for a naive decoder.
  Result<Prepared> p = prepare(good_jpeg());
  ASSERT_TRUE(p.ok());
  const std::string& jpeg = p->jpeg;
  const size_t first_sos = jpeg.find("\xFF\xDA");
  const size_t len =
      (static_cast<uint8_t>(jpeg[first_sos + 2]) << 8) | static_cast<uint8_t>(jpeg[first_sos + 3]);
  std::string bomb = jpeg.substr(0, first_sos);
  for (int i = 0; i < 1000; ++i) bomb += jpeg.substr(first_sos, 2 + len) + "\x00";
  bomb += "\xFF\xD9";
  expect_refused(bomb, ErrorKind::too_large, "scan bomb");
  EXPECT_EQ(decode_prefix(bomb).error().kind, ErrorKind::too_large);
}

TEST(BadInput, ZeroHeightJpegIsUnsupported) {
  std::string jpeg = good_jpeg();
  const size_t sof = test::find_sof(jpeg);
  jpeg[sof + 5] = 0;
  jpeg[sof + 6] = 0;
  expect_refused(jpeg, ErrorKind::unsupported, "DNL height");
}

TEST(BadInput, BrokenHuffmanTableIsCorrupt) {
  std::string jpeg = good_jpeg();
  const size_t dht = jpeg.find("\xFF\xC4");
  ASSERT_NE(dht, std::string::npos);
  for (int i = 0; i < 16; ++i) jpeg[dht + 5 + i] = static_cast<char>(0xFF);  // 16 x 255 code counts
  expect_refused(jpeg, ErrorKind::corrupt, "bad DHT");
}

TEST(BadInput, MarkerInsideEntropyDataIsCorrupt) {
  std::string jpeg = good_jpeg();
  const size_t sos = jpeg.find("\xFF\xDA");
  const size_t mid = sos + (jpeg.size() - sos) / 2;
  jpeg.insert(mid, "\xFF\xD3");
  expect_refused(jpeg, ErrorKind::corrupt, "stray RST");
}

TEST(BadInput, GarbageBetweenSegmentsIsCorrupt) {
  std::string jpeg = good_jpeg();
  jpeg.insert(test::find_sof(jpeg), "garbage");
  expect_refused(jpeg, ErrorKind::corrupt, "garbage before SOF");
}

TEST(BadInput, CorruptPngChunkIsCorrupt) {
  std::string png = good_png();
  png[40] = static_cast<char>(png[40] ^ 0x55);  // inside IDAT: CRC mismatch
  expect_refused(png, ErrorKind::corrupt, "PNG CRC");
}

TEST(BadInput, RandomByteFlipsNeverCrash) {
  const std::string baseline = good_jpeg();
  const std::string progressive = prepare(baseline)->jpeg;
  uint32_t state = 12345;
  for (int round = 0; round < 600; ++round) {
    std::string jpeg = round % 2 ? progressive : baseline;
    for (int k = 0; k < 3; ++k) {
      state = state * 1664525u + 1013904223u;
      jpeg[2 + (state >> 8) % (jpeg.size() - 2)] = static_cast<char>(state >> 24);
    }
    if (round % 3 == 0) {
      state = state * 1664525u + 1013904223u;
      jpeg.resize(jpeg.size() - (state >> 8) % (jpeg.size() / 2));
    }
    Result<Prepared> p = prepare(jpeg);
    if (!p.ok()) {
      EXPECT_FALSE(p.error().message.empty());
    }
    Result<Decoded> d = decode_prefix(jpeg);
    if (!d.ok()) {
      EXPECT_FALSE(d.error().message.empty());
    }
    Result<std::string> f = fill(jpeg);
    if (!f.ok()) {
      EXPECT_FALSE(f.error().message.empty());
    }
  }
}

TEST(BadInput, ErrorKindsHaveNames) {
  EXPECT_STREQ(error_kind_name(ErrorKind::truncated), "truncated");
  EXPECT_STREQ(error_kind_name(ErrorKind::too_large), "too large");
}

TEST(Files, WriteAtomicLeavesNoPartialFileWhenTheDirectoryIsMissing) {
  Result<bool> w = write_file_atomic("/nonexistent-dir/x.jpg", "abc");
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().kind, ErrorKind::io);
  EXPECT_EQ(read_file("/nonexistent-dir/x.jpg").error().kind, ErrorKind::io);
}

TEST(Files, WriteThenReadRoundTrips) {
  const std::string path = ::testing::TempDir() + "glimpse_files_test.bin";
  const std::string bytes("a\0b\xFF", 4);
  ASSERT_TRUE(write_file_atomic(path, bytes).ok());
  Result<std::string> back = read_file(path);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value(), bytes);
  std::remove(path.c_str());
}

TEST(Files, WriteToAFifoWritesThroughItAndLeavesItAFifo) {
  const std::string path = ::testing::TempDir() + "glimpse_files_test.fifo";
  std::remove(path.c_str());
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  std::string got;
  std::thread reader([&] { got = read_file(path).value(); });  // open blocks until a writer comes
  ASSERT_TRUE(write_file_atomic(path, "through").ok());
  reader.join();
  EXPECT_EQ(got, "through");
  struct stat st {};
  ASSERT_EQ(::lstat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  std::remove(path.c_str());
}

TEST(Files, WriteToASymlinkReplacesTheFileItPointsTo) {
  const std::string file = ::testing::TempDir() + "glimpse_files_test.target";
  const std::string link = ::testing::TempDir() + "glimpse_files_test.link";
  std::remove(link.c_str());
  ASSERT_TRUE(write_file_atomic(file, "old").ok());
  ASSERT_EQ(::symlink(file.c_str(), link.c_str()), 0);
  ASSERT_TRUE(write_file_atomic(link, "new").ok());
  struct stat st {};
  ASSERT_EQ(::lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(read_file(file).value(), "new");
  std::remove(link.c_str());
  std::remove(file.c_str());
}

}  // namespace
}  // namespace glimpse::image
