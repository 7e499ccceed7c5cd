#include "tests/e2e/harness.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "util/token.hpp"
#include "util/hex.hpp"
#include "util/sha256.hpp"

extern char** environ;

namespace glimpse::e2e {
namespace fs = std::filesystem;

std::string build_dir() {
  const char* env = std::getenv("GLIMPSE_BUILD_DIR");
  return env != nullptr && *env != '\0' ? env : GLIMPSE_DEFAULT_BUILD_DIR;
}

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "glimpse-e2e-XXXXXX").string();
  path_ = ::mkdtemp(tmpl.data());
}

TempDir::~TempDir() {
  std::error_code ec;
  if (!::testing::Test::HasFailure()) fs::remove_all(path_, ec);  // kept for post-mortems
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string sha256_hex(const std::string& bytes) { return util::to_hex(util::sha256(bytes)); }

Process::Process(std::vector<std::string> argv, const std::string& log_prefix,
                 std::vector<std::string> env)
    : out_path_(log_prefix + ".out"), err_path_(log_prefix + ".err") {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string s = *e;
    if (s.rfind("GLIMPSE_TOKEN=", 0) == 0 || s.rfind("GLIMPSE_NODE=", 0) == 0) continue;
    env_strings.push_back(s);
  }
  for (auto& e : env) env_strings.push_back(e);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  EXPECT_EQ(rc, 0) << "cannot start " << argv[0];
  if (rc != 0) pid_ = -1;
}

Process::~Process() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    wait(10000);
  }
}

void Process::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

bool Process::running() {
  if (pid_ <= 0 || status_ != -1) return false;
  int st = 0;
  pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    return false;
  }
  return true;
}

int Process::wait(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (running()) {
    if (std::chrono::steady_clock::now() > deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return status_;
}

RunResult run_glimpse(const std::vector<std::string>& args, const std::string& dir,
                      int timeout_ms) {
  static int n = 0;
  std::vector<std::string> argv{build_dir() + "/client/glimpse"};
  argv.insert(argv.end(), args.begin(), args.end());
  Process p(argv, dir + "/glimpse-run-" + std::to_string(++n));
  RunResult r;
  r.code = p.wait(timeout_ms);
  if (r.code == -1) p.signal(SIGKILL);
  r.out = p.out();
  r.err = p.err();
  return r;
}

Node::Node(std::string data_dir, std::string log_dir, std::vector<std::string> extra)
    : data_dir_(std::move(data_dir)), log_dir_(std::move(log_dir)), extra_(std::move(extra)) {}

Node::~Node() {
  if (process_ != nullptr) {
    stop();
  }
}

void Node::start() {
  std::string port_file = log_dir_ + "/port";
  fs::remove(port_file);
  std::vector<std::string> argv{build_dir() + "/node/glimpsed", "--listen=127.0.0.1:0",
                                "--data=" + data_dir_, "--port-file=" + port_file};
  argv.insert(argv.end(), extra_.begin(), extra_.end());
  process_ = new Process(argv, log_dir_ + "/glimpsed-" + std::to_string(++starts_));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string text = read_text(port_file);
    if (!text.empty() && text.back() == '\n') {
      port_ = std::atoi(text.c_str());
      return;
    }
    if (!process_->running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ADD_FAILURE() << "glimpsed did not start:\n" << process_->err();
}

void Node::kill9() {
  process_->signal(SIGKILL);
  process_->wait(10000);
  delete process_;
  process_ = nullptr;
}

int Node::stop() {
  if (process_ == nullptr) return -1;
  process_->signal(SIGTERM);
  int code = process_->wait(20000);
  delete process_;
  process_ = nullptr;
  return code;
}

std::string Node::token(uint64_t user, int64_t ttl_s) const {
  std::string error;
  auto secret = token::load_or_create_secret(token::secret_path(data_dir_), &error);
  EXPECT_TRUE(secret) << error;
  return token::mint(secret.value_or(""), user, static_cast<int64_t>(std::time(nullptr)) + ttl_s);
}

std::string Node::log() const {
  std::string all;
  for (int i = 1; i <= starts_; ++i) all += read_text(log_dir_ + "/glimpsed-" + std::to_string(i) + ".err");
  return all;
}

std::string make_png(int width, int height, int seed) {
  image::Pixels p;
  p.width = width;
  p.height = height;
  p.channels = 3;
  p.data.resize(static_cast<size_t>(width) * height * 3);
  uint32_t noise = 2463534242u + static_cast<uint32_t>(seed) * 7919u;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      noise ^= noise << 13;
      noise ^= noise >> 17;
      noise ^= noise << 5;
      double fx = x / static_cast<double>(width), fy = y / static_cast<double>(height);
      uint8_t* px = &p.data[(static_cast<size_t>(y) * width + x) * 3];
      px[0] = static_cast<uint8_t>(127 + 100 * std::sin(6.0 * fx + seed) + (noise & 15));
      px[1] = static_cast<uint8_t>(127 + 100 * std::cos(5.0 * fy + fx * seed) + ((noise >> 4) & 15));
      px[2] = static_cast<uint8_t>(((x / 16 + y / 16 + seed) % 2) ? 200 : 40);
    }
  auto png = image::encode_png(p);
  EXPECT_TRUE(png.ok());
  return png.ok() ? png.value() : std::string();
}

image::Prepared prepare(const std::string& png) {
  auto prepared = image::prepare(png);
  EXPECT_TRUE(prepared.ok()) << (prepared.ok() ? "" : prepared.error().message);
  return prepared.ok() ? prepared.value() : image::Prepared{};
}

}  // namespace glimpse::e2e
