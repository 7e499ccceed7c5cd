#pragma once
// Test images made in memory: synthetic pictures and JPEG/PNG files of them,
// plus byte-level mutations for bad-input tests. Shared by every tests/image test.
#include <cstdint>
#include <string>

#include "image/image.hpp"

namespace glimpse::image::test {

// A deterministic, asymmetric, photo-like picture: gradients, texture and edges.
// No two of its eight orientations look alike.
Pixels make_picture(int width, int height, int channels = 3, uint32_t seed = 1);

enum class Subsampling { s444, s422, s420 };

struct JpegSpec {
  int quality = 90;
  Subsampling subsampling = Subsampling::s420;
  bool progressive = false;
  int restart_interval = 0;  // in MCUs; 0: none
};

// A JPEG of `pixels` written with libjpeg (via image/'s internal encoder).
std::string make_jpeg(const Pixels& pixels, const JpegSpec& spec = {});

// An Adobe-style CMYK JPEG (inverted ink values, as Photoshop writes) whose
// colours are those of the RGB `pixels`: C = R, M = G, Y = B, K = 255 stored.
std::string make_cmyk_jpeg(const Pixels& rgb, int quality = 95);

// An APP1 EXIF segment (marker included) holding an orientation tag and,
// when `with_gps`, a GPS IFD with a latitude.
std::string exif_segment(int orientation, bool with_gps = false);

// `jpeg` with `segment` inserted right after SOI.
std::string insert_after_soi(const std::string& jpeg, const std::string& segment);

enum class PngKind { gray8, rgb8, rgba8, gray_alpha8, rgb16, palette };

// A PNG of `pixels` (gray or RGB) written with libpng in the given layout.
// Alpha kinds get alpha = 0 on the left half (fully transparent) and 255 on the right.
// With `icc`, the PNG carries it as its iCCP profile.
std::string make_png(const Pixels& pixels, PngKind kind, const std::string& icc = "");

// A small, structurally valid ICC profile (no tags) for `color_space` "RGB " or "GRAY".
std::string minimal_icc_profile(const char* color_space);

// Offset of the first SOFn marker (0xFF byte) in `jpeg`, or npos.
size_t find_sof(const std::string& jpeg);

// True when `bytes` contains `needle`.
bool contains(const std::string& bytes, const std::string& needle);

}  // namespace glimpse::image::test
