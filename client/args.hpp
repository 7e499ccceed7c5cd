#pragma once
// A small command-line parser for glimpse's subcommands: positionals plus
// "--name value", "--name=value" and boolean "--flag". Unknown flags are an
// error that names the flag, so a typo never silently changes behaviour.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace glimpse::client {

struct FlagSpec {
  std::string name;   // without "--"
  bool takes_value;   // false: boolean flag
  bool repeatable = false;
};

class Args {
 public:
  // Parses argv[first..argc). On error returns nullopt and sets *error.
  static std::optional<Args> parse(int argc, char** argv, int first,
                                   const std::vector<FlagSpec>& specs, std::string* error);

  const std::vector<std::string>& positionals() const { return positionals_; }
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  // Last value given for `name`, or `fallback`.
  std::string get(const std::string& name, const std::string& fallback = "") const;
  std::vector<std::string> get_all(const std::string& name) const;
  // Parses the value of `name` as an unsigned integer; nullopt if absent,
  // error text in *error if present but not a number.
  std::optional<uint64_t> get_u64(const std::string& name, std::string* error) const;

 private:
  std::vector<std::string> positionals_;
  std::map<std::string, std::vector<std::string>> values_;
};

}  // namespace glimpse::client
