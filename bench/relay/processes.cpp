#include "bench/relay/processes.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

extern char** environ;

namespace glimpse::bench {
namespace {

// CPU seconds (user + system) `pid` has used so far, all its threads.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = stat.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return 0;
  std::istringstream fields(stat.substr(close + 2));
  std::string f;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {  // fields 14 and 15: utime, stime
    if (i == 14) utime = std::stod(f);
    if (i == 15) stime = std::stod(f);
  }
  return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace

pid_t spawn(std::vector<std::string> argv, const std::string& log) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

int wait_port(const std::string& file) {
  for (int i = 0; i < 2000; ++i) {
    std::ifstream in(file);
    int port = 0;
    if (in >> port && port > 0) return port;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return 0;
}

std::string cpu_text(double per_gb) {
  if (per_gb < 0) return "n/a (round too short)";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f s", per_gb);
  return text;
}

CpuMeter::CpuMeter(pid_t server)
    : server_(server), server0_(cpu_seconds(server)), self0_(cpu_seconds(::getpid())) {}

CpuPerGb CpuMeter::per_gb(uint64_t bytes) const {
  const double gb = bytes / 1e9;
  auto per_gb = [gb](double used) { return used < 0.1 ? -1 : used / gb; };
  return {per_gb(cpu_seconds(server_) - server0_), per_gb(cpu_seconds(::getpid()) - self0_)};
}

}  // namespace glimpse::bench
