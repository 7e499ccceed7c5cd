// PNG through libpng, with its longjmp error handling kept inside this file.
#include "image/codec.hpp"

#include <png.h>

#include <csetjmp>
#include <cstring>
#include <vector>

namespace glimpse::image {
namespace {

// What libpng's callbacks see; lives in the frame that calls setjmp.
struct PngContext {
  std::string_view input;
  size_t pos = 0;
  std::string* output = nullptr;
  ErrorKind kind = ErrorKind::corrupt;
  std::string message;
};

PngContext* context_of(png_structp png) { return static_cast<PngContext*>(png_get_error_ptr(png)); }

void on_error(png_structp png, png_const_charp message) {
  PngContext* ctx = context_of(png);
  if (ctx->message.empty()) ctx->message = message;
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}

void on_read(png_structp png, png_bytep out, png_size_t n) {
  auto* ctx = static_cast<PngContext*>(png_get_io_ptr(png));
  if (ctx->input.size() - ctx->pos < n) {
    ctx->kind = ErrorKind::truncated;
    ctx->message = "PNG is truncated";
    png_error(png, "truncated");
  }
  std::memcpy(out, ctx->input.data() + ctx->pos, n);
  ctx->pos += n;
}

void on_write(png_structp png, png_bytep data, png_size_t n) {
  auto* ctx = static_cast<PngContext*>(png_get_io_ptr(png));
  ctx->output->append(reinterpret_cast<const char*>(data), n);
}

void on_flush(png_structp) {}

struct ReadHandle {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~ReadHandle() { png_destroy_read_struct(&png, info ? &info : nullptr, nullptr); }
};

struct WriteHandle {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~WriteHandle() { png_destroy_write_struct(&png, info ? &info : nullptr); }
};

// Composites `ch`-channel rows with alpha (last channel) over white.
void flatten(const std::vector<uint8_t>& in, int ch, Pixels* out) {
  const size_t n = static_cast<size_t>(out->width) * out->height;
  const int color = ch - 1;
  out->data.resize(n * color);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* px = &in[i * ch];
    const unsigned a = px[color];
    for (int c = 0; c < color; ++c)
      out->data[i * color + c] = static_cast<uint8_t>((px[c] * a + 255 * (255 - a) + 127) / 255);
  }
}

}  // namespace

namespace detail {

Result<Pixels> decode_png(std::string_view data, uint64_t max_pixels, std::string* icc) {
  PngContext ctx;
  ctx.input = data;
  ReadHandle h;
  Pixels out;
  std::vector<uint8_t> raw;
  std::vector<png_bytep> rows;
  h.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, on_error, on_warning);
  if (!h.png) return make_error(ErrorKind::io, "out of memory starting the PNG decoder");
  h.info = png_create_info_struct(h.png);
  if (!h.info) return make_error(ErrorKind::io, "out of memory starting the PNG decoder");
  if (setjmp(png_jmpbuf(h.png)))
    return make_error(ctx.kind, ctx.message.empty() ? "corrupt PNG" : "PNG: " + ctx.message);

  png_set_read_fn(h.png, &ctx, on_read);
  png_set_user_limits(h.png, 0x7fffffff, 0x7fffffff);
  png_read_info(h.png, h.info);
  const png_uint_32 width = png_get_image_width(h.png, h.info);
  const png_uint_32 height = png_get_image_height(h.png, h.info);
  const uint64_t pixels = static_cast<uint64_t>(width) * height;
  if (max_pixels && pixels > max_pixels) {
    ctx.kind = ErrorKind::too_large;
    return make_error(ErrorKind::too_large,
                      "image is " + std::to_string(width) + "x" + std::to_string(height) + " = " +
                          std::to_string(pixels) + " pixels, above the limit of " +
                          std::to_string(max_pixels));
  }
  if (icc) {
    png_charp name = nullptr;
    png_bytep profile = nullptr;
    png_uint_32 length = 0;
    int compression = 0;
    icc->clear();
    if (png_get_iCCP(h.png, h.info, &name, &compression, &profile, &length) && profile)
      icc->assign(reinterpret_cast<const char*>(profile), length);
  }
  const int color_type = png_get_color_type(h.png, h.info);
  png_set_strip_16(h.png);
  png_set_packing(h.png);
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(h.png);
  if (color_type == PNG_COLOR_TYPE_GRAY) png_set_expand_gray_1_2_4_to_8(h.png);
  if (png_get_valid(h.png, h.info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(h.png);
  png_set_interlace_handling(h.png);
  png_read_update_info(h.png, h.info);

  const int ch = png_get_channels(h.png, h.info);
  out.width = static_cast<int>(width);
  out.height = static_cast<int>(height);
  raw.resize(pixels * ch);
  rows.resize(height);
  for (png_uint_32 y = 0; y < height; ++y)
    rows[y] = raw.data() + static_cast<size_t>(y) * width * ch;
  png_read_image(h.png, rows.data());
  png_read_end(h.png, nullptr);

  if (ch == 2 || ch == 4) {
    out.channels = ch - 1;
    flatten(raw, ch, &out);
  } else {
    out.channels = ch;
    out.data = std::move(raw);
  }
  return out;
}

}  // namespace detail

Result<std::string> encode_png(const Pixels& px) {
  if (px.width <= 0 || px.height <= 0 || (px.channels != 1 && px.channels != 3) ||
      px.data.size() != static_cast<size_t>(px.width) * px.height * px.channels)
    return detail::make_error(ErrorKind::invalid_argument,
                              "pixels are not a valid gray or RGB image");
  std::string bytes;
  PngContext ctx;
  ctx.output = &bytes;
  WriteHandle h;
  std::vector<png_bytep> rows(px.height);
  h.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &ctx, on_error, on_warning);
  if (!h.png) return detail::make_error(ErrorKind::io, "out of memory starting the PNG encoder");
  h.info = png_create_info_struct(h.png);
  if (!h.info) return detail::make_error(ErrorKind::io, "out of memory starting the PNG encoder");
  if (setjmp(png_jmpbuf(h.png)))
    return detail::make_error(ErrorKind::io, "PNG encoder: " + ctx.message);

  png_set_write_fn(h.png, &ctx, on_write, on_flush);
  png_set_IHDR(h.png, h.info, static_cast<png_uint_32>(px.width),
               static_cast<png_uint_32>(px.height), 8,
               px.channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level(h.png, 6);
  png_write_info(h.png, h.info);
  for (int y = 0; y < px.height; ++y)
    rows[y] =
        const_cast<png_bytep>(px.data.data()) + static_cast<size_t>(y) * px.width * px.channels;
  png_write_image(h.png, rows.data());
  png_write_end(h.png, nullptr);
  return bytes;
}

}  // namespace glimpse::image
