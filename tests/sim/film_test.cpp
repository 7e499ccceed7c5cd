#include "sim/film.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "test_photo.hpp"

namespace glimpse::sim {
namespace {

std::string out_dir(const std::string& name) {
  return ::testing::TempDir() + "glimpse_sim_film_" + std::to_string(::getpid()) + "_" + name;
}

TEST(Film, FramePerCompletedScanWithSsimRisingToOne) {
  auto log = storage::new_memory_log();
  testing::write_photo_transfer(*log, 21);
  std::string dir = out_dir("frames") + "/nested";
  Film film;
  std::string error;
  ASSERT_TRUE(make_film(*log, 21, dir, {}, &film, &error)) << error;
  EXPECT_TRUE(film.complete);
  ASSERT_GE(film.frames.size(), 2u);
  EXPECT_LE(film.frames.size(), testing::small_photo().scan_ends.size());
  for (size_t i = 1; i < film.frames.size(); ++i) {
    EXPECT_GT(film.frames[i].bytes, film.frames[i - 1].bytes);
    EXPECT_GE(film.frames[i].rel_ms, film.frames[i - 1].rel_ms);
  }
  EXPECT_NEAR(film.frames.back().ssim, 1.0, 1e-9);
  EXPECT_LT(film.frames.front().ssim, 1.0);
  for (const FilmFrame& f : film.frames) {
    std::ifstream png(dir + "/" + f.png, std::ios::binary);
    char magic[4] = {};
    png.read(magic, 4);
    EXPECT_EQ(std::string(magic + 1, 3), "PNG") << f.png;
  }
  std::string html = film_html(film);
  EXPECT_NE(html.find("class=\"mts\""), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos);  // nothing to fetch: opens from disk
  std::system(("rm -rf '" + out_dir("frames") + "'").c_str());
}

TEST(Film, FramesAreScaledToMaxEdge) {
  auto log = storage::new_memory_log();
  testing::write_photo_transfer(*log, 22);
  std::string dir = out_dir("small");
  Film film;
  std::string error;
  ASSERT_TRUE(make_film(*log, 22, dir, FilmOptions{80}, &film, &error)) << error;
  std::ifstream png(dir + "/" + film.frames.front().png, std::ios::binary);
  unsigned char ihdr[24] = {};
  png.read(reinterpret_cast<char*>(ihdr), sizeof ihdr);
  uint32_t width = (ihdr[16] << 24) | (ihdr[17] << 16) | (ihdr[18] << 8) | ihdr[19];
  EXPECT_EQ(width, 80u);  // 160x120 scaled to a longest edge of 80
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST(Film, UnknownTransferIsAnError) {
  auto log = storage::new_memory_log();
  Film film;
  std::string error;
  EXPECT_FALSE(make_film(*log, 5, out_dir("none"), {}, &film, &error));
  EXPECT_NE(error.find("no transfer 5"), std::string::npos);
}

}  // namespace
}  // namespace glimpse::sim
