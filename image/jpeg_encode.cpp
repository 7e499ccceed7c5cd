// Pixels -> JPEG, and JPEG -> JPEG at the DCT-coefficient level.
#include "image/jpeg_error.hpp"

#include <vector>

namespace glimpse::image::detail {
namespace {

Result<bool> run_encode(const Pixels& px, const EncodeParams& params, std::string* out) {
  JpegErrorMgr err;
  CompressHandle handle(&err);
  std::vector<jpeg_scan_info> script;
  j_compress_ptr cinfo = handle.get();
  if (setjmp(err.jump)) return err.error();

  handle.to_memory();
  cinfo->image_width = static_cast<JDIMENSION>(px.width);
  cinfo->image_height = static_cast<JDIMENSION>(px.height);
  cinfo->input_components = px.channels;
  cinfo->in_color_space = px.channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(cinfo);
  jpeg_set_quality(cinfo, params.quality, TRUE);
  cinfo->dct_method = JDCT_ISLOW;
  cinfo->optimize_coding = TRUE;
  cinfo->write_JFIF_header = params.write_jfif ? TRUE : FALSE;
  cinfo->restart_interval = static_cast<unsigned>(params.restart_interval);
  if (px.channels == 3) {
    cinfo->comp_info[0].h_samp_factor = params.chroma_h;
    cinfo->comp_info[0].v_samp_factor = params.chroma_v;
    for (int c = 1; c < 3; ++c)
      cinfo->comp_info[c].h_samp_factor = cinfo->comp_info[c].v_samp_factor = 1;
  }
  if (params.progressive) set_scan_script(cinfo, params.script, &script);
  jpeg_start_compress(cinfo, TRUE);
  write_markers(cinfo, params.markers);
  const size_t row_bytes = static_cast<size_t>(px.width) * px.channels;
  while (cinfo->next_scanline < cinfo->image_height) {
    JSAMPROW row = const_cast<uint8_t*>(px.data.data()) + row_bytes * cinfo->next_scanline;
    jpeg_write_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_compress(cinfo);
  *out = handle.bytes();
  return true;
}

Result<bool> run_transcode(std::string_view data, const TranscodeParams& params, std::string* out) {
  JpegErrorMgr err;
  DecompressHandle src_handle(&err);
  CompressHandle dst_handle(&err);
  std::vector<jpeg_scan_info> script;
  std::vector<Marker> markers;
  j_decompress_ptr src = src_handle.get();
  j_compress_ptr dst = dst_handle.get();
  if (setjmp(err.jump)) return err.error();

  jpeg_mem_src(src, reinterpret_cast<const unsigned char*>(data.data()),
               static_cast<unsigned long>(data.size()));
  save_all_markers(src);
  jpeg_read_header(src, TRUE);
  const uint64_t pixels = static_cast<uint64_t>(src->image_width) * src->image_height;
  if (params.max_pixels && pixels > params.max_pixels)
    return make_error(ErrorKind::too_large, "image has " + std::to_string(pixels) +
                                                " pixels, above the limit of " +
                                                std::to_string(params.max_pixels));
  markers = select_markers(saved_markers(src), params.metadata, 0);
  jvirt_barray_ptr* coefficients = jpeg_read_coefficients(src);

  dst_handle.to_memory();
  jpeg_copy_critical_parameters(src, dst);
  dst->optimize_coding = TRUE;
  if (params.metadata == Metadata::strip_all) dst->write_JFIF_header = FALSE;
  if (params.progressive) set_scan_script(dst, params.script, &script);
  jpeg_write_coefficients(dst, coefficients);
  write_markers(dst, markers);
  jpeg_finish_compress(dst);
  jpeg_finish_decompress(src);
  *out = dst_handle.bytes();
  return true;
}

}  // namespace

Result<std::string> encode_jpeg(const Pixels& pixels, const EncodeParams& params) {
  if (pixels.width <= 0 || pixels.height <= 0 || (pixels.channels != 1 && pixels.channels != 3) ||
      pixels.data.size() != static_cast<size_t>(pixels.width) * pixels.height * pixels.channels)
    return make_error(ErrorKind::invalid_argument, "pixels are not a valid gray or RGB image");
  if (params.quality < 1 || params.quality > 100)
    return make_error(ErrorKind::invalid_argument, "quality must be 1..100");
  std::string out;
  Result<bool> done = run_encode(pixels, params, &out);
  if (!done) return done.error();
  return out;
}

Result<std::string> transcode_jpeg(std::string_view data, const TranscodeParams& params) {
  std::string out;
  Result<bool> done = run_transcode(data, params, &out);
  if (!done) return done.error();
  return out;
}

}  // namespace glimpse::image::detail
