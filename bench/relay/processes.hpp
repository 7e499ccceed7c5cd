#pragma once
// bench_relay's child processes (glimpsed, the sink, the receivers) and the
// CPU they use.
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace glimpse::bench {

// Starts argv[0] with `argv`, its stderr to `log`; -1 if it could not start.
pid_t spawn(std::vector<std::string> argv, const std::string& log);

// The port a child wrote to `file` once listening; 0 after 20 s without one.
int wait_port(const std::string& file);

// CPU seconds per GB sent that a server process and this client used over
// one round; negative when the round used under 0.1 s (the kernel counts in
// 10 ms ticks, too coarse to tell).
struct CpuPerGb {
  double server = -1, client = -1;
};

// "2.31 s", or "n/a (round too short)" for a negative figure.
std::string cpu_text(double per_gb);

// Reads the server's and this process's CPU time at construction, and again
// at per_gb(): what the round between used, per GB sent.
class CpuMeter {
 public:
  explicit CpuMeter(pid_t server);
  CpuPerGb per_gb(uint64_t bytes) const;

 private:
  pid_t server_;
  double server0_, self0_;
};

}  // namespace glimpse::bench
