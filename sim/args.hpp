#pragma once
// glimpse-sim's command-line parser: "--name value", "--name=value", boolean
// "--flag", and "-o" as a short spelling of "--out". Unknown options are an
// error naming the option, so a typo never silently changes behaviour.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace glimpse::sim {

struct OptionSpec {
  std::string name;  // without "--"
  bool takes_value = true;
};

class Args {
 public:
  // Parses argv[first..argc). nullopt with *error on a bad command line.
  static std::optional<Args> parse(int argc, const char* const* argv, int first,
                                   const std::vector<OptionSpec>& specs, std::string* error);

  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::string get(const std::string& name, const std::string& fallback = "") const;
  // nullopt when absent; *error set when present but not a non-negative integer.
  std::optional<uint64_t> get_u64(const std::string& name, std::string* error) const;
  std::optional<double> get_double(const std::string& name, std::string* error) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  std::map<std::string, std::string> values_;
  std::vector<std::string> positionals_;
};

}  // namespace glimpse::sim
