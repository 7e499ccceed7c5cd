#include "sim/film.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "image/image.hpp"
#include "image/quality.hpp"
#include "sim/timeline.hpp"

namespace glimpse::sim {
namespace {

bool make_dir(const std::string& dir, std::string* error) {
  std::string path;
  for (size_t i = 0; i <= dir.size(); ++i) {
    if (i == dir.size() || dir[i] == '/') {
      if (!path.empty() && ::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
        *error = "cannot create directory " + path + ": " + std::strerror(errno);
        return false;
      }
    }
    if (i < dir.size()) path += dir[i];
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    *error = dir + " is not a directory";
    return false;
  }
  return true;
}

std::string fixed(double v, int digits) {
  char b[32];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

}  // namespace

bool make_film(storage::EventLog& log, uint64_t transfer_id, const std::string& out_dir,
               const FilmOptions& options, Film* film, std::string* error) {
  Timeline t;
  if (!load_timeline(log, transfer_id, &t, error)) return false;
  Film f;
  f.transfer_id = transfer_id;
  f.total_size = t.header.total_size;
  f.mts = t.header.mts;
  std::string bytes;
  storage::Status s = log.read_chunks(transfer_id, 0, t.state.acked, &bytes);
  if (!s.ok()) {
    *error = "reading transfer " + std::to_string(transfer_id) + "'s bytes: " + s.to_string();
    return false;
  }
  f.complete = t.state.acked == t.header.total_size && t.header.total_size > 0;
  image::Result<image::Decoded> final_picture = image::decode_prefix(bytes);
  if (!final_picture.ok()) {
    *error = "transfer " + std::to_string(transfer_id) + ": its " + std::to_string(bytes.size()) +
             " stored bytes do not decode: " + final_picture.error().message;
    return false;
  }
  if (!make_dir(out_dir, error)) return false;
  for (const TimelineRow& row : t.rows) {
    if (!row.scan_completed) continue;
    image::Result<image::Decoded> shown =
        image::decode_prefix(std::string_view(bytes).substr(0, row.prefix));
    if (!shown.ok()) continue;  // e.g. the first scan is not a whole picture yet
    FilmFrame frame;
    frame.seq = row.seq;
    frame.rel_ms = row.rel_ms;
    frame.bytes = row.prefix;
    frame.scans = row.scans;
    frame.ssim = image::display_ssim(shown->pixels, final_picture->pixels);
    char name[64];
    std::snprintf(name, sizeof name, "frame_%03zu_seq%llu.png", f.frames.size() + 1,
                  static_cast<unsigned long long>(row.seq));
    frame.png = name;
    image::Result<std::string> png = image::encode_png(
        options.max_edge > 0 ? image::area_downscale(shown->pixels, options.max_edge)
                             : shown->pixels);
    if (!png.ok()) {
      *error = "encoding " + frame.png + ": " + png.error().message;
      return false;
    }
    auto written = image::write_file_atomic(out_dir + "/" + frame.png, png.value());
    if (!written.ok()) {
      *error = "writing " + out_dir + "/" + frame.png + ": " + written.error().message;
      return false;
    }
    f.frames.push_back(std::move(frame));
  }
  if (f.frames.empty()) {
    *error = "transfer " + std::to_string(transfer_id) + " has no decodable frame";
    return false;
  }
  auto html = image::write_file_atomic(out_dir + "/index.html", film_html(f));
  if (!html.ok()) {
    *error = "writing " + out_dir + "/index.html: " + html.error().message;
    return false;
  }
  *film = std::move(f);
  return true;
}

std::string film_html(const Film& film) {
  std::string h =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n<title>glimpse-sim film: transfer " +
      std::to_string(film.transfer_id) +
      "</title>\n<style>\nbody{font-family:sans-serif;margin:1em;background:#f4f4f4}\n"
      ".strip{display:flex;gap:12px;overflow-x:auto;padding-bottom:8px}\n"
      "figure{margin:0;background:#fff;padding:6px;border-radius:4px;flex:none}\n"
      "figure img{height:240px;display:block}\nfigcaption{font-size:12px;line-height:1.5}\n"
      ".mts{outline:3px solid #2a7}\n</style></head><body>\n";
  h += "<h1>Transfer " + std::to_string(film.transfer_id) + "</h1>\n<p>TS " +
       std::to_string(film.total_size) + " bytes, MTS " + std::to_string(film.mts) + " bytes. " +
       std::to_string(film.frames.size()) +
       " frames, one per event that completed a scan; SSIM is display SSIM against the " +
       (film.complete ? std::string("final picture")
                      : std::string("longest stored prefix (the transfer never completed)")) +
       ". The frame outlined green is the first the receiver is notified for (at or past MTS)."
       "</p>\n<div class=\"strip\">\n";
  bool marked = false;
  for (const FilmFrame& f : film.frames) {
    bool mts_frame = !marked && f.bytes >= film.mts;
    marked = marked || mts_frame;
    double pct = film.total_size ? 100.0 * f.bytes / film.total_size : 0;
    h += std::string("<figure") + (mts_frame ? " class=\"mts\"" : "") + "><img src=\"" + f.png +
         "\" alt=\"frame at seq " + std::to_string(f.seq) + "\"><figcaption>+" +
         fixed(f.rel_ms, 1) + " ms &middot; seq " + std::to_string(f.seq) + "<br>" +
         std::to_string(f.bytes) + " bytes (" + fixed(pct, 1) + "%) &middot; " +
         std::to_string(f.scans) + " scans<br>SSIM " + fixed(f.ssim, 3) +
         "</figcaption></figure>\n";
  }
  h += "</div>\n</body></html>\n";
  return h;
}

}  // namespace glimpse::sim
