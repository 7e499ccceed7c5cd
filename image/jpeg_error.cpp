#include "image/jpeg_error.hpp"

#include <jerror.h>

namespace glimpse::image::detail {
namespace {

ErrorKind classify(int code) {
  switch (code) {
    case JERR_INPUT_EOF:
    case JWRN_JPEG_EOF:
    case JWRN_HIT_MARKER:
      return ErrorKind::truncated;
    case JERR_NO_SOI:
      return ErrorKind::not_an_image;
    case JERR_ARITH_NOTIMPL:
    case JERR_BAD_PRECISION:
    case JERR_SOF_UNSUPPORTED:
    case JERR_NOT_COMPILED:
    case JERR_EMPTY_IMAGE:
      return ErrorKind::unsupported;
    case JERR_IMAGE_TOO_BIG:
    case JERR_WIDTH_OVERFLOW:
      return ErrorKind::too_large;
    default:
      return ErrorKind::corrupt;
  }
}

// Warnings that mean the pixels would not be what the file says.
bool is_data_warning(int code) {
  switch (code) {
    case JWRN_JPEG_EOF:
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_ARITH_BAD_CODE:
    case JWRN_EXTRANEOUS_DATA:
    case JWRN_MUST_RESYNC:
    case JWRN_NOT_SEQUENTIAL:
    case JWRN_BOGUS_PROGRESSION:
      return true;
    default:
      return false;
  }
}

[[noreturn]] void fail(j_common_ptr cinfo) {
  auto* mgr = reinterpret_cast<JpegErrorMgr*>(cinfo->err);
  char text[JMSG_LENGTH_MAX];
  (*cinfo->err->format_message)(cinfo, text);
  mgr->kind = classify(cinfo->err->msg_code);
  mgr->message = text;
  std::longjmp(mgr->jump, 1);
}

void on_error_exit(j_common_ptr cinfo) { fail(cinfo); }

void on_emit_message(j_common_ptr cinfo, int level) {
  if (level >= 0) return;  // trace messages
  if (is_data_warning(cinfo->err->msg_code)) fail(cinfo);
  cinfo->err->num_warnings++;
}

void on_output_message(j_common_ptr) {}

}  // namespace

JpegErrorMgr::JpegErrorMgr() {
  jpeg_std_error(&pub);
  pub.error_exit = on_error_exit;
  pub.emit_message = on_emit_message;
  pub.output_message = on_output_message;
}

DecompressHandle::DecompressHandle(JpegErrorMgr* err) {
  cinfo_.err = &err->pub;
  jpeg_create_decompress(&cinfo_);
}

CompressHandle::CompressHandle(JpegErrorMgr* err) {
  cinfo_.err = &err->pub;
  jpeg_create_compress(&cinfo_);
}

CompressHandle::~CompressHandle() {
  jpeg_destroy_compress(&cinfo_);
  free(buffer_);  // jpeg_mem_dest's buffer outlives the compressor
}

void save_all_markers(j_decompress_ptr cinfo) {
  jpeg_save_markers(cinfo, JPEG_COM, 0xFFFF);
  for (int m = 0; m < 16; ++m) jpeg_save_markers(cinfo, JPEG_APP0 + m, 0xFFFF);
}

std::vector<Marker> saved_markers(j_decompress_ptr cinfo) {
  std::vector<Marker> out;
  for (jpeg_saved_marker_ptr m = cinfo->marker_list; m; m = m->next)
    out.push_back({m->marker, std::string(reinterpret_cast<const char*>(m->data), m->data_length)});
  return out;
}

void write_markers(j_compress_ptr cinfo, const std::vector<Marker>& markers) {
  for (const Marker& m : markers)
    jpeg_write_marker(cinfo, m.code, reinterpret_cast<const JOCTET*>(m.payload.data()),
                      static_cast<unsigned>(m.payload.size()));
}

void set_scan_script(j_compress_ptr cinfo, ScanScriptKind kind,
                     std::vector<jpeg_scan_info>* storage) {
  const int nc = cinfo->num_components;
  if (nc != 1 && nc != 3) {
    jpeg_simple_progression(cinfo);  // CMYK: libjpeg's generic script
    return;
  }
  storage->clear();
  for (const ScanSpec& s : scan_script(kind, nc)) {
    jpeg_scan_info info{};
    info.comps_in_scan = s.num_components;
    for (int c = 0; c < s.num_components; ++c) info.component_index[c] = s.components[c];
    info.Ss = s.ss;
    info.Se = s.se;
    info.Ah = s.ah;
    info.Al = s.al;
    storage->push_back(info);
  }
  cinfo->scan_info = storage->data();
  cinfo->num_scans = static_cast<int>(storage->size());
}

}  // namespace glimpse::image::detail
