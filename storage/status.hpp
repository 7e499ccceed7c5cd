#pragma once
// The storage layer's one error vocabulary. Callers above storage/ convert a
// Status into their own errors at their boundary.
#include <string>
#include <utility>

namespace glimpse::storage {

enum class Code {
  ok = 0,
  conflict,        // expected sequence number was not the stream's next one
  not_found,       // no such stream, index key or chunk range
  invalid,         // the request itself is malformed (e.g. empty batch)
  newer_version,   // an event written by a newer schema than this build knows
  corruption,      // stored data fails its checks
  io_error,        // the disk or RocksDB failed; nothing was acknowledged
  no_space,        // disk full; nothing was acknowledged
  closed,          // the log is shut down (or "died" under fault injection)
};

const char* code_name(Code code);

class Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status ok_status() { return Status(); }

  bool ok() const { return code_ == Code::ok; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "<code name>: <message>", or "ok".
  std::string to_string() const;

 private:
  Code code_ = Code::ok;
  std::string message_;
};

}  // namespace glimpse::storage
