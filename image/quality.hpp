#pragma once
// Quality of a decoded prefix against the final picture.
#include "image/image.hpp"

namespace glimpse::image {

// Peak signal-to-noise ratio in dB over all channels; +inf when identical.
// Both images must have the same size and channels.
double psnr(const Pixels& a, const Pixels& b);

// Mean SSIM (Wang et al. 2004; 8x8 windows, K1=0.01, K2=0.03) on luma.
double ssim(const Pixels& a, const Pixels& b);

// Area-average downscale so the longest edge is at most `max_edge` (never up).
Pixels area_downscale(const Pixels& p, int max_edge);

// "Display SSIM": SSIM of both images area-scaled to a phone screen's longest
// edge (1080 px by default; no upscaling). The benchmark and simulator figure.
double display_ssim(const Pixels& shown, const Pixels& final_picture, int screen_edge = 1080);

}  // namespace glimpse::image
