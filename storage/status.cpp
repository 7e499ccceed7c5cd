#include "storage/status.hpp"

namespace glimpse::storage {

const char* code_name(Code code) {
  switch (code) {
    case Code::ok: return "ok";
    case Code::conflict: return "conflict";
    case Code::not_found: return "not_found";
    case Code::invalid: return "invalid";
    case Code::newer_version: return "newer_version";
    case Code::corruption: return "corruption";
    case Code::io_error: return "io_error";
    case Code::no_space: return "no_space";
    case Code::closed: return "closed";
  }
  return "unknown";
}

std::string Status::to_string() const {
  if (ok()) return "ok";
  std::string s = code_name(code_);
  if (!message_.empty()) {
    s += ": ";
    s += message_;
  }
  return s;
}

}  // namespace glimpse::storage
