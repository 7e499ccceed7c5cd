#pragma once
// Internal to image/: the progression (scan script) written by prepare().
// Plain data so it can be tuned and tested without libjpeg types.
#include <vector>

#include "image/image.hpp"

namespace glimpse::image::detail {

struct ScanSpec {
  int components[4];  // component indices in this scan (0 = Y, 1 = Cb, 2 = Cr)
  int num_components;
  int ss, se;         // spectral selection: first and last coefficient (0..63)
  int ah, al;         // successive approximation: previous and current bit shift
};

// The scan script for an image with `num_components` components (1 or 3).
// Must be a valid progression (every coefficient bit sent exactly once, DC
// before AC, DC scans of several components interleaved, AC scans single-component).
std::vector<ScanSpec> scan_script(ScanScriptKind kind, int num_components);

}  // namespace glimpse::image::detail
