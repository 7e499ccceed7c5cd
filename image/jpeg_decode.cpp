// Whole-image JPEG decode through libjpeg (also used for prefixes that
// prefix.cpp has already cut to complete scans and closed with EOI).
#include "image/jpeg_error.hpp"

#include <vector>

namespace glimpse::image::detail {
namespace {

// libjpeg-owned state only: everything here is valid after a longjmp.
Result<bool> run_decode(std::string_view data, const JpegDecodeParams& params, JpegDecoded* out) {
  JpegErrorMgr err;
  DecompressHandle handle(&err);
  std::vector<uint8_t> cmyk;
  j_decompress_ptr cinfo = handle.get();
  if (setjmp(err.jump)) return err.error();

  jpeg_mem_src(cinfo, reinterpret_cast<const unsigned char*>(data.data()),
               static_cast<unsigned long>(data.size()));
  save_all_markers(cinfo);
  jpeg_read_header(cinfo, TRUE);
  const uint64_t pixels = static_cast<uint64_t>(cinfo->image_width) * cinfo->image_height;
  if (params.max_pixels && pixels > params.max_pixels)
    return make_error(ErrorKind::too_large, "image has " + std::to_string(pixels) +
                                                " pixels, above the limit of " +
                                                std::to_string(params.max_pixels));
  for (const Marker& m : saved_markers(cinfo)) {
    if (m.code == JPEG_APP0 + 1 && is_exif(m.payload)) {
      out->orientation = exif_orientation(m.payload);
      break;
    }
  }
  if (params.keep_markers) out->markers = saved_markers(cinfo);
  out->progressive = cinfo->progressive_mode;

  const bool is_cmyk = cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK;
  if (is_cmyk) {
    cinfo->out_color_space = JCS_CMYK;
  } else if (cinfo->num_components == 1) {
    cinfo->out_color_space = JCS_GRAYSCALE;
  } else {
    cinfo->out_color_space = JCS_RGB;
  }
  cinfo->dct_method = JDCT_ISLOW;
  cinfo->scale_num = 1;
  cinfo->scale_denom = params.scale_denom;
  cinfo->do_block_smoothing = params.block_smoothing ? TRUE : FALSE;
  jpeg_start_decompress(cinfo);

  Pixels& p = out->pixels;
  p.width = static_cast<int>(cinfo->output_width);
  p.height = static_cast<int>(cinfo->output_height);
  const int in_channels = cinfo->output_components;
  const size_t row_bytes = static_cast<size_t>(p.width) * in_channels;
  std::vector<uint8_t>& target = is_cmyk ? cmyk : p.data;
  target.resize(row_bytes * p.height);
  while (cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW row = target.data() + row_bytes * cinfo->output_scanline;
    jpeg_read_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_decompress(cinfo);
  if (is_cmyk) {
    Pixels rgb = cmyk_to_rgb(cmyk.data(), p.width, p.height, cinfo->saw_Adobe_marker);
    p.data = std::move(rgb.data);
    p.channels = 3;
  } else {
    p.channels = in_channels;
  }
  return true;
}

}  // namespace

Result<JpegDecoded> decode_jpeg(std::string_view data, const JpegDecodeParams& params) {
  if (params.scale_denom != 1 && params.scale_denom != 2 && params.scale_denom != 4 &&
      params.scale_denom != 8)
    return make_error(ErrorKind::invalid_argument, "scale must be 1, 2, 4 or 8");
  JpegDecoded out;
  Result<bool> done = run_decode(data, params, &out);
  if (!done) return done.error();
  return out;
}

}  // namespace glimpse::image::detail
