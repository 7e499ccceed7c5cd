// Pixels -> JPEG, and JPEG -> JPEG at the DCT-coefficient level.
#include "image/jpeg_error.hpp"

#include <sys/mman.h>

#include <jerror.h>
#include <jpegint.h>  // jpeg_c_coef_controller, jpeg_entropy_encoder (stable since libjpeg 6b)

#include <cstdint>
#include <new>
#include <vector>

namespace glimpse::image::detail {
namespace {

// The transcode's DCT coefficients (2 bytes x 64 per block: 12-25 MB for a
// 2560x1600 photo) live outside libjpeg's memory manager, in one anonymous
// mapping that this class owns. Two reasons, both measured (bench_image, and
// a fresh 25 MB buffer alone: 12.4 ms with malloc + memset, 2.6 ms like this):
//  - libjpeg's manager mallocs fresh pages and memsets them (its "pre_zero"):
//    a page fault per 4 KiB, ~6,000 per photo, ~10-15% of the transcode's CPU
//    time on this machine; here the pages come zeroed from the kernel and,
//    where transparent huge pages are enabled for madvise (Linux default),
//    2 MiB at a time;
//  - no pre-zeroing pass over the arrays (libjpeg's jzero_far: ~12-25 M
//    instructions per photo).
// Only block arrays (what jpeg_read_coefficients requests) are handled here;
// anything else still goes to libjpeg's manager. Installed on the decompressor
// (request/realize/access) and the compressor that reads its arrays (access).
class CoefficientArena {
 public:
  CoefficientArena() = default;
  CoefficientArena(const CoefficientArena&) = delete;
  CoefficientArena& operator=(const CoefficientArena&) = delete;
  ~CoefficientArena() {
    if (map_) munmap(map_, map_size_);
  }

  void install_on(j_decompress_ptr src) {
    src->client_data = this;
    realize_fallback_ = src->mem->realize_virt_arrays;
    src->mem->request_virt_barray = request;
    src->mem->realize_virt_arrays = realize;
    src->mem->access_virt_barray = access;
  }
  void install_on(j_compress_ptr dst) {
    dst->client_data = this;
    dst->mem->access_virt_barray = access;
  }

 private:
  struct Array {
    JDIMENSION blocks_per_row = 0;
    JDIMENSION rows = 0;
    JBLOCKROW* row_ptrs = nullptr;  // set when realized
  };
  static constexpr int kMaxArrays = MAX_COMPONENTS;
  static constexpr size_t kHugePage = size_t{2} << 20;

  static CoefficientArena* of(j_common_ptr cinfo) {
    return static_cast<CoefficientArena*>(cinfo->client_data);
  }

  static jvirt_barray_ptr request(j_common_ptr cinfo, int pool_id, boolean /*pre_zero*/,
                                  JDIMENSION blocks_per_row, JDIMENSION rows,
                                  JDIMENSION /*maxaccess*/) {
    CoefficientArena* arena = of(cinfo);
    if (pool_id != JPOOL_IMAGE) ERREXIT1(cinfo, JERR_BAD_POOL_ID, pool_id);
    if (arena->count_ == kMaxArrays || arena->map_) ERREXIT(cinfo, JERR_BAD_VIRTUAL_ACCESS);
    Array& a = arena->arrays_[arena->count_++];
    a.blocks_per_row = blocks_per_row;
    a.rows = rows;
    // The handle libjpeg passes back to access(); never dereferenced by libjpeg.
    return reinterpret_cast<jvirt_barray_ptr>(&a);
  }

  // Zeroed memory for every requested array: row pointers first, then blocks.
  static void realize(j_common_ptr cinfo) {
    CoefficientArena* arena = of(cinfo);
    arena->realize_fallback_(cinfo);  // sample arrays, if anyone asked for some
    if (arena->map_ || arena->count_ == 0) return;
    size_t pointer_bytes = 0, block_bytes = 0;
    for (int i = 0; i < arena->count_; ++i) {
      const Array& a = arena->arrays_[i];
      pointer_bytes += sizeof(JBLOCKROW) * a.rows;
      block_bytes += sizeof(JBLOCK) * static_cast<size_t>(a.blocks_per_row) * a.rows;
    }
    const size_t payload = pointer_bytes + block_bytes;
    const bool huge = payload >= kHugePage;
    arena->map_size_ = payload + (huge ? kHugePage : 0);
    void* map = mmap(nullptr, arena->map_size_, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED) ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 10);
    arena->map_ = map;
    uintptr_t base = reinterpret_cast<uintptr_t>(map);
    if (huge) {
      base = (base + kHugePage - 1) & ~(kHugePage - 1);
      madvise(reinterpret_cast<void*>(base), payload, MADV_HUGEPAGE);  // a hint only
    }
    auto* ptrs = reinterpret_cast<JBLOCKROW*>(base);
    auto* blocks = reinterpret_cast<JBLOCK*>(base + pointer_bytes);
    for (int i = 0; i < arena->count_; ++i) {
      Array& a = arena->arrays_[i];
      a.row_ptrs = ptrs;
      for (JDIMENSION r = 0; r < a.rows; ++r) {
        ptrs[r] = blocks;
        blocks += a.blocks_per_row;
      }
      ptrs += a.rows;
    }
  }

  static JBLOCKARRAY access(j_common_ptr cinfo, jvirt_barray_ptr handle, JDIMENSION start_row,
                            JDIMENSION num_rows, boolean /*writable*/) {
    const Array* a = reinterpret_cast<const Array*>(handle);
    if (!a->row_ptrs || start_row > a->rows || num_rows > a->rows - start_row)
      ERREXIT(cinfo, JERR_BAD_VIRTUAL_ACCESS);
    return a->row_ptrs + start_row;
  }

  Array arrays_[kMaxArrays];
  int count_ = 0;
  void (*realize_fallback_)(j_common_ptr) = nullptr;
  void* map_ = nullptr;
  size_t map_size_ = 0;
};

// The compressor's coefficient controller for a transcode, in place of
// libjpeg's (jctrans.c), which jpeg_write_coefficients installs. It feeds the
// entropy encoder the same blocks in the same order, so the output is the
// same bytes; it only skips the per-block work libjpeg's does for every scan
// of every pass (rebuilding the MCU's block list, bounds tests and dummy-block
// checks that only an interleaved scan needs): ~13% of a progressive
// transcode's instructions there, for ~22 passes over every block (a scan
// costs two passes: Huffman statistics, then output). Single-component scans
// (every AC scan) take the short path; interleaved ones (DC, or the one
// baseline scan of fill) do what jctrans.c does, dummy blocks included.
class TranscodeCoefController {
 public:
  TranscodeCoefController() = default;
  TranscodeCoefController(const TranscodeCoefController&) = delete;
  TranscodeCoefController& operator=(const TranscodeCoefController&) = delete;

  // After jpeg_write_coefficients(cinfo, arrays), before jpeg_finish_compress.
  void install_on(j_compress_ptr cinfo, jvirt_barray_ptr* arrays) {
    pub_.start_pass = start_pass;
    pub_.compress_data = compress_data;
    arrays_ = arrays;
    for (auto& block : dummy_)
      for (JCOEF& c : block) c = 0;
    cinfo->coef = &pub_;
  }

 private:
  static TranscodeCoefController* of(j_compress_ptr cinfo) {
    return reinterpret_cast<TranscodeCoefController*>(cinfo->coef);
  }

  static void start_pass(j_compress_ptr cinfo, J_BUF_MODE mode) {
    if (mode != JBUF_CRANK_DEST) ERREXIT(cinfo, JERR_BAD_BUFFER_MODE);
    of(cinfo)->row_ = 0;
  }

  // One iMCU row of the current scan.
  static boolean compress_data(j_compress_ptr cinfo, JSAMPIMAGE /*input*/) {
    TranscodeCoefController* self = of(cinfo);
    const JDIMENSION row = self->row_++;
    const bool last_row = row == cinfo->total_iMCU_rows - 1;
    auto encode = cinfo->entropy->encode_mcu;
    JBLOCKARRAY buffer[MAX_COMPS_IN_SCAN];
    for (int ci = 0; ci < cinfo->comps_in_scan; ++ci) {
      const jpeg_component_info* comp = cinfo->cur_comp_info[ci];
      buffer[ci] = (*cinfo->mem->access_virt_barray)(
          reinterpret_cast<j_common_ptr>(cinfo), self->arrays_[comp->component_index],
          row * comp->v_samp_factor, static_cast<JDIMENSION>(comp->v_samp_factor), FALSE);
    }
    JBLOCKROW mcu[C_MAX_BLOCKS_IN_MCU];
    if (cinfo->comps_in_scan == 1) {
      const jpeg_component_info* comp = cinfo->cur_comp_info[0];
      const int rows = last_row ? comp->last_row_height : comp->v_samp_factor;
      const JDIMENSION blocks = cinfo->MCUs_per_row;  // width_in_blocks
      for (int y = 0; y < rows; ++y) {
        JBLOCKROW block = buffer[0][y];
        for (JDIMENSION x = 0; x < blocks; ++x, ++block) {
          mcu[0] = block;
          if (!encode(cinfo, mcu)) ERREXIT(cinfo, JERR_CANT_SUSPEND);
        }
      }
      return TRUE;
    }
    const JDIMENSION last_col = cinfo->MCUs_per_row - 1;
    for (JDIMENSION col = 0; col < cinfo->MCUs_per_row; ++col) {
      int n = 0;
      for (int ci = 0; ci < cinfo->comps_in_scan; ++ci) {
        const jpeg_component_info* comp = cinfo->cur_comp_info[ci];
        const JDIMENSION start = col * comp->MCU_width;
        const int count = col < last_col ? comp->MCU_width : comp->last_col_width;
        for (int y = 0; y < comp->MCU_height; ++y) {
          int x = 0;
          if (!last_row || y < comp->last_row_height) {
            JBLOCKROW block = buffer[ci][y] + start;
            for (; x < count; ++x) mcu[n++] = block++;
          }
          for (; x < comp->MCU_width; ++x, ++n) {  // dummy blocks: the DC of the one before
            mcu[n] = &self->dummy_[n];
            mcu[n][0][0] = mcu[n - 1][0][0];
          }
        }
      }
      if (!encode(cinfo, mcu)) ERREXIT(cinfo, JERR_CANT_SUSPEND);
    }
    return TRUE;
  }

  jpeg_c_coef_controller pub_;  // first member: libjpeg sees a jpeg_c_coef_controller*
  jvirt_barray_ptr* arrays_ = nullptr;
  JDIMENSION row_ = 0;
  JBLOCK dummy_[C_MAX_BLOCKS_IN_MCU];
};

// A destination writing straight into the std::string that prepare() returns:
// sized from the input up front (a progressive transcode is close to its
// input's size), doubled if that is short, trimmed at the end. Replaces
// jpeg_mem_dest, which starts at 4 KiB, doubles by malloc + copy, and whose
// buffer was then copied once more into the result.
struct StringDest {
  jpeg_destination_mgr pub;  // first member: libjpeg sees a jpeg_destination_mgr*
  std::string* out;
  size_t initial;

  void install_on(j_compress_ptr cinfo, std::string* string, size_t initial_size) {
    out = string;
    initial = initial_size < 4096 ? 4096 : initial_size;
    pub.init_destination = init;
    pub.empty_output_buffer = grow;
    pub.term_destination = term;
    cinfo->dest = &pub;
  }

  static StringDest* of(j_compress_ptr cinfo) { return reinterpret_cast<StringDest*>(cinfo->dest); }
  static void resize(j_compress_ptr cinfo, size_t size) {
    try {
      of(cinfo)->out->resize(size);
    } catch (const std::bad_alloc&) {
      ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 11);
    }
  }
  static void init(j_compress_ptr cinfo) {
    StringDest* d = of(cinfo);
    resize(cinfo, d->initial);
    d->pub.next_output_byte = reinterpret_cast<JOCTET*>(&(*d->out)[0]);
    d->pub.free_in_buffer = d->out->size();
  }
  static boolean grow(j_compress_ptr cinfo) {  // called with the buffer full
    StringDest* d = of(cinfo);
    const size_t used = d->out->size();
    resize(cinfo, used * 2);
    d->pub.next_output_byte = reinterpret_cast<JOCTET*>(&(*d->out)[used]);
    d->pub.free_in_buffer = d->out->size() - used;
    return TRUE;
  }
  static void term(j_compress_ptr cinfo) {
    StringDest* d = of(cinfo);
    d->out->resize(d->out->size() - d->pub.free_in_buffer);
  }
};

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
  CoefficientArena arena;  // outlives both handles
  DecompressHandle src_handle(&err);
  CompressHandle dst_handle(&err);
  StringDest dest;
  TranscodeCoefController coef;
  std::vector<jpeg_scan_info> script;
  std::vector<Marker> markers;
  j_decompress_ptr src = src_handle.get();
  j_compress_ptr dst = dst_handle.get();
  if (setjmp(err.jump)) return err.error();

  arena.install_on(src);
  arena.install_on(dst);
  jpeg_mem_src(src, reinterpret_cast<const unsigned char*>(data.data()),
               static_cast<unsigned long>(data.size()));
  // Nothing to keep under strip_all: don't copy the APPn segments at all.
  if (params.metadata != Metadata::strip_all) save_all_markers(src);
  jpeg_read_header(src, TRUE);
  const uint64_t pixels = static_cast<uint64_t>(src->image_width) * src->image_height;
  if (params.max_pixels && pixels > params.max_pixels)
    return make_error(ErrorKind::too_large, "image has " + std::to_string(pixels) +
                                                " pixels, above the limit of " +
                                                std::to_string(params.max_pixels));
  markers = select_markers(saved_markers(src), params.metadata, 0);
  jvirt_barray_ptr* coefficients = jpeg_read_coefficients(src);

  dest.install_on(dst, out, data.size() + data.size() / 16);
  jpeg_copy_critical_parameters(src, dst);
  dst->optimize_coding = TRUE;
  if (params.metadata == Metadata::strip_all) dst->write_JFIF_header = FALSE;
  if (params.progressive) set_scan_script(dst, params.script, &script);
  jpeg_write_coefficients(dst, coefficients);
  coef.install_on(dst, coefficients);
  write_markers(dst, markers);
  jpeg_finish_compress(dst);
  jpeg_finish_decompress(src);
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
