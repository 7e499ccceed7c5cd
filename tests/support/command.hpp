#pragma once
// For tests that run the built programs as a user would: where they are, and
// running one through the shell with its exit code and output. Header-only.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace glimpse::test {

struct Outcome {
  int code = -1;       // exit status; -1 if the command did not exit normally
  std::string output;  // stdout and stderr, interleaved
};

// Path of a built program, e.g. built_program("client/glimpse"): under
// $GLIMPSE_BUILD_DIR (set by ctest for every test), else under ".".
inline std::string built_program(const std::string& relative) {
  const char* build = std::getenv("GLIMPSE_BUILD_DIR");
  return std::string(build ? build : ".") + "/" + relative;
}

inline bool is_executable(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

// Runs `command` with /bin/sh, stderr joined to stdout.
inline Outcome run_command(const std::string& command) {
  Outcome r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return r;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) r.output.append(buffer, n);
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace glimpse::test
