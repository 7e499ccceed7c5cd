// What a receiver does with the bytes it has: the scan index, a decode of any
// prefix, and fill (any prefix -> complete baseline JPEG).
#include "image/codec.hpp"

#include <functional>

namespace glimpse::image {
namespace {

using detail::make_error;

constexpr char kEoi[] = "\xFF\xD9";

Error not_jpeg(std::string_view data) {
  if (data.empty()) return make_error(ErrorKind::not_an_image, "the data is empty (zero bytes)");
  if (std::string_view("\xFF\xD8\xFF").substr(0, data.size()) == data)
    return make_error(ErrorKind::truncated, "the prefix ends inside the JPEG signature");
  if (detail::sniff(data) == detail::Format::png)
    return make_error(ErrorKind::unsupported, "this is a PNG; prefixes are JPEG only");
  return make_error(ErrorKind::not_an_image, "not a JPEG (no start-of-image marker)");
}

// The prefix closed with EOI after its last scan. `tail` includes a scan whose
// data runs to the very end of the prefix (complete or not: only libjpeg can
// tell); `complete` stops at the last scan whose end marker was seen.
struct Cuts {
  std::string tail;  // empty when there is no such scan
  std::string complete;
  int complete_scans = 0;
};

Result<Cuts> cut(std::string_view prefix, int max_scans, uint64_t max_pixels) {
  if (detail::sniff(prefix) != detail::Format::jpeg) return not_jpeg(prefix);
  const detail::JpegLayout layout = detail::walk_jpeg(prefix);
  Error error;
  if (!detail::check_frame(layout, max_pixels, max_scans, false, &error)) return error;
  Cuts cuts;
  cuts.complete_scans = static_cast<int>(layout.scan_ends.size());
  if (cuts.complete_scans > 0) {
    const uint64_t end = layout.scan_ends.back();
    cuts.complete.assign(prefix.substr(0, end));
    // Entropy data never holds FF D9, so ending in it means the cut kept EOI.
    if (cuts.complete.size() < 2 || cuts.complete.compare(cuts.complete.size() - 2, 2, kEoi) != 0)
      cuts.complete += kEoi;
  }
  if (layout.tail_scan) {
    size_t end = prefix.size();
    while (end > layout.tail_data_start && static_cast<uint8_t>(prefix[end - 1]) == 0xFF) --end;
    if (end > layout.tail_data_start) cuts.tail = std::string(prefix.substr(0, end)) + kEoi;
  }
  return cuts;
}

// Runs `work` on the longest cut that libjpeg accepts; *scans gets its scan count.
template <class T>
Result<T> on_best_cut(const Cuts& cuts, const std::function<Result<T>(const std::string&)>& work,
                      int* scans) {
  if (!cuts.tail.empty()) {
    Result<T> r = work(cuts.tail);
    if (r.ok()) {
      *scans = cuts.complete_scans + 1;
      return r;
    }
    if (cuts.complete_scans == 0) {
      if (r.error().kind == ErrorKind::truncated)
        return make_error(ErrorKind::truncated, "the prefix holds no complete scan yet");
      return r.error();
    }
  }
  if (cuts.complete_scans == 0)
    return make_error(ErrorKind::truncated, "the prefix holds no complete scan yet");
  *scans = cuts.complete_scans;
  return work(cuts.complete);
}

}  // namespace

Result<std::vector<uint64_t>> scan_index(std::string_view jpeg) {
  if (detail::sniff(jpeg) != detail::Format::jpeg) return not_jpeg(jpeg);
  detail::JpegLayout layout = detail::walk_jpeg(jpeg);
  if (layout.broken) return make_error(ErrorKind::corrupt, "corrupt JPEG: " + layout.broken_reason);
  return std::move(layout.scan_ends);
}

Result<FrameSize> frame_size(std::string_view jpeg) {
  if (detail::sniff(jpeg) != detail::Format::jpeg) return not_jpeg(jpeg);
  detail::JpegLayout layout = detail::walk_jpeg(jpeg);
  if (!layout.has_frame) {
    return make_error(layout.broken ? ErrorKind::corrupt : ErrorKind::truncated,
                      layout.broken ? "corrupt JPEG: " + layout.broken_reason
                                    : "JPEG ends before its frame header");
  }
  return FrameSize{layout.frame.width, layout.frame.height};
}

Result<Decoded> decode_prefix(std::string_view prefix, const DecodeOptions& options) {
  Result<Cuts> cuts = cut(prefix, options.max_scans, options.max_pixels);
  if (!cuts) return cuts.error();
  detail::JpegDecodeParams params;
  params.scale_denom = options.scale_denom;
  params.max_pixels = options.max_pixels;
  params.block_smoothing = options.block_smoothing;
  int scans = 0;
  Result<detail::JpegDecoded> decoded = on_best_cut<detail::JpegDecoded>(
      cuts.value(), [&](const std::string& data) { return detail::decode_jpeg(data, params); },
      &scans);
  if (!decoded) return decoded.error();
  Decoded out;
  out.pixels = std::move(decoded->pixels);
  out.scans = scans;
  return out;
}

Result<std::string> fill(std::string_view prefix) {
  const uint64_t max_pixels = PrepareOptions{}.max_pixels;
  Result<Cuts> cuts = cut(prefix, DecodeOptions{}.max_scans, max_pixels);
  if (!cuts) return cuts.error();
  detail::TranscodeParams params;
  params.progressive = false;
  params.metadata = Metadata::keep_except_gps;
  params.max_pixels = max_pixels;
  int scans = 0;
  return on_best_cut<std::string>(
      cuts.value(), [&](const std::string& data) { return detail::transcode_jpeg(data, params); },
      &scans);
}

}  // namespace glimpse::image
