// JPEG structure read byte by byte, without libjpeg: the scan index and the
// checks that must happen before libjpeg sees (and allocates for) the data.
#include "image/codec.hpp"

#include <cstdio>
#include <cstring>

namespace glimpse::image::detail {
namespace {

bool is_rst(uint8_t m) { return m >= 0xD0 && m <= 0xD7; }

bool is_sof(uint8_t m) { return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC; }

int be16(const uint8_t* p) { return (p[0] << 8) | p[1]; }

void parse_sof(const uint8_t* seg, size_t len, uint8_t marker, JpegLayout* out) {
  if (out->has_frame) return;  // libjpeg rejects a second frame itself
  if (len < 6) {
    out->broken = true;
    out->broken_reason = "frame header (SOF) too short";
    return;
  }
  JpegFrame& f = out->frame;
  f.sof = marker;
  f.precision = seg[0];
  f.height = be16(seg + 1);
  f.width = be16(seg + 3);
  f.components = seg[5];
  for (int c = 0; c < f.components && static_cast<size_t>(6 + 3 * c) < len; ++c)
    f.component_ids.push_back(seg[6 + 3 * c]);
  out->has_frame = true;
}

void parse_sos(const uint8_t* seg, size_t len, JpegLayout* out) {
  ScanHeader s;
  const int n = len >= 1 ? seg[0] : 0;
  if (len < static_cast<size_t>(1 + 2 * n + 3)) {
    out->broken = true;
    out->broken_reason = "scan header (SOS) too short";
    return;
  }
  for (int c = 0; c < n; ++c) s.component_ids.push_back(seg[1 + 2 * c]);
  s.ss = seg[1 + 2 * n];
  s.se = seg[2 + 2 * n];
  s.ah = seg[3 + 2 * n] >> 4;
  s.al = seg[3 + 2 * n] & 15;
  out->scans.push_back(std::move(s));
  out->sos_count = static_cast<int>(out->scans.size());
}

}  // namespace

Format sniff(std::string_view data) {
  static const char kPng[] = "\x89PNG\r\n\x1a\n";
  if (data.size() >= 3 && static_cast<uint8_t>(data[0]) == 0xFF &&
      static_cast<uint8_t>(data[1]) == 0xD8 && static_cast<uint8_t>(data[2]) == 0xFF)
    return Format::jpeg;
  if (data.size() >= 8 && std::memcmp(data.data(), kPng, 8) == 0) return Format::png;
  return Format::unknown;
}

JpegLayout walk_jpeg(std::string_view bytes) {
  JpegLayout out;
  const auto* d = reinterpret_cast<const uint8_t*>(bytes.data());
  const size_t n = bytes.size();
  if (n < 2 || d[0] != 0xFF || d[1] != 0xD8) {
    out.broken = true;
    out.broken_reason = "no JPEG start-of-image marker";
    return out;
  }
  size_t pos = 2;
  while (pos < n) {
    if (d[pos] != 0xFF) {
      out.broken = true;
      out.broken_reason =
          "unexpected bytes where a JPEG marker belongs (offset " + std::to_string(pos) + ")";
      return out;
    }
    while (pos < n && d[pos] == 0xFF) ++pos;
    if (pos >= n) return out;
    const uint8_t m = d[pos++];
    if (m == 0xD9) {
      out.has_eoi = true;
      return out;
    }
    if (m == 0xD8 || m == 0x00) {
      out.broken = true;
      char text[64];
      std::snprintf(text, sizeof text, "misplaced marker 0x%02X at offset %zu", m, pos - 1);
      out.broken_reason = text;
      return out;
    }
    if (is_rst(m) || m == 0x01) continue;
    if (pos + 2 > n) return out;
    const size_t len = static_cast<size_t>(be16(d + pos));
    if (len < 2) {
      out.broken = true;
      out.broken_reason = "marker segment with a length below 2";
      return out;
    }
    const size_t seg_end = pos + len;
    if (seg_end > n) return out;
    const uint8_t* seg = d + pos + 2;
    if (is_sof(m)) parse_sof(seg, len - 2, m, &out);
    if (m != 0xDA) {
      pos = seg_end;
      continue;
    }
    parse_sos(seg, len - 2, &out);
    if (out.broken) return out;
    // Entropy-coded data runs to the first 0xFF that is neither stuffing
    // (FF 00) nor a restart marker; fill bytes (FF FF ...) belong to the marker.
    size_t i = seg_end;
    for (;;) {
      const void* ff = i < n ? std::memchr(d + i, 0xFF, n - i) : nullptr;
      if (!ff) {
        out.tail_scan = true;
        out.tail_data_start = seg_end;
        return out;
      }
      const size_t j = static_cast<const uint8_t*>(ff) - d;
      size_t k = j;
      while (k < n && d[k] == 0xFF) ++k;
      if (k >= n) {
        out.tail_scan = true;
        out.tail_data_start = seg_end;
        return out;
      }
      if (d[k] == 0x00 || is_rst(d[k])) {
        i = k + 1;
        continue;
      }
      if (d[k] == 0xD9) {
        out.scan_ends.push_back(k + 1);
        out.has_eoi = true;
        return out;
      }
      out.scan_ends.push_back(j);
      pos = j;
      break;
    }
  }
  return out;
}

bool check_frame(const JpegLayout& layout, uint64_t max_pixels, int max_scans, bool need_complete,
                 Error* error) {
  auto refuse = [&](ErrorKind kind, std::string message) {
    *error = make_error(kind, std::move(message));
    return false;
  };
  if (layout.broken) return refuse(ErrorKind::corrupt, "corrupt JPEG: " + layout.broken_reason);
  if (!layout.has_frame) {
    if (!layout.has_eoi) return refuse(ErrorKind::truncated, "JPEG ends before its frame header");
    return refuse(ErrorKind::corrupt, "JPEG has no frame header (SOF)");
  }
  const JpegFrame& f = layout.frame;
  switch (f.sof) {
    case 0xC0:
    case 0xC1:
    case 0xC2:
      break;
    case 0xC9:
    case 0xCA:
    case 0xCB:
    case 0xCD:
    case 0xCE:
    case 0xCF:
      return refuse(ErrorKind::unsupported,
                    "arithmetic-coded JPEG is not supported; re-save it with Huffman coding");
    case 0xC3:
      return refuse(ErrorKind::unsupported, "lossless JPEG (SOF3) is not supported");
    default:
      return refuse(ErrorKind::unsupported, "hierarchical JPEG is not supported");
  }
  if (f.precision != 8)
    return refuse(ErrorKind::unsupported,
                  std::to_string(f.precision) + "-bit JPEG is not supported (only 8-bit samples)");
  if (f.components != 1 && f.components != 3 && f.components != 4)
    return refuse(ErrorKind::unsupported,
                  "JPEG with " + std::to_string(f.components) + " components is not supported");
  if (f.width == 0 || f.height == 0)
    return refuse(ErrorKind::unsupported, "JPEG with a zero dimension (DNL) is not supported");
  const uint64_t pixels = static_cast<uint64_t>(f.width) * f.height;
  if (max_pixels && pixels > max_pixels)
    return refuse(ErrorKind::too_large,
                  "image is " + std::to_string(f.width) + "x" + std::to_string(f.height) + " = " +
                      std::to_string(pixels) + " pixels, above the limit of " +
                      std::to_string(max_pixels));
  if (max_scans > 0 && layout.sos_count > max_scans)
    return refuse(ErrorKind::too_large,
                  "JPEG has " + std::to_string(layout.sos_count) + " scans, above the limit of " +
                      std::to_string(max_scans) +
                      " (a guard against progressive-scan denial of service)");
  if (need_complete && !layout.has_eoi)
    return refuse(ErrorKind::truncated, "JPEG is truncated (no end-of-image marker)");
  return true;
}

int count_dc_scans(const JpegLayout& layout) {
  std::vector<int> missing = layout.frame.component_ids;
  for (size_t s = 0; s < layout.scans.size(); ++s) {
    const ScanHeader& h = layout.scans[s];
    if (h.ss != 0 || h.ah != 0) continue;
    for (int id : h.component_ids)
      for (size_t i = 0; i < missing.size(); ++i)
        if (missing[i] == id) missing.erase(missing.begin() + i--);
    if (missing.empty()) return static_cast<int>(s) + 1;
  }
  return 0;
}

Error make_error(ErrorKind kind, std::string message) { return Error{kind, std::move(message)}; }

}  // namespace glimpse::image::detail
