// prepare() and decode(): photo in, upright progressive JPEG out.
#include "image/codec.hpp"

#include <algorithm>

#include "image/quality.hpp"

namespace glimpse::image {
namespace {

using detail::make_error;

Error unknown_format(std::string_view data) {
  if (data.empty()) return make_error(ErrorKind::not_an_image, "the file is empty (zero bytes)");
  return make_error(ErrorKind::not_an_image, "not a JPEG or PNG image");
}

// In a JPEG whose EOI is present, data that "ends early" is damaged, not cut short.
Error complete_input_error(Error e) {
  if (e.kind == ErrorKind::truncated) e.kind = ErrorKind::corrupt;
  return e;
}

bool needs_downscale(int width, int height, int max_edge) {
  return max_edge > 0 && std::max(width, height) > max_edge;
}

Result<Prepared> finish(std::string jpeg, int width, int height, bool lossless,
                        const char* format) {
  Prepared out;
  detail::JpegLayout layout = detail::walk_jpeg(jpeg);
  out.scan_ends = std::move(layout.scan_ends);
  out.dc_scans = detail::count_dc_scans(layout);
  out.jpeg = std::move(jpeg);
  out.width = width;
  out.height = height;
  out.lossless = lossless;
  out.source_format = format;
  return out;
}

Result<Prepared> encode_prepared(Pixels pixels, const PrepareOptions& options,
                                 std::vector<detail::Marker> markers, const char* format) {
  if (needs_downscale(pixels.width, pixels.height, options.max_edge))
    pixels = area_downscale(pixels, options.max_edge);
  detail::EncodeParams params;
  params.quality = options.quality;
  params.script = options.script;
  params.write_jfif = options.metadata != Metadata::strip_all;
  params.markers = std::move(markers);
  Result<std::string> jpeg = detail::encode_jpeg(pixels, params);
  if (!jpeg) return jpeg.error();
  return finish(std::move(jpeg.value()), pixels.width, pixels.height, false, format);
}

Result<Prepared> prepare_jpeg(std::string_view input, const PrepareOptions& options) {
  const detail::JpegLayout layout = detail::walk_jpeg(input);
  Error error;
  if (!detail::check_frame(layout, options.max_pixels, detail::kMaxScans, true, &error))
    return error;

  const int w = layout.frame.width, h = layout.frame.height;
  const int orientation = detail::jpeg_orientation(input);
  if (orientation == 1 && !needs_downscale(w, h, options.max_edge)) {
    detail::TranscodeParams tp;
    tp.script = options.script;
    tp.metadata = options.metadata;
    tp.max_pixels = options.max_pixels;
    Result<std::string> jpeg = detail::transcode_jpeg(input, tp);
    if (!jpeg) return complete_input_error(jpeg.error());
    return finish(std::move(jpeg.value()), w, h, true, "jpeg");
  }
  detail::JpegDecodeParams params;
  params.max_pixels = options.max_pixels;
  params.keep_markers = true;
  Result<detail::JpegDecoded> decoded = detail::decode_jpeg(input, params);
  if (!decoded) return complete_input_error(decoded.error());
  Pixels upright = decoded->orientation == 1
                       ? std::move(decoded->pixels)
                       : detail::apply_orientation(decoded->pixels, decoded->orientation);
  decoded->pixels = Pixels{};
  std::vector<detail::Marker> markers =
      detail::select_markers(decoded->markers, options.metadata, 1);
  if (layout.frame.components == 4)  // a CMYK profile does not describe the RGB we write
    markers.erase(std::remove_if(markers.begin(), markers.end(),
                                 [](const detail::Marker& m) {
                                   return m.code == 0xE2 && m.payload.rfind("ICC_PROFILE", 0) == 0;
                                 }),
                  markers.end());
  return encode_prepared(std::move(upright), options, std::move(markers), "jpeg");
}

}  // namespace

Result<Prepared> prepare(std::string_view input, const PrepareOptions& options) {
  if (options.quality < 1 || options.quality > 100)
    return make_error(ErrorKind::invalid_argument, "quality must be between 1 and 100");
  if (options.max_edge < 0)
    return make_error(ErrorKind::invalid_argument, "max edge must be 0 (keep) or positive");
  switch (detail::sniff(input)) {
    case detail::Format::jpeg:
      return prepare_jpeg(input, options);
    case detail::Format::png: {
      std::string icc;
      Result<Pixels> pixels = detail::decode_png(input, options.max_pixels, &icc);
      if (!pixels) return pixels.error();
      std::vector<detail::Marker> markers;
      if (options.metadata != Metadata::strip_all) markers = detail::icc_markers(icc);
      return encode_prepared(std::move(pixels.value()), options, std::move(markers), "png");
    }
    case detail::Format::unknown:
      break;
  }
  return unknown_format(input);
}

Result<Pixels> decode(std::string_view data, uint64_t max_pixels) {
  switch (detail::sniff(data)) {
    case detail::Format::jpeg: {
      const detail::JpegLayout layout = detail::walk_jpeg(data);
      Error error;
      if (!detail::check_frame(layout, max_pixels, detail::kMaxScans, true, &error)) return error;
      detail::JpegDecodeParams params;
      params.max_pixels = max_pixels;
      Result<detail::JpegDecoded> decoded = detail::decode_jpeg(data, params);
      if (!decoded) return complete_input_error(decoded.error());
      if (decoded->orientation == 1) return std::move(decoded->pixels);
      return detail::apply_orientation(decoded->pixels, decoded->orientation);
    }
    case detail::Format::png:
      return detail::decode_png(data, max_pixels);
    case detail::Format::unknown:
      break;
  }
  return unknown_format(data);
}

}  // namespace glimpse::image
