#pragma once
// Immutable bytes with shared ownership, so a chunk can travel from the RPC
// loop through its transfer actor to the log's writer without being copied.
//
// The owner is whatever keeps the bytes alive: a string moved in, or (in the
// node) the received message the bytes arrived in. Copies share it; the last
// one to go frees it, on whichever thread that is.
//
// Threads: the bytes never change once made, so any number of threads may
// read them and copy or drop their own SharedBytes at the same time.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace glimpse::util {

class SharedBytes {
 public:
  SharedBytes() = default;
  // Takes the string's bytes (implicit: a string is the usual way to make one).
  SharedBytes(std::string bytes);  // NOLINT(google-explicit-constructor)
  SharedBytes(const char* bytes) : SharedBytes(std::string(bytes)) {}  // NOLINT
  // `size` bytes at `data`, alive for as long as `owner` is.
  SharedBytes(std::shared_ptr<const void> owner, const char* data, size_t size)
      : owner_(std::move(owner)), data_(data), size_(size) {}

  const char* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {data_, size_}; }
  std::string str() const { return std::string(view()); }

  friend bool operator==(const SharedBytes& a, const SharedBytes& b) {
    return a.view() == b.view();
  }

 private:
  std::shared_ptr<const void> owner_;
  const char* data_ = "";
  size_t size_ = 0;
};

}  // namespace glimpse::util
