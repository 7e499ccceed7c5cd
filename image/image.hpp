#pragma once
// The progressive image pipeline: photo in, progressive JPEG out, plus what a
// receiver needs to show any prefix of it. Sees only libjpeg-turbo and libpng.
//
// Pixels are 8-bit, interleaved, row-major; 1 channel (gray) or 3 (RGB).
// All functions are thread-safe (no shared state).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "image/result.hpp"

namespace glimpse::image {

struct Pixels {
  int width = 0;
  int height = 0;
  int channels = 0;            // 1 or 3
  std::vector<uint8_t> data;   // width * height * channels bytes
};

enum class Metadata {
  strip_all,        // no APPn/COM segments at all
  keep_except_gps,  // default: keep EXIF/ICC but drop the GPS IFD
  keep_all,
};

enum class ScanScriptKind {
  glimpse,          // ours: chosen for quality at small prefixes
  libjpeg_default,  // jpeg_simple_progression(), for comparison
};

struct PrepareOptions {
  int max_edge = 0;              // 0: keep size; else downscale so the longest edge <= max_edge
  int quality = 85;              // PNG input, or JPEG input that must be re-encoded
  Metadata metadata = Metadata::keep_except_gps;
  uint64_t max_pixels = 64ull * 1000 * 1000;  // refused above, before allocating
  ScanScriptKind script = ScanScriptKind::glimpse;
};

struct Prepared {
  std::string jpeg;                // the progressive JPEG
  int width = 0;                   // after orientation and downscale
  int height = 0;
  std::vector<uint64_t> scan_ends; // offset just past each scan's data; ascending; last == size
  int dc_scans = 0;                // leading scans up to the first complete DC picture (for choose_mts)
  bool lossless = false;           // DCT coefficients carried over unchanged (JPEG input)
  std::string source_format;       // "jpeg" or "png"
};

// JPEG input: lossless coefficient-level transcode (like jpegtran -progressive
// -optimize), unless a downscale or an EXIF rotation forces a re-encode
// (then the orientation is applied and the tag reset to 1). PNG input: encoded
// at `quality`, 4:2:0, alpha composited over white, 16-bit reduced to 8.
Result<Prepared> prepare(std::string_view input, const PrepareOptions& options = {});

// Offsets just past each scan of a (possibly truncated) JPEG: only scans whose
// data is complete within `jpeg` are listed.
Result<std::vector<uint64_t>> scan_index(std::string_view jpeg);

struct FrameSize {
  int width = 0;
  int height = 0;
};

// The picture size in a JPEG's frame header (SOF), read without decoding; an
// error when the data is not a JPEG or ends before its frame header.
Result<FrameSize> frame_size(std::string_view jpeg);

struct DecodeOptions {
  int scale_denom = 1;          // 1, 2, 4 or 8: cheap previews
  int max_scans = 100;          // guard against the progressive-scan DoS
  uint64_t max_pixels = 64ull * 1000 * 1000;
  bool block_smoothing = true;  // libjpeg's smoothing of blocks with missing AC data
};

struct Decoded {
  Pixels pixels;
  int scans = 0;                // complete scans shown
};

// Decodes any prefix of a progressive (or baseline) JPEG: a prefix ending mid
// scan shows the scans completed before it. Errors when not even the first
// scan is complete.
Result<Decoded> decode_prefix(std::string_view prefix, const DecodeOptions& options = {});

// Decodes a whole JPEG or PNG (after EXIF orientation for JPEG).
Result<Pixels> decode(std::string_view data, uint64_t max_pixels = 64ull * 1000 * 1000);

// A complete, standard baseline JPEG of what `prefix` shows, for receivers
// without progressive support. Its pixels, decoded by any decoder, equal
// decode_prefix(prefix, {.block_smoothing = false}).
Result<std::string> fill(std::string_view prefix);

Result<std::string> encode_png(const Pixels& pixels);

// Reads or writes a whole file. A write to a regular file (or a symlink to
// one: the file it points to) goes through a temporary file and a rename, so
// a failure leaves no partial file behind; a device or FIFO (/dev/null, a
// pipe) is written through as it is, never replaced.
Result<std::string> read_file(const std::string& path);
Result<bool> write_file_atomic(const std::string& path, std::string_view bytes);

}  // namespace glimpse::image
