#include "storage/value_log.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "util/crc32c.hpp"

namespace glimpse::storage {
namespace {

constexpr size_t kAlign = 4096;
constexpr size_t kHeaderSize = 32;  // magic(4) | crc(4) | transfer(8) | offset(8) | length(4) | 0(4)
constexpr uint32_t kMagic = 0x47564c31;  // "GVL1"
constexpr size_t kMaxCachedReaders = 64;

void put_be(char* p, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i, v >>= 8) p[i] = static_cast<char>(v & 0xff);
}
uint64_t get_be(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

size_t round_up(size_t n) { return (n + kAlign - 1) / kAlign * kAlign; }

Status io_status(int err, const std::string& what) {
  std::string message = what + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT)
    return Status(Code::no_space, message + " (free disk space; the next write retries)");
  return Status(Code::io_error, message);
}

Status sync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return io_status(errno, "opening " + dir + " to sync it");
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  return rc == 0 ? Status() : io_status(err, "syncing directory " + dir);
}

// "00000042.vlog" -> 42; 0 if `name` is not a segment file's name.
uint32_t segment_number(const std::string& name) {
  if (name.size() != 13 || name.compare(8, 5, ".vlog") != 0) return 0;
  uint32_t n = 0;
  for (size_t i = 0; i < 8; ++i) {
    if (name[i] < '0' || name[i] > '9') return 0;
    n = n * 10 + static_cast<uint32_t>(name[i] - '0');
  }
  return n;
}

}  // namespace

std::string ValueRef::encode() const {
  std::string out(kEncodedSize, '\0');
  put_be(out.data(), segment, 4);
  put_be(out.data() + 4, offset, 8);
  put_be(out.data() + 12, length, 4);
  return out;
}

bool ValueRef::decode(std::string_view bytes, ValueRef* out) {
  if (bytes.size() != kEncodedSize) return false;
  out->segment = static_cast<uint32_t>(get_be(bytes.data(), 4));
  out->offset = get_be(bytes.data() + 4, 8);
  out->length = static_cast<uint32_t>(get_be(bytes.data() + 12, 4));
  return out->segment != 0 && out->length != 0;
}

ValueLog::ValueLog(ValueLogOptions options) : options_(std::move(options)) {}

ValueLog::~ValueLog() {
  if (active_fd_ >= 0) ::close(active_fd_);
  std::free(buffer_);
}

Status ValueLog::open(const ValueLogOptions& options, std::unique_ptr<ValueLog>* out) {
  std::error_code ec;
  std::filesystem::create_directories(options.dir, ec);
  if (ec) return Status(Code::io_error, "creating " + options.dir + ": " + ec.message());
  std::unique_ptr<ValueLog> log(new ValueLog(options));
  DIR* d = ::opendir(options.dir.c_str());
  if (d == nullptr) return io_status(errno, "listing " + options.dir);
  while (dirent* e = ::readdir(d)) {
    if (uint32_t n = segment_number(e->d_name)) log->initial_segments_.push_back(n);
  }
  ::closedir(d);
  std::sort(log->initial_segments_.begin(), log->initial_segments_.end());
  log->active_ = log->initial_segments_.empty() ? 1 : log->initial_segments_.back() + 1;
  *out = std::move(log);
  return Status();
}

std::string ValueLog::segment_path(uint32_t segment) const {
  char name[32];
  std::snprintf(name, sizeof name, "/%08u.vlog", segment);
  return options_.dir + name;
}

ValueRef ValueLog::add(uint64_t transfer_id, uint64_t offset, std::string_view bytes,
                       std::optional<uint32_t> bytes_crc32c) {
  if (staged_ == 0 && active_fd_ >= 0 && active_pos_ >= options_.segment_bytes) {
    // Without O_DSYNC the segment is flushed as it is left, so that sync()
    // at a clean close need only flush the active one.
    if (!options_.sync) ::fdatasync(active_fd_);
    ::close(active_fd_);
    active_fd_ = -1;
    ++active_;
    active_pos_ = 0;
  }
  const size_t need = round_up(staged_ + kHeaderSize + bytes.size());
  if (need > capacity_) {
    const size_t capacity = std::max(need, capacity_ * 2);
    void* grown = nullptr;
    if (::posix_memalign(&grown, kAlign, capacity) != 0) std::abort();  // out of memory
    if (staged_ > 0) std::memcpy(grown, buffer_, staged_);
    std::free(buffer_);
    buffer_ = static_cast<char*>(grown);
    capacity_ = capacity;
  }
  ValueRef ref{active_, active_pos_ + staged_, static_cast<uint32_t>(bytes.size())};
  char* h = buffer_ + staged_;
  put_be(h, kMagic, 4);
  put_be(h + 8, transfer_id, 8);
  put_be(h + 16, offset, 8);
  put_be(h + 24, bytes.size(), 4);
  put_be(h + 28, 0, 4);
  std::memcpy(h + kHeaderSize, bytes.data(), bytes.size());
  const uint32_t head_crc = util::crc32c_extend(0, h + 8, kHeaderSize - 8);
  const uint32_t crc = bytes_crc32c ? util::crc32c_combine(head_crc, *bytes_crc32c, bytes.size())
                                    : util::crc32c_extend(head_crc, bytes.data(), bytes.size());
  put_be(h + 4, crc, 4);
  staged_ += kHeaderSize + bytes.size();
  return ref;
}

void ValueLog::discard() { staged_ = 0; }

Status ValueLog::open_active() {
  const std::string path = segment_path(active_);
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (options_.sync ? O_DSYNC : 0);
  int fd = direct_ ? ::open(path.c_str(), flags | O_DIRECT, 0644) : -1;
  if (fd < 0 && (!direct_ || errno == EINVAL)) {  // e.g. tmpfs has no O_DIRECT
    direct_ = false;
    fd = ::open(path.c_str(), flags, 0644);
  }
  if (fd < 0) return io_status(errno, "creating value segment " + path);
  if (options_.sync) {
    Status s = sync_dir(options_.dir);
    if (!s.ok()) {
      ::close(fd);
      return s;
    }
  }
  active_fd_ = fd;
  return Status();
}

Status ValueLog::write() {
  if (staged_ == 0) return Status();
  const size_t staged = staged_;
  staged_ = 0;
  if (active_fd_ < 0) {
    Status s = open_active();
    if (!s.ok()) return s;
  }
  const size_t len = round_up(staged);
  std::memset(buffer_ + staged, 0, len - staged);
  for (size_t done = 0; done < len;) {
    const ssize_t n = ::pwrite(active_fd_, buffer_ + done, len - done,
                               static_cast<off_t>(active_pos_ + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return io_status(n < 0 ? errno : EIO, "writing " + segment_path(active_));
    done += static_cast<size_t>(n);
  }
  active_pos_ += len;
  return Status();
}

std::shared_ptr<int> ValueLog::reader(uint32_t segment, Status* error) const {
  std::lock_guard<std::mutex> lock(readers_mu_);
  auto it = readers_.find(segment);
  if (it != readers_.end()) return it->second;
  const std::string path = segment_path(segment);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = errno == ENOENT ? Status(Code::not_found, "value segment " + path + " is gone")
                             : io_status(errno, "opening value segment " + path);
    return nullptr;
  }
  if (readers_.size() >= kMaxCachedReaders) readers_.clear();  // in-use ones stay open
  auto owned = std::shared_ptr<int>(new int(fd), [](int* p) {
    ::close(*p);
    delete p;
  });
  readers_.emplace(segment, owned);
  return owned;
}

Status ValueLog::read(const ValueRef& ref, uint64_t transfer_id, uint64_t offset,
                      std::string* out) const {
  Status error;
  std::shared_ptr<int> fd = reader(ref.segment, &error);
  if (!fd) return error;
  char header[kHeaderSize];
  out->resize(ref.length);
  iovec iov[2] = {{header, kHeaderSize}, {out->data(), ref.length}};
  const size_t want = kHeaderSize + ref.length;
  ssize_t n;
  do {
    n = ::preadv(*fd, iov, 2, static_cast<off_t>(ref.offset));
  } while (n < 0 && errno == EINTR);
  const int err = errno;
  const std::string where = segment_path(ref.segment) + " at " + std::to_string(ref.offset);
  if (n < 0) {
    out->clear();
    return io_status(err, "reading " + where);
  }
  auto bad = [&](const std::string& why) {
    out->clear();
    return Status(Code::corruption, "chunk " + std::to_string(offset) + " of transfer " +
                                        std::to_string(transfer_id) + " in " + where + ": " + why);
  };
  if (static_cast<size_t>(n) != want) return bad("the segment ends inside the record");
  if (get_be(header, 4) != kMagic) return bad("no record starts there");
  if (get_be(header + 8, 8) != transfer_id || get_be(header + 16, 8) != offset ||
      get_be(header + 24, 4) != ref.length)
    return bad("the record belongs to another chunk");
  uint32_t crc = util::crc32c_extend(0, header + 8, kHeaderSize - 8);
  crc = util::crc32c_extend(crc, out->data(), out->size());
  if (crc != get_be(header + 4, 4)) return bad("CRC32C mismatch");
  return Status();
}

Status ValueLog::sync() {
  if (active_fd_ >= 0 && ::fdatasync(active_fd_) != 0)
    return io_status(errno, "syncing " + segment_path(active_));
  return Status();
}

Status ValueLog::remove_segment(uint32_t segment) {
  // Under the lock, so that no read reopens the file between the two steps
  // and keeps its space allocated in the reader cache.
  std::lock_guard<std::mutex> lock(readers_mu_);
  readers_.erase(segment);
  const std::string path = segment_path(segment);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    return io_status(errno, "deleting value segment " + path);
  return Status();
}

}  // namespace glimpse::storage
