#include "sim/args.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace glimpse::sim {

std::optional<Args> Args::parse(int argc, const char* const* argv, int first,
                                const std::vector<OptionSpec>& specs, std::string* error) {
  Args args;
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-o") a = "--out";
    if (a == "-h") a = "--help";
    if (a.size() < 3 || a.compare(0, 2, "--") != 0) {
      args.positionals_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const OptionSpec* spec = nullptr;
    for (const auto& s : specs)
      if (s.name == name) spec = &s;
    if (name == "help") {
      args.values_["help"] = "1";
      continue;
    }
    if (!spec) {
      *error = "unknown option --" + name + " (see --help)";
      return std::nullopt;
    }
    if (!spec->takes_value) {
      if (inline_value) {
        *error = "option --" + name + " takes no value";
        return std::nullopt;
      }
      args.values_[name] = "1";
    } else if (inline_value) {
      args.values_[name] = *inline_value;
    } else if (i + 1 < argc) {
      args.values_[name] = argv[++i];
    } else {
      *error = "option --" + name + " needs a value";
      return std::nullopt;
    }
  }
  return args;
}

std::string Args::get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second;
}

std::optional<uint64_t> Args::get_u64(const std::string& name, std::string* error) const {
  if (!has(name)) return std::nullopt;
  std::string v = get(name);
  char* end = nullptr;
  errno = 0;
  unsigned long long n = std::strtoull(v.c_str(), &end, 10);
  if (v.empty() || v[0] == '-' || *end != '\0' || errno == ERANGE) {
    *error = "--" + name + " expects a non-negative integer, got '" + v + "'";
    return std::nullopt;
  }
  return static_cast<uint64_t>(n);
}

std::optional<double> Args::get_double(const std::string& name, std::string* error) const {
  if (!has(name)) return std::nullopt;
  std::string v = get(name);
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !std::isfinite(d) || d <= 0) {
    *error = "--" + name + " expects a positive number, got '" + v + "'";
    return std::nullopt;
  }
  return d;
}

}  // namespace glimpse::sim
