#pragma once
// `glimpse-sim film`: what the receiver saw. One PNG per event that completed
// a scan (the prefix decoded as the receiver's progressive decoder shows it),
// and an index.html filmstrip (frame, time, bytes, display SSIM against the
// final picture) that opens from disk in any browser, no server needed.
#include <cstdint>
#include <string>
#include <vector>

#include "storage/event_log.hpp"

namespace glimpse::sim {

struct FilmFrame {
  uint64_t seq = 0;
  double rel_ms = 0;
  uint64_t bytes = 0;  // prefix decoded
  int scans = 0;
  double ssim = 0;  // display SSIM against the final picture
  std::string png;  // file name inside the output directory
};

struct Film {
  uint64_t transfer_id = 0;
  uint64_t total_size = 0;
  uint64_t mts = 0;
  bool complete = false;  // final picture is the whole file (else the longest prefix stored)
  std::vector<FilmFrame> frames;
};

struct FilmOptions {
  // PNG frames are area-scaled so the longest edge is at most this (0: full
  // size). SSIM is always display SSIM measured on the full pictures.
  int max_edge = 1080;
};

// Writes the frames and index.html into `out_dir` (created if missing). False
// with *error when the transfer is missing, its bytes unreadable, nothing is
// decodable, or a file cannot be written.
bool make_film(storage::EventLog& log, uint64_t transfer_id, const std::string& out_dir,
               const FilmOptions& options, Film* film, std::string* error);

// The filmstrip page for `film`; PNGs are referenced by relative name.
std::string film_html(const Film& film);

}  // namespace glimpse::sim
