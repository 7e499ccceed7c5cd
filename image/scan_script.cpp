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

}  // namespace

std::vector<ScanSpec> scan_script(ScanScriptKind kind, int num_components) {
  switch (kind) {
    case ScanScriptKind::libjpeg_default:
    case ScanScriptKind::glimpse:  // tuned script pending (issue #2 benchmark)
      return libjpeg_default(num_components);
  }
  return libjpeg_default(num_components);
}

}  // namespace glimpse::image::detail
