#include "util/args.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace glimpse::util {
namespace {

const FlagSpec* find_spec(const std::vector<FlagSpec>& specs, const std::string& name) {
  for (const auto& s : specs)
    if (s.name == name) return &s;
  return nullptr;
}

// "-x" spelled long, when some spec declares 'x' as its short name.
std::string expand_short(const std::vector<FlagSpec>& specs, const std::string& a) {
  if (a.size() != 2 || a[0] != '-' || a[1] == '-') return a;
  if (a[1] == 'h') return "--help";
  for (const auto& s : specs)
    if (s.short_name == a[1]) return "--" + s.name;
  return a;
}

}  // namespace

std::optional<Args> Args::parse(int argc, const char* const* argv, int first,
                                const std::vector<FlagSpec>& specs, std::string* error) {
  static const FlagSpec kHelp{"help", false};
  Args args;
  bool only_positionals = false;
  for (int i = first; i < argc; ++i) {
    std::string a = only_positionals ? argv[i] : expand_short(specs, argv[i]);
    if (only_positionals || a.size() < 3 || a.compare(0, 2, "--") != 0) {
      if (!only_positionals && a == "--") {
        only_positionals = true;
        continue;
      }
      if (!only_positionals && a.size() == 2 && a[0] == '-' && a[1] != '-') {
        *error = "unknown option " + a;
        return std::nullopt;
      }
      args.positionals_.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const FlagSpec* spec = name == "help" ? &kHelp : find_spec(specs, name);
    if (spec == nullptr) {
      *error = "unknown option --" + name + " (see --help)";
      return std::nullopt;
    }
    std::string value = "1";
    if (spec->takes_value) {
      if (inline_value) {
        value = *inline_value;
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        *error = "option --" + name + " needs a value";
        return std::nullopt;
      }
    } else if (inline_value) {
      *error = "option --" + name + " takes no value";
      return std::nullopt;
    }
    auto& slot = args.values_[name];
    if (!spec->repeatable) slot.clear();
    slot.push_back(value);
  }
  return args;
}

std::string Args::get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second.back();
}

std::vector<std::string> Args::get_all(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
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

}  // namespace glimpse::util
