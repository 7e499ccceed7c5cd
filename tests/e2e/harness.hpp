#pragma once
// End-to-end harness: a temp directory per test, glimpsed and glimpse as real
// child processes on 127.0.0.1, synthetic photos. Waits poll with a deadline;
// nothing sleeps blindly.
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "image/image.hpp"

namespace glimpse::e2e {

// $GLIMPSE_BUILD_DIR, else the build directory this was compiled in.
std::string build_dir();

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string read_text(const std::string& path);  // "" when missing
std::string sha256_hex(const std::string& bytes);

// A child process with stdout and stderr captured to files.
class Process {
 public:
  Process(std::vector<std::string> argv, const std::string& log_prefix,
          std::vector<std::string> env = {});
  ~Process();  // SIGKILLs the child if still running
  pid_t pid() const { return pid_; }
  void signal(int sig);
  // Waits up to `timeout_ms`; returns the exit code, 128+signal, or -1 on timeout.
  int wait(int timeout_ms);
  bool running();
  std::string out() const { return read_text(out_path_); }
  std::string err() const { return read_text(err_path_); }

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  std::string out_path_, err_path_;
};

struct RunResult {
  int code = -1;
  std::string out, err;
};

// Runs the glimpse CLI to completion (killed after `timeout_ms`).
RunResult run_glimpse(const std::vector<std::string>& args, const std::string& dir,
                      int timeout_ms = 60000);

// A glimpsed on a free port with its own data directory.
class Node {
 public:
  // `data_dir` is kept across restarts; `extra` are more --flags.
  Node(std::string data_dir, std::string log_dir, std::vector<std::string> extra = {});
  ~Node();
  void start();      // waits for the port file (fails the test after 20 s)
  void kill9();      // SIGKILL, reaped
  int stop();        // SIGTERM; returns the exit code
  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string token(uint64_t user, int64_t ttl_s = 3600) const;
  std::string log() const;

 private:
  std::string data_dir_, log_dir_;
  std::vector<std::string> extra_;
  Process* process_ = nullptr;
  int port_ = 0;
  int starts_ = 0;
};

// A synthetic PNG photo (smooth gradients plus detail), different per seed.
std::string make_png(int width, int height, int seed);
// What `glimpse send` makes of it.
image::Prepared prepare(const std::string& png);

}  // namespace glimpse::e2e
