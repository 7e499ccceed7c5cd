#pragma once
// The command-line parser of every Glimpse program's subcommands: positionals
// plus "--name value", "--name=value", boolean "--flag", one-letter short
// forms ("-o OUT") where a flag declares one, and "--" ending the options.
// "-h"/"--help" is always known. An unknown option is an error that names it,
// so a typo never silently changes behaviour.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace glimpse::util {

struct FlagSpec {
  std::string name;          // without "--"
  bool takes_value = true;   // false: a boolean flag
  bool repeatable = false;   // true: every value is kept (get_all)
  char short_name = 0;       // e.g. 'o' for "-o"; 0 for none
};

class Args {
 public:
  // Parses argv[first..argc). On error returns nullopt and sets *error.
  static std::optional<Args> parse(int argc, const char* const* argv, int first,
                                   const std::vector<FlagSpec>& specs, std::string* error);

  const std::vector<std::string>& positionals() const { return positionals_; }
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  // Last value given for `name`, or `fallback`.
  std::string get(const std::string& name, const std::string& fallback = "") const;
  std::vector<std::string> get_all(const std::string& name) const;
  // nullopt when absent; *error set when present but not a non-negative integer.
  std::optional<uint64_t> get_u64(const std::string& name, std::string* error) const;
  // nullopt when absent; *error set when present but not a positive finite number.
  std::optional<double> get_double(const std::string& name, std::string* error) const;

 private:
  std::vector<std::string> positionals_;
  std::map<std::string, std::vector<std::string>> values_;
};

}  // namespace glimpse::util
