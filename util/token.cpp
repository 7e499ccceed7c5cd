#include "util/token.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "util/hex.hpp"
#include "util/sha256.hpp"

namespace glimpse::token {
namespace {

bool parse_u64(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

std::string payload(uint64_t user, int64_t expiry) {
  return "v1." + std::to_string(user) + "." + std::to_string(expiry);
}

bool read_all(int fd, std::string* out) {
  char buf[256];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    out->append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

std::string secret_path(const std::string& data_dir) { return data_dir + "/token.secret"; }

std::optional<std::string> load_or_create_secret(const std::string& path, std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    std::error_code ec;
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    std::string secret;
    int rnd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (rnd < 0) {
      *error = std::string("cannot open /dev/urandom: ") + std::strerror(errno);
      return std::nullopt;
    }
    while (secret.size() < kSecretBytes) {
      char buf[kSecretBytes];
      ssize_t n = ::read(rnd, buf, kSecretBytes - secret.size());
      if (n <= 0 && errno != EINTR) break;
      if (n > 0) secret.append(buf, static_cast<size_t>(n));
    }
    ::close(rnd);
    if (secret.size() != kSecretBytes) {
      *error = "cannot read random bytes from /dev/urandom";
      return std::nullopt;
    }
    // Written to a temporary file then linked into place: two first starts
    // racing end with one secret, never a half-written one.
    std::string tmp = path + ".tmp." + std::to_string(::getpid());
    int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (out < 0) {
      *error = "cannot create token secret " + tmp + ": " + std::strerror(errno);
      return std::nullopt;
    }
    bool ok = ::write(out, secret.data(), secret.size()) == static_cast<ssize_t>(secret.size()) &&
              ::fsync(out) == 0;
    ::close(out);
    if (!ok || ::link(tmp.c_str(), path.c_str()) != 0) {
      int err = errno;
      ::unlink(tmp.c_str());
      if (err != EEXIST) {
        *error = "cannot write token secret " + path + ": " + std::strerror(err);
        return std::nullopt;
      }
      return load_or_create_secret(path, error);  // someone else won the race
    }
    ::unlink(tmp.c_str());
    return secret;
  }
  if (fd < 0) {
    *error = "cannot open token secret " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  std::string secret;
  bool ok = read_all(fd, &secret);
  ::close(fd);
  if (!ok || secret.size() != kSecretBytes) {
    *error = "token secret " + path + " is damaged (expected " + std::to_string(kSecretBytes) +
             " bytes); remove it to make a new one (old tokens stop working)";
    return std::nullopt;
  }
  return secret;
}

std::string mint(std::string_view secret, uint64_t user, int64_t expiry_unix) {
  std::string p = payload(user, expiry_unix);
  return p + "." + util::to_hex(util::hmac_sha256(secret, p));
}

Verified verify(std::string_view secret, std::string_view token, int64_t now_unix) {
  Verified v;
  // Exactly four dot-separated fields: "v1", uin, expiry, 64 hex digits.
  std::string_view parts[4];
  size_t start = 0;
  for (int i = 0; i < 4; ++i) {
    size_t dot = i < 3 ? token.find('.', start) : token.size();
    if (dot == std::string_view::npos) return v;
    parts[i] = token.substr(start, dot - start);
    start = dot + 1;
  }
  if (parts[3].find('.') != std::string_view::npos || parts[0] != "v1") return v;
  uint64_t user = 0, expiry = 0;
  if (!parse_u64(parts[1], &user) || !parse_u64(parts[2], &expiry) || user == 0 ||
      expiry > static_cast<uint64_t>(INT64_MAX))
    return v;
  auto mac = util::from_hex(parts[3]);
  if (!mac || mac->size() != 32) return v;
  auto want = util::hmac_sha256(secret, payload(user, static_cast<int64_t>(expiry)));
  std::string_view want_view(reinterpret_cast<const char*>(want.data()), want.size());
  if (!util::constant_time_equal(*mac, want_view)) {
    v.check = Check::forged;
    return v;
  }
  v.user = user;
  v.expiry_unix = static_cast<int64_t>(expiry);
  v.check = v.expiry_unix <= now_unix ? Check::expired : Check::ok;
  return v;
}

const char* describe(Check check) {
  switch (check) {
    case Check::ok: return "the token is valid";
    case Check::malformed:
      return "the token is malformed (expected v1.<uin>.<expiry>.<mac>); make one with "
             "`glimpse token --user UIN`";
    case Check::forged:
      return "the token was not issued by this node (bad signature); make one with "
             "`glimpse token --user UIN --data <the node's data dir>`";
    case Check::expired:
      return "the token has expired; make a new one with `glimpse token --user UIN`";
  }
  return "unknown token problem";
}

}  // namespace glimpse::token
