#pragma once
// image/'s one error vocabulary. No libjpeg/libpng error (setjmp/longjmp,
// warnings, exit) ever crosses this API: every failure becomes an Error.
#include <string>
#include <utility>
#include <variant>

namespace glimpse::image {

enum class ErrorKind {
  not_an_image,  // neither JPEG nor PNG (e.g. a text file, zero bytes)
  corrupt,       // the data is damaged
  truncated,     // the data ends early where a complete image was required
  unsupported,   // valid but not handled: arithmetic coding, 12-bit, lossless JPEG, ...
  too_large,     // over the pixel limit (decompression-bomb guard), checked before allocating
  invalid_argument,
  io,            // reading or writing a file failed
};

const char* error_kind_name(ErrorKind kind);

struct Error {
  ErrorKind kind;
  std::string message;  // says what was wrong, without the file name
};

template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace glimpse::image
