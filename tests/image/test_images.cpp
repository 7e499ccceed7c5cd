#include "tests/image/test_images.hpp"

#include <png.h>

#include <cstdio>  // before jpeglib.h, which needs FILE

#include <jpeglib.h>

#include <cmath>
#include <stdexcept>

#include "image/codec.hpp"

namespace glimpse::image::test {
namespace {

uint32_t hash(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352d;
  x ^= x >> 15;
  x *= 0x846ca68b;
  x ^= x >> 16;
  return x;
}

uint8_t clamp8(double v) { return static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v + 0.5); }

void put_le16(std::string* s, int v) {
  s->push_back(static_cast<char>(v & 255));
  s->push_back(static_cast<char>((v >> 8) & 255));
}

void put_le32(std::string* s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s->push_back(static_cast<char>((v >> (8 * i)) & 255));
}

void ifd_entry(std::string* s, int tag, int type, uint32_t count, uint32_t value) {
  put_le16(s, tag);
  put_le16(s, type);
  put_le32(s, count);
  put_le32(s, value);
}

void png_append(png_structp png, png_bytep data, png_size_t n) {
  static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<char*>(data), n);
}

void png_fail(png_structp, png_const_charp message) { throw std::runtime_error(message); }

}  // namespace

Pixels make_picture(int width, int height, int channels, uint32_t seed) {
  Pixels p;
  p.width = width;
  p.height = height;
  p.channels = channels;
  p.data.resize(static_cast<size_t>(width) * height * channels);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const double fx = static_cast<double>(x) / width, fy = static_cast<double>(y) / height;
      const double noise = static_cast<double>(hash(seed * 2654435761u + y * 7919u + x) & 31) - 16;
      const double wave = 30 * std::sin(fx * 23 + fy * 7) * std::cos(fy * 11);
      // A bright block near the top-left and a dark bar near the bottom make it asymmetric.
      const bool block = fx > 0.1 && fx < 0.35 && fy > 0.1 && fy < 0.3;
      const bool bar = fy > 0.75 && fy < 0.85 && fx > 0.4;
      const double edge = block ? 90 : bar ? -90 : 0;
      double rgb[3] = {40 + 170 * fx + wave + edge + noise, 60 + 150 * fy - wave + edge + noise,
                       200 - 120 * fx * fy + 0.5 * wave + edge + noise};
      uint8_t* px = &p.data[(static_cast<size_t>(y) * width + x) * channels];
      if (channels == 1) {
        px[0] = clamp8(0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]);
      } else {
        for (int c = 0; c < 3; ++c) px[c] = clamp8(rgb[c]);
      }
    }
  }
  return p;
}

std::string make_jpeg(const Pixels& pixels, const JpegSpec& spec) {
  detail::EncodeParams params;
  params.quality = spec.quality;
  params.progressive = spec.progressive;
  params.script = ScanScriptKind::libjpeg_default;
  params.restart_interval = spec.restart_interval;
  params.chroma_h = spec.subsampling == Subsampling::s444 ? 1 : 2;
  params.chroma_v = spec.subsampling == Subsampling::s420 ? 2 : 1;
  Result<std::string> jpeg = detail::encode_jpeg(pixels, params);
  if (!jpeg) throw std::runtime_error("make_jpeg: " + jpeg.error().message);
  return jpeg.value();
}

std::string make_cmyk_jpeg(const Pixels& rgb, int quality) {
  jpeg_compress_struct cinfo;
  jpeg_error_mgr err;
  cinfo.err = jpeg_std_error(&err);  // test helper: libjpeg's exit-on-error is fine here
  jpeg_create_compress(&cinfo);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = rgb.width;
  cinfo.image_height = rgb.height;
  cinfo.input_components = 4;
  cinfo.in_color_space = JCS_CMYK;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  std::vector<unsigned char> row(static_cast<size_t>(rgb.width) * 4);
  while (cinfo.next_scanline < cinfo.image_height) {
    for (int x = 0; x < rgb.width; ++x) {
      const uint8_t* s = &rgb.data[(static_cast<size_t>(cinfo.next_scanline) * rgb.width + x) * 3];
      row[4 * x] = s[0];
      row[4 * x + 1] = s[1];
      row[4 * x + 2] = s[2];
      row[4 * x + 3] = 255;
    }
    JSAMPROW r = row.data();
    jpeg_write_scanlines(&cinfo, &r, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::string out(reinterpret_cast<char*>(buffer), size);
  free(buffer);
  return out;
}

std::string exif_segment(int orientation, bool with_gps) {
  const int entries = with_gps ? 2 : 1;
  const uint32_t gps_ifd = 8 + 2 + 12 * entries + 4;
  const uint32_t gps_data = gps_ifd + 2 + 12 * 2 + 4;
  std::string tiff = "II*";
  tiff.push_back('\0');
  put_le32(&tiff, 8);
  put_le16(&tiff, entries);
  ifd_entry(&tiff, 0x0112, 3, 1, static_cast<uint32_t>(orientation));
  if (with_gps) ifd_entry(&tiff, 0x8825, 4, 1, gps_ifd);
  put_le32(&tiff, 0);
  if (with_gps) {
    put_le16(&tiff, 2);
    ifd_entry(&tiff, 0x0001, 2, 2, 'N');
    ifd_entry(&tiff, 0x0002, 5, 3, gps_data);
    put_le32(&tiff, 0);
    tiff += "GPSSECRETLATITUDE_24BYTE";  // 3 rationals, recognisable in tests
  }
  std::string payload = std::string("Exif\0\0", 6) + tiff;
  std::string segment = "\xFF\xE1";
  segment.push_back(static_cast<char>(((payload.size() + 2) >> 8) & 255));
  segment.push_back(static_cast<char>((payload.size() + 2) & 255));
  return segment + payload;
}

std::string insert_after_soi(const std::string& jpeg, const std::string& segment) {
  return jpeg.substr(0, 2) + segment + jpeg.substr(2);
}

std::string minimal_icc_profile(const char* color_space) {
  // 600 bytes, the tail incompressible: libpng 1.6 ignores iCCP chunks under ~92 bytes.
  std::string p(600, '\0');
  for (size_t i = 136; i < p.size(); ++i) p[i] = static_cast<char>(hash(static_cast<uint32_t>(i)));
  auto put32 = [&](size_t at, const char* four) { p.replace(at, 4, four, 4); };
  p[2] = static_cast<char>(600 >> 8);  // size, big-endian
  p[3] = static_cast<char>(600 & 255);
  p[8] = 2;  // version 2.0
  put32(12, "mntr");
  put32(16, color_space);
  put32(20, "XYZ ");
  put32(36, "acsp");
  // D50 illuminant, s15Fixed16: 0.9642, 1.0, 0.8249
  const unsigned char d50[12] = {0x00, 0x00, 0xF6, 0xD6, 0x00, 0x01,
                                 0x00, 0x00, 0x00, 0x00, 0xD3, 0x2D};
  p.replace(68, 12, reinterpret_cast<const char*>(d50), 12);
  put32(80, "GLIM");  // creator: lets tests find the profile in a JPEG
  return p;
}

std::string make_png(const Pixels& px, PngKind kind, const std::string& icc) {
  std::string out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, png_fail, nullptr);
  png_infop info = png_create_info_struct(png);
  png_set_write_fn(png, &out, png_append, nullptr);
  const bool alpha = kind == PngKind::rgba8 || kind == PngKind::gray_alpha8;
  const bool gray = kind == PngKind::gray8 || kind == PngKind::gray_alpha8;
  int color_type = gray ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB;
  if (alpha) color_type |= PNG_COLOR_MASK_ALPHA;
  if (kind == PngKind::palette) color_type = PNG_COLOR_TYPE_PALETTE;
  const int depth = kind == PngKind::rgb16 ? 16 : 8;
  png_set_IHDR(png, info, px.width, px.height, depth, color_type, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (!icc.empty())
    png_set_iCCP(png, info, "test", PNG_COMPRESSION_TYPE_BASE,
                 reinterpret_cast<png_const_bytep>(icc.data()),
                 static_cast<png_uint_32>(icc.size()));
  std::vector<png_color> palette(256);
  if (kind == PngKind::palette) {
    for (int i = 0; i < 256; ++i)
      palette[i] = {static_cast<png_byte>(i), static_cast<png_byte>(255 - i),
                    static_cast<png_byte>(i / 2)};
    png_set_PLTE(png, info, palette.data(), 256);
  }
  png_write_info(png, info);
  const int out_ch = kind == PngKind::palette ? 1 : (gray ? 1 : 3) + (alpha ? 1 : 0);
  const int bytes = depth / 8;
  std::vector<png_byte> row(static_cast<size_t>(px.width) * out_ch * bytes);
  for (int y = 0; y < px.height; ++y) {
    for (int x = 0; x < px.width; ++x) {
      const uint8_t* s = &px.data[(static_cast<size_t>(y) * px.width + x) * px.channels];
      png_byte* d = &row[static_cast<size_t>(x) * out_ch * bytes];
      if (kind == PngKind::palette) {
        d[0] = s[0];
        continue;
      }
      const int color = out_ch - (alpha ? 1 : 0);
      for (int c = 0; c < color; ++c) {
        const uint8_t v = px.channels == 1 ? s[0] : s[color == 1 ? 0 : c];
        if (bytes == 2) {
          d[2 * c] = v;
          d[2 * c + 1] = v;
        } else {
          d[c] = v;
        }
      }
      if (alpha) d[color] = x < px.width / 2 ? 0 : 255;
    }
    png_write_row(png, row.data());
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

size_t find_sof(const std::string& jpeg) {
  size_t pos = 2;
  while (pos + 4 <= jpeg.size() && static_cast<uint8_t>(jpeg[pos]) == 0xFF) {
    const auto m = static_cast<uint8_t>(jpeg[pos + 1]);
    if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) return pos;
    if (m == 0xDA) break;
    pos += 2 + ((static_cast<uint8_t>(jpeg[pos + 2]) << 8) | static_cast<uint8_t>(jpeg[pos + 3]));
  }
  return std::string::npos;
}

bool contains(const std::string& bytes, const std::string& needle) {
  return bytes.find(needle) != std::string::npos;
}

}  // namespace glimpse::image::test
