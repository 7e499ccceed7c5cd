#include "image/scan_script.hpp"

namespace glimpse::image::detail {
namespace {

ScanSpec scan(std::initializer_list<int> comps, int ss, int se, int ah, int al) {
  ScanSpec s{};
  s.num_components = 0;
  for (int c : comps) s.components[s.num_components++] = c;
  s.ss = ss;
  s.se = se;
  s.ah = ah;
  s.al = al;
  return s;
}

// The script jpeg_simple_progression() writes (libjpeg-turbo jcparam.c).
std::vector<ScanSpec> libjpeg_default(int num_components) {
  if (num_components == 3) {
    return {scan({0, 1, 2}, 0, 0, 0, 1), scan({0}, 1, 5, 0, 2),  scan({2}, 1, 63, 0, 1),
            scan({1}, 1, 63, 0, 1),      scan({0}, 6, 63, 0, 2), scan({0}, 1, 63, 2, 1),
            scan({0, 1, 2}, 0, 0, 1, 0), scan({2}, 1, 63, 1, 0), scan({1}, 1, 63, 1, 0),
            scan({0}, 1, 63, 1, 0)};
  }
  return {scan({0}, 0, 0, 0, 1), scan({0}, 1, 5, 0, 2), scan({0}, 6, 63, 0, 2),
          scan({0}, 1, 63, 2, 1), scan({0}, 0, 0, 1, 0), scan({0}, 1, 63, 1, 0)};
}

// Ours, chosen for display SSIM at small prefixes (issue #2 section 5; the
// figures and the tuning are in bench/image/README.md). The receiver's first
// picture is what counts, so:
//  - DC of all components first, at Al=2: the coarsest picture that does not
//    band visibly, at 4-8% of the file; its last two bits come late, because
//    they move SSIM less per byte than the luma AC bits do.
//  - Luma AC next, every band at coarse precision (Al=3) before any band gets
//    finer: lowest frequencies (1-2) first, then 3-14, then 15-63 (almost free
//    at Al=3). Then bit 2 for 1-9 before 10-63: what survives a downscale to a
//    phone screen sharpens first. At ~20-25% of a typical photo the luma is
//    within one bit of the final picture except bit 1 and 0.
//  - Chroma AC at Al=1 after that: colour detail at ~30%, cheap and invisible
//    to luma SSIM, but a receiver sees it.
//  - Then luma bit 1, the DC refinements, chroma bit 0, and last the luma's
//    bit 0 over all bands: the costliest scan (~30-40% of the file), which the
//    eye barely sees at phone size.
// 14 scans (10 for gray): each scan costs a few hundred bytes of headers and
// tables, and the progressive file stays smaller than an optimized baseline.
std::vector<ScanSpec> glimpse_script(int num_components) {
  if (num_components == 3) {
    return {scan({0, 1, 2}, 0, 0, 0, 2), scan({0}, 1, 2, 0, 3),   scan({0}, 3, 14, 0, 3),
            scan({0}, 15, 63, 0, 3),     scan({0}, 1, 9, 3, 2),   scan({0}, 10, 63, 3, 2),
            scan({1}, 1, 63, 0, 1),      scan({2}, 1, 63, 0, 1),  scan({0}, 1, 63, 2, 1),
            scan({0, 1, 2}, 0, 0, 2, 1), scan({0, 1, 2}, 0, 0, 1, 0), scan({1}, 1, 63, 1, 0),
            scan({2}, 1, 63, 1, 0),      scan({0}, 1, 63, 1, 0)};
  }
  return {scan({0}, 0, 0, 0, 2),  scan({0}, 1, 2, 0, 3),  scan({0}, 3, 14, 0, 3),
          scan({0}, 15, 63, 0, 3), scan({0}, 1, 9, 3, 2),  scan({0}, 10, 63, 3, 2),
          scan({0}, 1, 63, 2, 1), scan({0}, 0, 0, 2, 1),  scan({0}, 0, 0, 1, 0),
          scan({0}, 1, 63, 1, 0)};
}

}  // namespace

std::vector<ScanSpec> scan_script(ScanScriptKind kind, int num_components) {
  switch (kind) {
    case ScanScriptKind::libjpeg_default:
      return libjpeg_default(num_components);
    case ScanScriptKind::glimpse:
      return glimpse_script(num_components);
  }
  return libjpeg_default(num_components);
}

}  // namespace glimpse::image::detail
