// EXIF, just enough of it: read and reset the orientation, drop the GPS IFD,
// and choose which APPn/COM segments a prepared JPEG carries.
#include "image/codec.hpp"

#include <cstring>

namespace glimpse::image::detail {
namespace {

constexpr char kExifHeader[] = "Exif\0\0";  // 6 bytes
constexpr size_t kTiff = 6;                 // TIFF header offset in the payload
constexpr int kTagOrientation = 0x0112;
constexpr int kTagGpsIfd = 0x8825;

// A view of the TIFF structure inside an EXIF payload; every read is bounds-checked.
class Tiff {
 public:
  explicit Tiff(std::string* bytes) : b_(bytes) {
    ok_ = b_->size() >= kTiff + 8;
    if (!ok_) return;
    const char* t = b_->data() + kTiff;
    if (!std::memcmp(t, "II*\0", 4)) {
      little_ = true;
    } else if (!std::memcmp(t, "MM\0*", 4)) {
      little_ = false;
    } else {
      ok_ = false;
    }
  }
  bool ok() const { return ok_; }
  bool has(size_t off, size_t n) const { return kTiff + off + n <= b_->size() && off + n >= off; }
  uint32_t u16(size_t off) const { return read(off, 2); }
  uint32_t u32(size_t off) const { return read(off, 4); }
  void put16(size_t off, uint32_t v) { write(off, 2, v); }
  void put32(size_t off, uint32_t v) { write(off, 4, v); }
  void zero(size_t off, size_t n) {
    if (has(off, n)) std::memset(&(*b_)[kTiff + off], 0, n);
  }
  void move(size_t to, size_t from, size_t n) {
    if (has(to, n) && has(from, n)) std::memmove(&(*b_)[kTiff + to], &(*b_)[kTiff + from], n);
  }
  // Offset of IFD0's entry count, or 0 when unreadable.
  size_t ifd0() const { return has(4, 4) ? u32(4) : 0; }
  // Offset of the 12-byte entry for `tag` in the IFD at `ifd`, or 0.
  size_t find(size_t ifd, int tag) const {
    if (!ifd || !has(ifd, 2)) return 0;
    const size_t count = u16(ifd);
    for (size_t i = 0; i < count; ++i) {
      const size_t e = ifd + 2 + 12 * i;
      if (!has(e, 12)) return 0;
      if (static_cast<int>(u16(e)) == tag) return e;
    }
    return 0;
  }

 private:
  uint32_t read(size_t off, int n) const {
    if (!has(off, n)) return 0;
    const auto* p = reinterpret_cast<const uint8_t*>(b_->data() + kTiff + off);
    uint32_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<uint32_t>(p[little_ ? i : n - 1 - i]) << (8 * i);
    return v;
  }
  void write(size_t off, int n, uint32_t v) {
    if (!has(off, n)) return;
    auto* p = reinterpret_cast<uint8_t*>(&(*b_)[kTiff + off]);
    for (int i = 0; i < n; ++i) p[little_ ? i : n - 1 - i] = static_cast<uint8_t>(v >> (8 * i));
  }

  std::string* b_;
  bool ok_ = false;
  bool little_ = true;
};

size_t type_size(uint32_t type) {
  switch (type) {
    case 1:
    case 2:
    case 6:
    case 7:
      return 1;
    case 3:
    case 8:
      return 2;
    case 4:
    case 9:
    case 11:
      return 4;
    case 5:
    case 10:
    case 12:
      return 8;
    default:
      return 0;
  }
}

}  // namespace

bool is_exif(std::string_view payload) {
  return payload.size() >= 6 && !std::memcmp(payload.data(), kExifHeader, 6);
}

bool is_xmp(std::string_view payload) {
  static const char kXmp[] = "http://ns.adobe.com/xap/1.0/";
  static const char kXmpExt[] = "http://ns.adobe.com/xmp/extension/";
  return (payload.size() >= sizeof kXmp && !std::memcmp(payload.data(), kXmp, sizeof kXmp)) ||
         (payload.size() >= sizeof kXmpExt &&
          !std::memcmp(payload.data(), kXmpExt, sizeof kXmpExt));
}

int exif_orientation(std::string_view payload) {
  if (!is_exif(payload)) return 1;
  std::string copy(payload);
  Tiff t(&copy);
  if (!t.ok()) return 1;
  const size_t e = t.find(t.ifd0(), kTagOrientation);
  if (!e || t.u16(e + 2) != 3) return 1;
  const int v = static_cast<int>(t.u16(e + 8));
  return v >= 1 && v <= 8 ? v : 1;
}

int jpeg_orientation(std::string_view jpeg) {
  const auto* d = reinterpret_cast<const uint8_t*>(jpeg.data());
  size_t pos = 2;
  // Metadata segments precede the first scan.
  while (pos + 4 <= jpeg.size() && d[pos] == 0xFF && d[pos + 1] != 0xDA && d[pos + 1] != 0xD9) {
    const size_t len = (static_cast<size_t>(d[pos + 2]) << 8) | d[pos + 3];
    if (len < 2 || pos + 2 + len > jpeg.size()) break;
    const std::string_view payload = jpeg.substr(pos + 4, len - 2);
    if (d[pos + 1] == 0xE1 && is_exif(payload)) return exif_orientation(payload);
    pos += 2 + len;
  }
  return 1;
}

void exif_set_orientation(std::string* payload, int orientation) {
  if (!is_exif(*payload)) return;
  Tiff t(payload);
  if (!t.ok()) return;
  const size_t e = t.find(t.ifd0(), kTagOrientation);
  if (e && t.u16(e + 2) == 3) t.put16(e + 8, static_cast<uint32_t>(orientation));
}

void exif_remove_gps(std::string* payload) {
  if (!is_exif(*payload)) return;
  Tiff t(payload);
  if (!t.ok()) return;
  const size_t ifd0 = t.ifd0();
  const size_t entry = t.find(ifd0, kTagGpsIfd);
  if (!entry) return;
  const size_t gps = t.u32(entry + 8);
  if (gps && t.has(gps, 2)) {
    const size_t count = t.u16(gps);
    for (size_t i = 0; i < count; ++i) {
      const size_t e = gps + 2 + 12 * i;
      if (!t.has(e, 12)) break;
      const uint64_t bytes = static_cast<uint64_t>(type_size(t.u16(e + 2))) * t.u32(e + 4);
      if (bytes > 4 && bytes < payload->size()) t.zero(t.u32(e + 8), bytes);
    }
    t.zero(gps, 2 + 12 * count + 4);
  }
  // Drop the pointer entry from IFD0: shift the later entries and the next-IFD offset down.
  const size_t count = t.u16(ifd0);
  const size_t end = ifd0 + 2 + 12 * count + 4;
  t.move(entry, entry + 12, end - entry - 12);
  t.zero(end - 12, 12);
  t.put16(ifd0, static_cast<uint32_t>(count - 1));
}

std::vector<Marker> icc_markers(std::string_view profile) {
  constexpr size_t kChunk = 65519;  // 65533 payload bytes minus the 14-byte ICC header
  std::vector<Marker> out;
  const size_t count = (profile.size() + kChunk - 1) / kChunk;
  if (count == 0 || count > 255) return out;
  for (size_t i = 0; i < count; ++i) {
    Marker m;
    m.code = 0xE2;
    m.payload.assign("ICC_PROFILE\0", 12);
    m.payload.push_back(static_cast<char>(i + 1));
    m.payload.push_back(static_cast<char>(count));
    m.payload.append(profile.substr(i * kChunk, kChunk));
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<Marker> select_markers(const std::vector<Marker>& in, Metadata policy,
                                   int orientation) {
  std::vector<Marker> out;
  if (policy == Metadata::strip_all) return out;
  for (const Marker& m : in) {
    const bool jfif =
        m.code == 0xE0 && m.payload.size() >= 5 && !std::memcmp(m.payload.data(), "JFIF", 5);
    const bool adobe =
        m.code == 0xEE && m.payload.size() >= 5 && !std::memcmp(m.payload.data(), "Adobe", 5);
    if (jfif || adobe) continue;  // libjpeg writes its own
    Marker copy = m;
    if (m.code == 0xE1 && is_exif(m.payload)) {
      if (orientation) exif_set_orientation(&copy.payload, orientation);
      if (policy == Metadata::keep_except_gps) exif_remove_gps(&copy.payload);
    } else if (m.code == 0xE1 && is_xmp(m.payload) && policy == Metadata::keep_except_gps) {
      continue;  // XMP may carry location too; dropping it is the safe reading of "no GPS"
    }
    out.push_back(std::move(copy));
  }
  return out;
}

}  // namespace glimpse::image::detail
