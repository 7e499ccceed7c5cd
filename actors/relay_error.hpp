#pragma once
// The relay's one error vocabulary, shared by the pure domain (transfer, inbox),
// the CAF shells and the Relay facade. Errors are values: a refused command is a
// RelayError reply, never an exception. No CAF here.
#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace glimpse::actors {

enum class ErrorCode {
  not_found,         // no such transfer/file, or the caller may not see it (same answer)
  invalid_argument,  // the request is malformed or breaks a rule (message says which)
  conflict,          // contradicts what is already stored (resent chunk differs, key reused, ...)
  limit_exceeded,    // a configured limit (TS, chunk size, open transfers, ...) was exceeded
  storage_failure,   // the event log failed; nothing of this request was acknowledged
  aborted,           // the transfer was aborted or expired; it takes no more commands
  unavailable,       // the entity is restarting (e.g. after a storage failure); retry
};

const char* error_code_name(ErrorCode code);

struct RelayError {
  ErrorCode code = ErrorCode::invalid_argument;
  std::string message;  // says what was wrong and what to do

  // "<code name>: <message>"
  std::string to_string() const { return std::string(error_code_name(code)) + ": " + message; }
  friend bool operator==(const RelayError& a, const RelayError& b) {
    return a.code == b.code && a.message == b.message;
  }
};

inline const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::conflict: return "conflict";
    case ErrorCode::limit_exceeded: return "limit_exceeded";
    case ErrorCode::storage_failure: return "storage_failure";
    case ErrorCode::aborted: return "aborted";
    case ErrorCode::unavailable: return "unavailable";
  }
  return "unknown";
}

// A value or a RelayError. Accessing the wrong alternative is a programming error.
template <class T>
class Expected {
 public:
  Expected(T value) : v_(std::move(value)) {}
  Expected(RelayError error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() { assert(ok()); return std::get<0>(v_); }
  const T& value() const { assert(ok()); return std::get<0>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

  const RelayError& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, RelayError> v_;
};

// For operations that return nothing but may fail.
struct Done {
  friend bool operator==(const Done&, const Done&) { return true; }
};

}  // namespace glimpse::actors
