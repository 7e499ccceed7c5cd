// glimpse prepare / render / fill: the image pipeline on the command line.
#include "client/commands.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "util/args.hpp"
#include "image/image.hpp"
#include "image/mts_policy.hpp"
#include "image/quality.hpp"

namespace glimpse::client {

using util::Args;
using util::FlagSpec;
namespace {

namespace img = glimpse::image;

const char kPrepareHelp[] =
    "usage: glimpse prepare IN -o OUT [options]\n"
    "\n"
    "Turns a photo (JPEG or PNG, recognised by content) into a progressive JPEG\n"
    "and prints its scan table: for each scan, the byte offset where it ends, the\n"
    "share of the file, and PSNR/SSIM of what a receiver shows at that point\n"
    "against the whole picture; then the MTS (delivery point) the policy picks\n"
    "for each network type at signal strength 2.\n"
    "\n"
    "JPEG input is converted losslessly (DCT coefficients unchanged) unless an\n"
    "EXIF rotation or --max-edge forces a re-encode at --quality.\n"
    "\n"
    "options:\n"
    "  -o, --output OUT      where to write the progressive JPEG (required)\n"
    "  --max-edge N          downscale so the longest edge is at most N pixels (default: keep)\n"
    "  --quality Q           1..100, for PNG input or a re-encode (default 85)\n"
    "  --metadata M          strip | keep (default: keep EXIF/ICC, drop GPS) | keep-gps\n"
    "  --script S            glimpse (default) | default (libjpeg's own progression)\n"
    "  -h, --help            this text\n";

const char kRenderHelp[] =
    "usage: glimpse render IN --bytes N|P% -o OUT.png [--scale 1|2|4|8]\n"
    "\n"
    "Decodes the first N bytes (or P percent) of a progressive JPEG to a PNG: what\n"
    "a receiver shows after that much has arrived. A prefix ending inside a scan\n"
    "shows the scans completed before it.\n"
    "\n"
    "options:\n"
    "  --bytes N|P%          how much of IN has arrived: a byte count or a percentage (required)\n"
    "  -o, --output OUT.png  where to write the PNG (required)\n"
    "  --scale D             decode at 1/D size: 1 (default), 2, 4 or 8\n"
    "  -h, --help            this text\n";

const char kFillHelp[] =
    "usage: glimpse fill IN --bytes N|P% -o OUT.jpg\n"
    "\n"
    "Turns the first N bytes (or P percent) of a progressive JPEG into a complete\n"
    "baseline JPEG showing exactly what has arrived, for viewers without\n"
    "progressive support. No generation loss: coefficients are copied.\n"
    "\n"
    "options:\n"
    "  --bytes N|P%          how much of IN has arrived: a byte count or a percentage (required)\n"
    "  -o, --output OUT.jpg  where to write the baseline JPEG (required)\n"
    "  -h, --help            this text\n";

int usage_error(const char* command, const std::string& message, const char* help) {
  const std::string text(help);
  std::fprintf(stderr, "glimpse %s: %s\n%s(see glimpse %s --help)\n", command, message.c_str(),
               text.substr(0, text.find('\n') + 1).c_str(), command);
  return 2;
}

int failure(const char* command, const std::string& file, const img::Error& e) {
  std::fprintf(stderr, "glimpse %s: %s: %s: %s\n", command, file.c_str(),
               img::error_kind_name(e.kind), e.message.c_str());
  return 1;
}

// Parses argv for `command`; on --help prints `help` and sets *exit_code = 0;
// on a usage error prints it and sets *exit_code = 2.
std::optional<Args> parse(const char* command, const char* help, int argc, char** argv,
                          std::vector<FlagSpec> specs, int* exit_code) {
  specs.push_back({"output", true, false, 'o'});
  std::string error;
  std::optional<Args> args = Args::parse(argc, argv, 2, specs, &error);
  if (!args) {
    *exit_code = usage_error(command, error, help);
    return std::nullopt;
  }
  if (args->has("help")) {
    std::fputs(help, stdout);
    *exit_code = 0;
    return std::nullopt;
  }
  if (args->positionals().size() != 1) {
    *exit_code = usage_error(command, "expected exactly one input file", help);
    return std::nullopt;
  }
  if (!args->has("output") || args->get("output").empty()) {
    *exit_code = usage_error(command, "missing -o OUT", help);
    return std::nullopt;
  }
  struct stat in {}, out {};
  if (::stat(args->positionals()[0].c_str(), &in) == 0 &&
      ::stat(args->get("output").c_str(), &out) == 0 && in.st_dev == out.st_dev &&
      in.st_ino == out.st_ino) {
    *exit_code = usage_error(command, "-o names the input file; write the output elsewhere", help);
    return std::nullopt;
  }
  return args;
}

// "--bytes N" (digits) or "--bytes P%" (0 < P <= 100) against a file of
// `size` bytes; more than the file is the file. At least one byte.
std::optional<uint64_t> parse_bytes(const std::string& text, uint64_t size, std::string* error) {
  const auto refuse = [&](const std::string& why) -> std::optional<uint64_t> {
    *error = "--bytes " + why + ", got '" + text + "'";
    return std::nullopt;
  };
  uint64_t n = 0;
  if (!text.empty() && text.back() == '%') {
    const std::string number = text.substr(0, text.size() - 1);
    char* end = nullptr;
    const double p = std::strtod(number.c_str(), &end);
    if (number.empty() || number.find_first_not_of("0123456789.") != std::string::npos ||
        end != number.c_str() + number.size() || !(p > 0 && p <= 100))
      return refuse("expects a percentage above 0 and at most 100%");
    n = static_cast<uint64_t>(std::floor(size * p / 100.0));
  } else {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
      return refuse("expects a byte count (digits only) or a percentage such as 25%");
    n = text.size() > 19 ? size : std::min<uint64_t>(std::stoull(text), size);
  }
  if (n == 0) return refuse("selects no byte of the file (" + std::to_string(size) + " bytes)");
  return n;
}

void print_scan_table(const img::Prepared& p) {
  img::DecodeOptions options;
  options.max_scans = static_cast<int>(p.scan_ends.size()) + 1;
  img::Result<img::Decoded> full = img::decode_prefix(p.jpeg, options);
  if (!full) {
    std::printf("(cannot decode the output for the scan table: %s)\n",
                full.error().message.c_str());
    return;
  }
  std::printf("\n scan   end offset   of file    PSNR dB    SSIM\n");
  for (size_t i = 0; i < p.scan_ends.size(); ++i) {
    const uint64_t end = p.scan_ends[i];
    img::Result<img::Decoded> shown =
        img::decode_prefix(std::string_view(p.jpeg).substr(0, end), options);
    const double share = 100.0 * end / p.jpeg.size();
    if (!shown) {
      std::printf(" %4zu  %11llu   %6.1f%%   (not decodable: %s)\n", i + 1,
                  static_cast<unsigned long long>(end), share, shown.error().message.c_str());
      continue;
    }
    const double db = img::psnr(shown->pixels, full->pixels);
    const double s = img::ssim(shown->pixels, full->pixels);
    char db_text[32];
    if (std::isinf(db)) {
      std::snprintf(db_text, sizeof db_text, "%9s", "exact");
    } else {
      std::snprintf(db_text, sizeof db_text, "%9.2f", db);
    }
    std::printf(" %4zu  %11llu   %6.1f%%  %s  %6.4f%s\n", i + 1,
                static_cast<unsigned long long>(end), share, db_text, s,
                static_cast<int>(i) + 1 == p.dc_scans ? "   <- first DC picture" : "");
  }
  std::printf("\n MTS (signal 2)     scan   offset        Q    (policy's wish)\n");
  for (img::NetworkType type :
       {img::NetworkType::wifi, img::NetworkType::nr5g, img::NetworkType::lte4g,
        img::NetworkType::g3, img::NetworkType::g2}) {
    const img::MtsChoice c =
        img::choose_mts(p.scan_ends, p.dc_scans, p.width, p.height, img::NetworkReport{type, 2});
    std::printf(" %-16s  %5d  %9llu   %5.1f%%   (%.1f%%)\n", img::network_name(type), c.scan + 1,
                static_cast<unsigned long long>(c.mts), 100 * c.q, 100 * c.target_q);
  }
}

}  // namespace

int cmd_prepare(int argc, char** argv) {
  int code = 0;
  std::optional<Args> args =
      parse("prepare", kPrepareHelp, argc, argv,
            {{"max-edge", true}, {"quality", true}, {"metadata", true}, {"script", true}}, &code);
  if (!args) return code;
  img::PrepareOptions options;
  std::string error;
  if (auto v = args->get_u64("max-edge", &error))
    options.max_edge = static_cast<int>(std::min<uint64_t>(*v, 1 << 20));
  if (!error.empty()) return usage_error("prepare", error, kPrepareHelp);
  if (auto v = args->get_u64("quality", &error)) {
    if (*v < 1 || *v > 100) return usage_error("prepare", "--quality must be 1..100", kPrepareHelp);
    options.quality = static_cast<int>(*v);
  }
  if (!error.empty()) return usage_error("prepare", error, kPrepareHelp);
  const std::string metadata = args->get("metadata", "keep");
  if (metadata == "strip") {
    options.metadata = img::Metadata::strip_all;
  } else if (metadata == "keep") {
    options.metadata = img::Metadata::keep_except_gps;
  } else if (metadata == "keep-gps") {
    options.metadata = img::Metadata::keep_all;
  } else {
    return usage_error("prepare", "--metadata must be strip, keep or keep-gps", kPrepareHelp);
  }
  const std::string script = args->get("script", "glimpse");
  if (script == "glimpse") {
    options.script = img::ScanScriptKind::glimpse;
  } else if (script == "default") {
    options.script = img::ScanScriptKind::libjpeg_default;
  } else {
    return usage_error("prepare", "--script must be glimpse or default", kPrepareHelp);
  }

  const std::string in = args->positionals()[0], out = args->get("output");
  img::Result<std::string> input = img::read_file(in);
  if (!input) return failure("prepare", in, input.error());
  img::Result<img::Prepared> p = img::prepare(input.value(), options);
  if (!p) return failure("prepare", in, p.error());
  img::Result<bool> written = img::write_file_atomic(out, p->jpeg);
  if (!written) return failure("prepare", out, written.error());
  std::printf(
      "%s (%s, %zu bytes) -> %s: progressive JPEG %dx%d, %zu bytes (%.1f%%), %s, %zu scans\n",
      in.c_str(), p->source_format.c_str(), input->size(), out.c_str(), p->width, p->height,
      p->jpeg.size(), 100.0 * p->jpeg.size() / input->size(),
      p->lossless ? "lossless transcode" : "re-encoded", p->scan_ends.size());
  print_scan_table(p.value());
  return 0;
}

int cmd_render(int argc, char** argv) {
  int code = 0;
  std::optional<Args> args =
      parse("render", kRenderHelp, argc, argv, {{"bytes", true}, {"scale", true}}, &code);
  if (!args) return code;
  if (!args->has("bytes")) return usage_error("render", "missing --bytes N|P%", kRenderHelp);
  img::DecodeOptions options;
  const std::string scale = args->get("scale", "1");
  if (scale != "1" && scale != "2" && scale != "4" && scale != "8")
    return usage_error("render", "--scale must be 1, 2, 4 or 8", kRenderHelp);
  options.scale_denom = std::atoi(scale.c_str());

  const std::string in = args->positionals()[0], out = args->get("output");
  img::Result<std::string> input = img::read_file(in);
  if (!input) return failure("render", in, input.error());
  std::string error;
  std::optional<uint64_t> n = parse_bytes(args->get("bytes"), input->size(), &error);
  if (!n) return usage_error("render", error, kRenderHelp);
  img::Result<img::Decoded> shown =
      img::decode_prefix(std::string_view(input.value()).substr(0, *n), options);
  if (!shown) return failure("render", in, shown.error());
  img::Result<std::string> png = img::encode_png(shown->pixels);
  if (!png) return failure("render", out, png.error());
  img::Result<bool> written = img::write_file_atomic(out, png.value());
  if (!written) return failure("render", out, written.error());
  std::printf("%s: first %llu of %zu bytes (%.1f%%) show %d complete scans -> %s (%dx%d)\n",
              in.c_str(), static_cast<unsigned long long>(*n), input->size(),
              input->empty() ? 0.0 : 100.0 * *n / input->size(), shown->scans, out.c_str(),
              shown->pixels.width, shown->pixels.height);
  return 0;
}

int cmd_fill(int argc, char** argv) {
  int code = 0;
  std::optional<Args> args = parse("fill", kFillHelp, argc, argv, {{"bytes", true}}, &code);
  if (!args) return code;
  if (!args->has("bytes")) return usage_error("fill", "missing --bytes N|P%", kFillHelp);
  const std::string in = args->positionals()[0], out = args->get("output");
  img::Result<std::string> input = img::read_file(in);
  if (!input) return failure("fill", in, input.error());
  std::string error;
  std::optional<uint64_t> n = parse_bytes(args->get("bytes"), input->size(), &error);
  if (!n) return usage_error("fill", error, kFillHelp);
  img::Result<std::string> filled = img::fill(std::string_view(input.value()).substr(0, *n));
  if (!filled) return failure("fill", in, filled.error());
  img::Result<bool> written = img::write_file_atomic(out, filled.value());
  if (!written) return failure("fill", out, written.error());
  std::printf("%s: first %llu of %zu bytes -> %s: baseline JPEG, %zu bytes\n", in.c_str(),
              static_cast<unsigned long long>(*n), input->size(), out.c_str(), filled->size());
  return 0;
}

}  // namespace glimpse::client
