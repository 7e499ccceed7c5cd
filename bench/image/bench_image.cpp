// bench_image [DIR] [--reps N] [--same-process]: the image pipeline's figures
// beside their anchors, measured in the same run (issue #2, section 5).
//  1. Transcode throughput (MP/s) of prepare() on the JPEG inputs that
//     transcode losslessly, next to `jpegtran -progressive -optimize -copy none`
//     spawned on the same files; median of N repetitions each. read_file +
//     prepare() are timed inside a freshly started process (this program
//     again, start-up not timed), so that both sides run as new processes
//     (see time_prepare); the ratio is also given without jpegtran's start-up.
//  2. Per photo: baseline size (the input JPEG; for a PNG, the baseline of the
//     same q85 coefficients, via fill()), progressive size, and the % of the
//     file at which the prefix decode (decode_prefix, block smoothing on) first
//     reaches display SSIM 0.80 and 0.90, for our scan script and libjpeg's
//     default on the same coefficients. Then medians and ours/default ratios
//     against the 2/3 goal.
#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "image/image.hpp"
#include "image/mts_policy.hpp"
#include "image/quality.hpp"

extern char** environ;

namespace {

using namespace glimpse::image;
using Clock = std::chrono::steady_clock;

constexpr double kLevels[2] = {0.80, 0.90};
constexpr double kGoalRatio = 2.0 / 3.0;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

bool has_suffix(std::string name, const char* suffix) {
  std::transform(name.begin(), name.end(), name.begin(), ::tolower);
  const size_t n = std::strlen(suffix);
  return name.size() >= n && name.compare(name.size() - n, n, suffix) == 0;
}

std::vector<std::string> list_photos(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (has_suffix(name, ".jpg") || has_suffix(name, ".jpeg") || has_suffix(name, ".png"))
      out.push_back(name);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::string find_in_path(const char* program) {
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    std::string candidate = p.substr(start, end - start) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

// Wall and CPU seconds of some work.
struct Timing {
  double wall = 0;
  double cpu = 0;
  Timing& operator+=(const Timing& o) {
    wall += o.wall;
    cpu += o.cpu;
    return *this;
  }
};

double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

// Runs `jpegtran -progressive -optimize -copy none file > /dev/null`; wall
// time and the child's user+system CPU time. Negative wall time on failure.
Timing time_jpegtran(const std::string& jpegtran, const std::string& file) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  const char* argv[] = {jpegtran.c_str(), "-progressive", "-optimize", "-copy",
                        "none",           file.c_str(),   nullptr};
  const auto t0 = Clock::now();
  pid_t pid = 0;
  Timing t;
  const int spawned =
      posix_spawn(&pid, jpegtran.c_str(), &actions, nullptr, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return {-1, 0};
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  t.wall = seconds_since(t0);
  t.cpu = usage.ru_utime.tv_sec + 1e-6 * usage.ru_utime.tv_usec + usage.ru_stime.tv_sec +
          1e-6 * usage.ru_stime.tv_usec;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) t.wall = -1;
  return t;
}

// jpegtran's fixed cost per run (process start, dynamic linking, exit), the
// median over `runs` runs on an 8x8 JPEG: the part of its time above that is
// not transcoding. Zero wall time when it cannot be measured.
Timing jpegtran_startup(const std::string& jpegtran, int runs) {
  Pixels px;
  px.width = px.height = 8;
  px.channels = 3;
  px.data.assign(8 * 8 * 3, 128);
  Result<std::string> png = encode_png(px);
  if (!png) return {};
  Result<Prepared> tiny = prepare(png.value());
  char path[] = "/tmp/bench_image_tiny_XXXXXX";
  const int fd = mkstemp(path);
  if (!tiny || fd < 0) return {};
  close(fd);
  Timing out;
  if (write_file_atomic(path, tiny->jpeg)) {
    std::vector<double> wall, cpu;
    for (int i = 0; i < runs; ++i) {
      const Timing t = time_jpegtran(jpegtran, path);
      if (t.wall < 0) break;
      wall.push_back(t.wall);
      cpu.push_back(t.cpu);
    }
    if (static_cast<int>(wall.size()) == runs) out = {median(wall), median(cpu)};
  }
  unlink(path);
  return out;
}

// read_file + prepare in this process, as a sender would run it.
Timing time_prepare_here(const std::string& file, ScanScriptKind script) {
  const auto t0 = Clock::now();
  const double c0 = process_cpu_seconds();
  Result<std::string> data = read_file(file);
  PrepareOptions o;
  o.metadata = Metadata::strip_all;
  o.script = script;
  if (!data || !prepare(data.value(), o))
    std::fprintf(stderr, "prepare failed on %s\n", file.c_str());
  return {seconds_since(t0), process_cpu_seconds() - c0};
}

// time_prepare_here, run in a fresh process: this program, started again as
// `bench_image --time-one FILE glimpse|default` (start-up not timed). On a
// busy machine the scheduler favours a process that has just started
// (jpegtran, spawned per file) over a long-running one: at a load of ~3 on
// 2 cores, wall time was 1.2-1.4x the CPU time for prepare timed in this
// process, 1.05-1.1x for jpegtran. A fork()ed child evens that out but pays
// copy-on-write faults on whatever heap memory it reuses from this process
// (0.81-0.93x CPU for the same code that showed 0.96-0.97x in-process); a
// fresh process has neither bias and starts with an empty heap, as jpegtran
// does. All of prepare's work still happens in-process, as a sender's would.
Timing time_prepare(const std::string& file, ScanScriptKind script, bool fresh_process) {
  if (!fresh_process) return time_prepare_here(file, script);
  int fds[2];
  if (pipe(fds) != 0) return {-1, 0};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  const char* kind = script == ScanScriptKind::glimpse ? "glimpse" : "default";
  const char* argv[] = {"bench_image", "--time-one", file.c_str(), kind, nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, "/proc/self/exe", &actions, nullptr,
                                  const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  Timing t{-1, 0};
  if (spawned == 0) {
    char text[128] = {};
    size_t used = 0;
    while (used + 1 < sizeof text) {
      const ssize_t n = read(fds[0], text + used, sizeof text - 1 - used);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      used += static_cast<size_t>(n);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        std::sscanf(text, "%lf %lf", &t.wall, &t.cpu) != 2)
      t = {-1, 0};
  }
  close(fds[0]);
  return t;
}

// Display SSIM of the prefix ending at each scan end, against the whole file.
Result<std::vector<double>> scan_ssims(const Prepared& p) {
  Result<Decoded> final_picture = decode_prefix(p.jpeg);
  if (!final_picture) return final_picture.error();
  const Pixels final_shown = area_downscale(final_picture->pixels, 1080);
  std::vector<double> out;
  for (uint64_t end : p.scan_ends) {
    if (end >= p.jpeg.size()) {
      out.push_back(1.0);
      continue;
    }
    Result<Decoded> d = decode_prefix(std::string_view(p.jpeg).substr(0, end));
    if (!d) return d.error();
    out.push_back(ssim(area_downscale(d->pixels, 1080), final_shown));
  }
  return out;
}

// % of the file at which the prefix first reaches each level.
struct Reach {
  double percent[2] = {100, 100};
};

Reach reach(const Prepared& p, const std::vector<double>& ssims) {
  Reach r;
  for (int i = 0; i < 2; ++i) {
    for (size_t k = 0; k < ssims.size(); ++k) {
      if (ssims[k] >= kLevels[i]) {
        r.percent[i] = 100.0 * p.scan_ends[k] / p.jpeg.size();
        break;
      }
    }
  }
  return r;
}

struct Photo {
  std::string name, path, input;
  Prepared ours, theirs;
  uint64_t baseline = 0;
  std::vector<double> ssims_ours;
};

const char* verdict(double ratio) { return ratio <= kGoalRatio ? "PASS" : "MISS"; }

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "--time-one") == 0) {  // see time_prepare
    const Timing t = time_prepare_here(argv[2], std::strcmp(argv[3], "glimpse") == 0
                                                    ? ScanScriptKind::glimpse
                                                    : ScanScriptKind::libjpeg_default);
    std::printf("%.9f %.9f\n", t.wall, t.cpu);
    return 0;
  }
  std::string dir;
  int reps = 5;
  bool fresh_process = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--reps" && i + 1 < argc) {
      reps = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--same-process") {
      fresh_process = false;
    } else if (a == "-h" || a == "--help") {
      std::printf(
          "usage: bench_image [DIR] [--reps N] [--same-process]\n"
          "  --same-process: time prepare() in this process rather than in a fresh one\n"
          "                  started for each timing (see time_prepare)\n");
      return 0;
    } else {
      dir = a;
    }
  }
#ifdef GLIMPSE_CORPUS_DIR
  if (dir.empty()) dir = GLIMPSE_CORPUS_DIR;
#endif
  if (dir.empty()) {
    std::fprintf(stderr,
                 "bench_image: no photo folder: pass one (bench_image DIR); the default "
                 "../shared/corpus did not exist when this was built\n");
    return 2;
  }
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    std::fprintf(stderr, "bench_image: %s is not a folder: pass a folder of .jpg/.png photos\n",
                 dir.c_str());
    return 2;
  }
  const std::vector<std::string> names = list_photos(dir);
  if (names.empty()) {
    std::fprintf(stderr, "bench_image: no .jpg/.jpeg/.png files in %s\n", dir.c_str());
    return 2;
  }
  std::printf("bench_image: %zu photos in %s\n\n", names.size(), dir.c_str());

  std::vector<Photo> photos;
  for (const std::string& name : names) {
    Photo ph;
    ph.name = name;
    ph.path = dir + "/" + name;
    Result<std::string> data = read_file(ph.path);
    if (!data) {
      std::fprintf(stderr, "skip %s: %s\n", name.c_str(), data.error().message.c_str());
      continue;
    }
    ph.input = std::move(data.value());
    PrepareOptions ours, theirs;
    ours.script = ScanScriptKind::glimpse;
    theirs.script = ScanScriptKind::libjpeg_default;
    ours.metadata = theirs.metadata = Metadata::strip_all;
    Result<Prepared> a = prepare(ph.input, ours), b = prepare(ph.input, theirs);
    if (!a || !b) {
      std::fprintf(stderr, "skip %s: %s\n", name.c_str(),
                   (!a ? a.error() : b.error()).message.c_str());
      continue;
    }
    ph.ours = std::move(a.value());
    ph.theirs = std::move(b.value());
    if (ph.ours.source_format == "jpeg") {
      ph.baseline = ph.input.size();
    } else {
      Result<std::string> baseline = fill(ph.ours.jpeg);
      ph.baseline = baseline ? baseline->size() : 0;
    }
    photos.push_back(std::move(ph));
  }

  // 1. Throughput on lossless JPEG transcodes.
  std::vector<const Photo*> lossless;
  double megapixels = 0;
  for (const Photo& ph : photos) {
    if (!ph.ours.lossless) continue;
    lossless.push_back(&ph);
    megapixels += ph.ours.width * static_cast<double>(ph.ours.height) / 1e6;
  }
  std::printf("1. transcode throughput: %zu lossless JPEG inputs, %.1f MP, median of %d reps%s\n",
              lossless.size(), megapixels, reps,
              fresh_process ? "" : " (prepare timed in the bench's own process)");
  if (!lossless.empty()) {
    const std::string jpegtran = find_in_path("jpegtran");
    // Interleaved per repetition so that load from other processes hits all alike.
    std::vector<double> wall[3], cpu[3];
    bool jpegtran_ok = !jpegtran.empty();
    for (int r = 0; r < reps; ++r) {
      Timing t[3];
      for (const Photo* ph : lossless) {
        const Timing a = time_prepare(ph->path, ScanScriptKind::glimpse, fresh_process);
        const Timing b = time_prepare(ph->path, ScanScriptKind::libjpeg_default, fresh_process);
        if (a.wall < 0 || b.wall < 0) {
          std::fprintf(stderr, "bench_image: could not time prepare on %s\n", ph->path.c_str());
          return 1;
        }
        t[0] += a;
        t[1] += b;
        if (!jpegtran_ok) continue;
        const Timing j = time_jpegtran(jpegtran, ph->path);
        if (j.wall < 0) jpegtran_ok = false;
        t[2] += j;
      }
      for (int i = 0; i < 3; ++i) {
        wall[i].push_back(t[i].wall);
        cpu[i].push_back(t[i].cpu);
      }
    }
    const char* rows[3] = {"glimpse prepare, our script (in-process)",
                           "glimpse prepare, default script",
                           "jpegtran -progressive -optimize -copy none"};
    double mps_wall[3], mps_cpu[3];
    for (int i = 0; i < 3; ++i) {
      mps_wall[i] = megapixels / median(wall[i]);
      mps_cpu[i] = megapixels / median(cpu[i]);
      if (i == 2 && !jpegtran_ok) break;
      std::printf("   %-44s %6.1f MP/s wall  %6.1f MP/s CPU\n", rows[i], mps_wall[i], mps_cpu[i]);
    }
    if (!jpegtran_ok) {
      std::printf(
          "   jpegtran: not found or failed (apt-get install libjpeg-turbo-progs); no ratio\n");
    } else {
      const double rw = mps_wall[0] / mps_wall[2], rc = mps_cpu[0] / mps_cpu[2];
      std::printf("   ratio ours/jpegtran: %.2fx wall (goal >= 1.0x: %s), %.2fx CPU (%s)\n", rw,
                  rw >= 1.0 ? "PASS" : "MISS", rc, rc >= 1.0 ? "PASS" : "MISS");
      // Both sides read the file and keep or discard the result (jpegtran
      // writes to /dev/null); only jpegtran also starts a process per file.
      // That start-up is part of what using jpegtran costs, and it is small,
      // but the goal is about the transcode: this is the stricter figure.
      const Timing start = jpegtran_startup(jpegtran, 21);
      const double n = static_cast<double>(lossless.size());
      const double jw = median(wall[2]) - n * start.wall, jc = median(cpu[2]) - n * start.cpu;
      if (start.wall > 0 && jw > 0 && jc > 0) {
        std::printf(
            "   jpegtran start-up (8x8 JPEG): %.1f ms wall, %.1f ms CPU per run; without it:\n"
            "   ratio ours/jpegtran: %.2fx wall (%s), %.2fx CPU (%s)\n",
            1e3 * start.wall, 1e3 * start.cpu, jw / median(wall[0]),
            jw / median(wall[0]) >= 1.0 ? "PASS" : "MISS", jc / median(cpu[0]),
            jc / median(cpu[0]) >= 1.0 ? "PASS" : "MISS");
      }
    }
  }

  // 2. How early each script's prefix reaches display SSIM 0.80 / 0.90.
  std::printf("\n2. %% of file to reach display SSIM (1080 px), ours vs libjpeg default script\n");
  std::printf("   %-26s %9s %9s %9s %6s %6s | %6s %6s\n", "photo", "size", "baseline", "progr.",
              "ours80", "ours90", "def80", "def90");
  std::vector<double> ours80, ours90, def80, def90;
  bool size_ok = true;
  for (Photo& ph : photos) {
    Result<std::vector<double>> sa = scan_ssims(ph.ours), sb = scan_ssims(ph.theirs);
    if (!sa || !sb) {
      std::fprintf(stderr, "   %s: prefix decode failed: %s\n", ph.name.c_str(),
                   (!sa ? sa.error() : sb.error()).message.c_str());
      continue;
    }
    ph.ssims_ours = sa.value();
    const Reach a = reach(ph.ours, sa.value()), b = reach(ph.theirs, sb.value());
    ours80.push_back(a.percent[0]);
    ours90.push_back(a.percent[1]);
    def80.push_back(b.percent[0]);
    def90.push_back(b.percent[1]);
    const bool fits = ph.ours.jpeg.size() <= ph.baseline;
    size_ok = size_ok && fits;
    char dims[32];
    std::snprintf(dims, sizeof dims, "%dx%d", ph.ours.width, ph.ours.height);
    std::printf("   %-26s %9s %8.1fK %7.1fK%s %5.1f%% %5.1f%% | %5.1f%% %5.1f%%%s\n",
                ph.name.c_str(), dims, ph.baseline / 1024.0, ph.ours.jpeg.size() / 1024.0,
                fits ? " " : "!", ours80.back(), ours90.back(), def80.back(), def90.back(),
                ph.ours.source_format == "jpeg" && !ph.ours.lossless
                    ? "  (re-encoded: EXIF rotation)"
                    : "");
  }
  if (ours80.empty()) return 1;
  const double m[4] = {median(ours80), median(ours90), median(def80), median(def90)};
  std::printf("   %-26s %9s %9s %9s %5.1f%% %5.1f%% | %5.1f%% %5.1f%%\n", "median", "", "", "",
              m[0], m[1], m[2], m[3]);
  std::printf("\n   ours/default at 0.80: %.2f  (goal <= %.2f: %s)\n", m[0] / m[2], kGoalRatio,
              verdict(m[0] / m[2]));
  std::printf("   ours/default at 0.90: %.2f  (goal <= %.2f: %s)\n", m[1] / m[3], kGoalRatio,
              verdict(m[1] / m[3]));
  std::printf("   progressive size <= baseline for every photo: %s\n", size_ok ? "PASS" : "MISS");

  // 3. What choose_mts delivers on these photos with our script.
  std::printf("\n3. MTS policy with our script: median Q and display SSIM at MTS\n");
  std::printf("   %-8s %16s %16s\n", "network", "signal 4", "signal 1");
  for (NetworkType t : {NetworkType::wifi, NetworkType::nr5g, NetworkType::lte4g, NetworkType::g3,
                        NetworkType::g2}) {
    std::printf("   %-8s", network_name(t));
    for (int signal : {4, 1}) {
      std::vector<double> qs, ss;
      for (const Photo& ph : photos) {
        if (ph.ssims_ours.empty()) continue;
        const MtsChoice c = choose_mts(ph.ours.scan_ends, ph.ours.dc_scans, ph.ours.width,
                                       ph.ours.height, NetworkReport{t, signal});
        if (c.scan < 0) continue;
        qs.push_back(100 * c.q);
        ss.push_back(ph.ssims_ours[c.scan]);
      }
      std::printf("    Q %4.1f%% %5.3f", median(qs), median(ss));
    }
    std::printf("\n");
  }
  return 0;
}
