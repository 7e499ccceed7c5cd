#include "node/log.hpp"

#include <atomic>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <sys/time.h>

namespace glimpse::node {
namespace {

std::atomic<bool> verbose_{false};
std::mutex mu_;

void emit(const char* level, const char* format, va_list args) {
  char text[1024];
  std::vsnprintf(text, sizeof text, format, args);
  timeval tv{};
  ::gettimeofday(&tv, nullptr);
  tm t{};
  ::gmtime_r(&tv.tv_sec, &t);
  std::lock_guard<std::mutex> lock(mu_);
  std::fprintf(stderr, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s\n", t.tm_year + 1900,
               t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
               static_cast<long>(tv.tv_usec / 1000), level, text);
  std::fflush(stderr);
}

}  // namespace

void set_verbose(bool v) { verbose_ = v; }
bool verbose() { return verbose_; }

void log_info(const char* format, ...) {
  va_list args;
  va_start(args, format);
  emit("info", format, args);
  va_end(args);
}

void log_warn(const char* format, ...) {
  va_list args;
  va_start(args, format);
  emit("warn", format, args);
  va_end(args);
}

void log_error(const char* format, ...) {
  va_list args;
  va_start(args, format);
  emit("error", format, args);
  va_end(args);
}

void log_debug(const char* format, ...) {
  if (!verbose_) return;
  va_list args;
  va_start(args, format);
  emit("debug", format, args);
  va_end(args);
}

}  // namespace glimpse::node
