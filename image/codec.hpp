#pragma once
// Internal to image/: the pieces behind image.hpp, one .cpp each. Nothing here
// exposes libjpeg or libpng types; every failure is an image::Error.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "image/image.hpp"
#include "image/scan_script.hpp"

namespace glimpse::image::detail {

Error make_error(ErrorKind kind, std::string message);

// ---- Format sniffing (content only; names are never trusted) -------------
enum class Format { unknown, jpeg, png };
Format sniff(std::string_view data);

// ---- JPEG structure, read without libjpeg (jpeg_markers.cpp) -------------
struct JpegFrame {
  uint8_t sof = 0;  // 0xC0..0xCF
  int precision = 0;
  int width = 0;
  int height = 0;
  int components = 0;
  std::vector<int> component_ids;
};

struct ScanHeader {
  std::vector<int> component_ids;
  int ss = 0, se = 0, ah = 0, al = 0;
};

struct JpegLayout {
  bool has_frame = false;
  JpegFrame frame;
  // End of each complete scan: the offset of the marker that follows its
  // entropy data, or just past EOI for the scan EOI follows.
  std::vector<uint64_t> scan_ends;
  std::vector<ScanHeader> scans;  // every SOS header complete within the data
  int sos_count = 0;              // scans.size()
  bool tail_scan = false;         // the last SOS's data runs to the end of the data
  uint64_t tail_data_start = 0;   // where that scan's entropy data starts
  bool has_eoi = false;
  bool broken = false;  // a structural error (e.g. garbage where a marker belongs)
  std::string broken_reason;
};
JpegLayout walk_jpeg(std::string_view data);

// Refuses what libjpeg must not be handed: structural damage, no frame,
// arithmetic coding, lossless or hierarchical JPEG, precision other than 8,
// zero or too many pixels, more than `max_scans` scans (0: no limit); with
// `need_complete`, also a missing EOI. Returns false and sets *error when refused.
bool check_frame(const JpegLayout& layout, uint64_t max_pixels, int max_scans, bool need_complete,
                 Error* error);

// The scan limit for whole-file work (prepare, decode), as DecodeOptions' default.
constexpr int kMaxScans = 100;

// How many leading scans it takes for every frame component's DC to be present
// (0 when the layout never gets there).
int count_dc_scans(const JpegLayout& layout);

// ---- EXIF (exif.cpp). `payload` is an APP1 segment's bytes after its length.
bool is_exif(std::string_view payload);
bool is_xmp(std::string_view payload);
int exif_orientation(std::string_view payload);  // 1..8; 1 when absent or unreadable
// The orientation in a whole JPEG's first EXIF segment (1 when none).
int jpeg_orientation(std::string_view jpeg);
void exif_set_orientation(std::string* payload, int orientation);
// Zeroes the GPS IFD (entries and their out-of-line values) and removes its pointer.
void exif_remove_gps(std::string* payload);

// An APPn or COM segment: marker code and payload (after the length field).
struct Marker {
  int code = 0;
  std::string payload;
};
// APP2 "ICC_PROFILE" segments carrying `profile` (split as the ICC spec says).
std::vector<Marker> icc_markers(std::string_view profile);

// The markers to write under `policy`; EXIF orientation set to `orientation`
// when that is nonzero. JFIF APP0 and Adobe APP14 are left to libjpeg.
std::vector<Marker> select_markers(const std::vector<Marker>& in, Metadata policy, int orientation);

// ---- JPEG decode (jpeg_decode.cpp) ---------------------------------------
struct JpegDecodeParams {
  int scale_denom = 1;
  uint64_t max_pixels = 0;
  bool block_smoothing = true;
  bool keep_markers = false;  // fill `markers`
};
struct JpegDecoded {
  Pixels pixels;
  int orientation = 1;  // from EXIF; not applied
  std::vector<Marker> markers;
  bool progressive = false;
};
// Any warning about corrupt or missing data is an error.
Result<JpegDecoded> decode_jpeg(std::string_view data, const JpegDecodeParams& params);

// ---- JPEG encode and coefficient transcode (jpeg_encode.cpp) -------------
struct EncodeParams {
  int quality = 85;
  int chroma_h = 2, chroma_v = 2;  // luma sampling factors: 2x2 is 4:2:0, 1x1 is 4:4:4
  bool progressive = true;
  ScanScriptKind script = ScanScriptKind::glimpse;
  int restart_interval = 0;  // MCUs
  bool write_jfif = true;
  std::vector<Marker> markers;
};
Result<std::string> encode_jpeg(const Pixels& pixels, const EncodeParams& params);

struct TranscodeParams {
  bool progressive = true;  // false: baseline sequential (fill)
  ScanScriptKind script = ScanScriptKind::glimpse;
  Metadata metadata = Metadata::keep_except_gps;
  uint64_t max_pixels = 0;
};
// Coefficient-level copy: no pixel changes. `data` must be a complete JPEG.
Result<std::string> transcode_jpeg(std::string_view data, const TranscodeParams& params);

// ---- PNG (png_io.cpp) -----------------------------------------------------
// 8-bit gray or RGB; alpha composited over white, 16-bit reduced to 8.
// `icc`, when given, receives the embedded ICC profile (empty when none).
Result<Pixels> decode_png(std::string_view data, uint64_t max_pixels, std::string* icc = nullptr);

// ---- Pixel transforms (transform.cpp) ------------------------------------
// The upright picture for EXIF orientation 1..8.
Pixels apply_orientation(const Pixels& in, int orientation);
Pixels cmyk_to_rgb(const uint8_t* cmyk, int width, int height, bool inverted);

}  // namespace glimpse::image::detail
