#include "bench/relay/disk_anchors.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace glimpse::bench {
namespace {

using Clock = std::chrono::steady_clock;

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

double rocksdb_round(RawDb& raw, int c, const std::vector<std::string_view>& order) {
  auto r = raw.write(order, static_cast<size_t>(c));
  std::printf(
      "rocksdb C=%-4d %7.1f MB/s  (raw RocksDB, WAL + BlobDB, %d chunks per synced batch)\n", c,
      r.mb_per_s(), c);
  std::fflush(stdout);
  return r.mb_per_s();
}

double file_round(const std::string& dir, int c, const std::vector<std::string_view>& order) {
  const std::string path = dir + "/direct.anchor";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT | O_DSYNC, 0644);
  if (fd < 0) fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_DSYNC, 0644);
  std::vector<char> raw((static_cast<size_t>(c) << 16) + 8192);
  char* buf =
      reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(raw.data()) + 4095) & ~uintptr_t{4095});
  uint64_t bytes = 0, pos = 0;
  auto start = Clock::now();
  for (size_t i = 0; i < order.size();) {
    size_t n = 0;
    for (int k = 0; k < c && i < order.size(); ++k, ++i) {
      std::memcpy(buf + n, order[i].data(), order[i].size());
      n += order[i].size();
    }
    bytes += n;
    n = (n + 4095) & ~size_t{4095};
    if (::pwrite(fd, buf, n, static_cast<off_t>(pos)) != static_cast<ssize_t>(n)) break;
    pos += n;
  }
  const double mbps = bytes / (ms(Clock::now() - start) / 1000) / 1e6;
  ::close(fd);
  ::unlink(path.c_str());
  std::printf(
      "file   C=%-4d %8.1f MB/s  (O_DIRECT|O_DSYNC appends of the same bytes, %d chunks per "
      "write)\n",
      c, mbps, c);
  std::fflush(stdout);
  return mbps;
}

}  // namespace glimpse::bench
