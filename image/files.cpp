// Whole-file I/O and the error vocabulary's names.
#include "image/codec.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <random>

namespace glimpse::image {
namespace {

Error io_error(const std::string& what) {
  return detail::make_error(ErrorKind::io, what + ": " + std::strerror(errno));
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::not_an_image:
      return "not an image";
    case ErrorKind::corrupt:
      return "corrupt";
    case ErrorKind::truncated:
      return "truncated";
    case ErrorKind::unsupported:
      return "unsupported";
    case ErrorKind::too_large:
      return "too large";
    case ErrorKind::invalid_argument:
      return "invalid argument";
    case ErrorKind::io:
      return "i/o error";
  }
  return "unknown error";
}

Result<std::string> read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open for reading");
  // Read straight into a string of the file's size (one allocation, no
  // copies); grow past it only if the file grew meanwhile or has no size
  // (a pipe).
  struct stat st {};
  size_t expected = 0;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
    expected = static_cast<size_t>(st.st_size);
  std::string out(expected + 1, '\0');  // +1: EOF is seen without a resize
  size_t used = 0;
  for (;;) {
    if (used == out.size()) out.resize(out.size() < (1 << 16) ? (1 << 16) : out.size() * 2);
    const ssize_t n = ::read(fd, &out[used], out.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Error e = io_error("cannot read");
      ::close(fd);
      return e;
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  ::close(fd);
  out.resize(used);
  return out;
}

Result<bool> write_file_atomic(const std::string& target, std::string_view bytes) {
  struct stat st {};
  std::string path = target;
  if (::stat(target.c_str(), &st) == 0) {
    // A device, FIFO or socket (/dev/null, a pipe) is written through, as a
    // shell redirection would: replacing it would break it for everyone.
    if (!S_ISREG(st.st_mode)) {
      if (S_ISDIR(st.st_mode)) return detail::make_error(ErrorKind::io, target + " is a directory");
      const int fd = ::open(target.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
      if (fd < 0) return io_error("cannot open " + target);
      const bool ok = write_all(fd, bytes);
      if (::close(fd) != 0 || !ok) return io_error("cannot write " + target);
      return true;
    }
    // A symlink to a regular file: replace the file it points to.
    if (char* real = ::realpath(target.c_str(), nullptr)) {
      path = real;
      std::free(real);
    }
  }
  const size_t slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::string temp = (slash == std::string::npos ? "" : dir) + "." + base + ".tmp-" +
                     std::to_string(std::random_device{}()) + "-" + std::to_string(::getpid());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot create a file in " + dir);
  if (!write_all(fd, bytes) || ::fsync(fd) != 0) {
    Error e = io_error("cannot write");
    ::close(fd);
    ::unlink(temp.c_str());
    return e;
  }
  if (::close(fd) != 0) {
    Error e = io_error("cannot write");
    ::unlink(temp.c_str());
    return e;
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    Error e = io_error("cannot rename into place");
    ::unlink(temp.c_str());
    return e;
  }
  return true;
}

}  // namespace glimpse::image
