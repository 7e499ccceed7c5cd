// glimpsed's options: the forms --retention takes, validate()'s one-message
// refusals, the scheduler default (work sharing, still overridable), INI
// typos and the help text.
#include "node/config.hpp"

#include <caf/atom.hpp>
#include <caf/settings.hpp>

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace glimpse::node {
namespace {

TEST(NodeConfig, RetentionTakesDaysHoursOrZero) {
  EXPECT_EQ(parse_retention("30d"), std::chrono::hours(30 * 24));
  EXPECT_EQ(parse_retention("12h"), std::chrono::hours(12));
  EXPECT_EQ(parse_retention("0"), std::chrono::hours(0));
  for (const char* bad : {"", "d", "30", "30m", "-1d", "1.5d", "3x", "123456789d"})
    EXPECT_FALSE(parse_retention(bad).has_value()) << bad;
}

TEST(NodeConfig, ValidateNamesTheOptionThatIsWrong) {
  NodeOptions o;
  EXPECT_EQ(validate(o), "");
  o.retention = "5x";
  EXPECT_EQ(validate(o), "--retention must be days (30d), hours (12h) or 0 to keep forever, not '5x'");
  o = NodeOptions{};
  o.durability = "fast";
  EXPECT_EQ(validate(o), "--durability must be sync, buffered or none, not 'fast'");
  o = NodeOptions{};
  o.min_chunk_bytes = o.max_chunk_bytes + 1;
  EXPECT_EQ(validate(o), "--min-chunk-bytes must be between 1 and --max-chunk-bytes");
  o = NodeOptions{};
  o.max_connections = 0;
  EXPECT_EQ(validate(o), "--max-connections must be positive");
  o = NodeOptions{};
  o.login_timeout_s = 0;
  EXPECT_EQ(validate(o), "--login-timeout must be positive");
}

TEST(NodeConfig, SchedulesActorsByWorkSharingUnlessTold) {
  NodeConfig defaults;
  char name[] = "glimpsed";
  char* none[] = {name};
  ASSERT_FALSE(defaults.parse(1, none));
  EXPECT_EQ(caf::get_or(defaults, "scheduler.policy", caf::atom("")), caf::atom("sharing"));
  NodeConfig told;
  char flag[] = "--scheduler.policy=stealing";
  char* args[] = {name, flag};
  ASSERT_FALSE(told.parse(2, args));
  EXPECT_EQ(caf::get_or(told, "scheduler.policy", caf::atom("")), caf::atom("stealing"));
}

TEST(NodeConfig, NamesAKeyTheIniFileSetsThatIsNoOption) {
  char name[] = "glimpsed";
  char* none[] = {name};
  for (const auto& [ini, unknown] : std::vector<std::pair<std::string, std::string>>{
           {"[global]\nlisten=\"127.0.0.1:1\"\nmax-connections=5\n", ""},
           {"[global]\nmax-conections=5\n", "max-conections"},
           {"[globl]\nlisten=\"127.0.0.1:1\"\n", "[globl]"},
           {"[scheduler]\nmax-threads=2\n", ""}}) {
    NodeConfig config;
    std::istringstream file(ini);
    ASSERT_FALSE(config.parse(1, none, file)) << ini;
    EXPECT_EQ(config.unknown_key(), unknown) << ini;
  }
}

TEST(NodeConfig, HelpNamesGlimpsedsOwnConfigFile) {
  const std::string help = NodeConfig().help_text();
  EXPECT_NE(help.find("./glimpsed.ini"), std::string::npos) << help;
  EXPECT_EQ(help.find("caf-application.ini"), std::string::npos) << help;
  EXPECT_NE(help.find("--max-connections"), std::string::npos) << help;
}

}  // namespace
}  // namespace glimpse::node
