#pragma once
// Internal to image/: libjpeg's error handling turned into image::Error.
//
// Usage, in the one function that calls libjpeg (all C++ objects that must be
// destroyed are declared before the setjmp):
//   JpegErrorMgr err;
//   DecompressHandle dec(&err);
//   if (setjmp(err.jump)) return err.error();
//   ... libjpeg calls ...
// error_exit, and every warning about corrupt or missing data, longjmp back
// there; nothing from libjpeg ever unwinds past that frame.
#include <csetjmp>
#include <cstdio>
#include <string>

#include <jpeglib.h>

#include "image/codec.hpp"

namespace glimpse::image::detail {

struct JpegErrorMgr {
  jpeg_error_mgr pub;  // first member: libjpeg sees a jpeg_error_mgr*
  std::jmp_buf jump;
  ErrorKind kind = ErrorKind::corrupt;
  std::string message;

  JpegErrorMgr();
  JpegErrorMgr(const JpegErrorMgr&) = delete;
  JpegErrorMgr& operator=(const JpegErrorMgr&) = delete;
  Error error() const { return make_error(kind, message); }
};

// Owns a decompressor for the lifetime of the enclosing scope.
class DecompressHandle {
 public:
  explicit DecompressHandle(JpegErrorMgr* err);
  ~DecompressHandle() { jpeg_destroy_decompress(&cinfo_); }
  DecompressHandle(const DecompressHandle&) = delete;
  DecompressHandle& operator=(const DecompressHandle&) = delete;
  j_decompress_ptr get() { return &cinfo_; }

 private:
  jpeg_decompress_struct cinfo_;
};

// Owns a compressor writing to memory; bytes() is the output after jpeg_finish_compress.
class CompressHandle {
 public:
  explicit CompressHandle(JpegErrorMgr* err);
  ~CompressHandle();
  CompressHandle(const CompressHandle&) = delete;
  CompressHandle& operator=(const CompressHandle&) = delete;
  j_compress_ptr get() { return &cinfo_; }
  // Sets the memory destination; call once, before jpeg_start_compress / jpeg_write_coefficients.
  void to_memory() { jpeg_mem_dest(&cinfo_, &buffer_, &size_); }
  std::string bytes() const { return std::string(reinterpret_cast<const char*>(buffer_), size_); }

 private:
  jpeg_compress_struct cinfo_;
  unsigned char* buffer_ = nullptr;
  unsigned long size_ = 0;
};

// Saves every APPn and COM marker while reading the header.
void save_all_markers(j_decompress_ptr cinfo);
std::vector<Marker> saved_markers(j_decompress_ptr cinfo);
void write_markers(j_compress_ptr cinfo, const std::vector<Marker>& markers);

// Sets cinfo's progression to `kind`'s scan script; `storage` must outlive compression.
void set_scan_script(j_compress_ptr cinfo, ScanScriptKind kind,
                     std::vector<jpeg_scan_info>* storage);

}  // namespace glimpse::image::detail
