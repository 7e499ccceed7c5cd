#include "util/args.hpp"

#include <gtest/gtest.h>

namespace glimpse::util {
namespace {

std::optional<Args> parse(std::vector<const char*> argv, std::string* error) {
  return Args::parse(static_cast<int>(argv.size()), argv.data(), 0,
                     {{"data", true}, {"step", false}, {"out", true, false, 'o'}, {"speed", true}, {"to", true, true}}, error);
}

TEST(Args, ValuesFlagsAndShortOut) {
  std::string error;
  auto a = parse({"--data", "/d", "--step", "-o", "x", "--speed=2.5"}, &error);
  ASSERT_TRUE(a) << error;
  EXPECT_EQ(a->get("data"), "/d");
  EXPECT_TRUE(a->has("step"));
  EXPECT_EQ(a->get("out"), "x");
  EXPECT_DOUBLE_EQ(*a->get_double("speed", &error), 2.5);
}

TEST(Args, ErrorsNameTheOption) {
  std::string error;
  EXPECT_FALSE(parse({"--dta", "/d"}, &error));
  EXPECT_NE(error.find("--dta"), std::string::npos);
  EXPECT_FALSE(parse({"--data"}, &error));
  EXPECT_NE(error.find("needs a value"), std::string::npos);
  EXPECT_FALSE(parse({"--step=1"}, &error));
  auto a = parse({"--speed", "-1"}, &error);
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->get_double("speed", &error));
  EXPECT_NE(error.find("positive"), std::string::npos);
}

TEST(Args, RepeatableFlagsKeepEveryValueOthersTheLast) {
  std::string error;
  auto a = parse({"--to", "1", "--to", "2", "--data", "a", "--data", "b"}, &error);
  ASSERT_TRUE(a) << error;
  EXPECT_EQ(a->get_all("to"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(a->get_all("data"), (std::vector<std::string>{"b"}));
}

TEST(Args, DoubleDashEndsOptionsAndUnknownShortFlagsAreErrors) {
  std::string error;
  auto a = parse({"--", "--data", "-o"}, &error);
  ASSERT_TRUE(a) << error;
  EXPECT_EQ(a->positionals(), (std::vector<std::string>{"--data", "-o"}));
  EXPECT_FALSE(parse({"-x"}, &error));
  EXPECT_NE(error.find("-x"), std::string::npos);
}

TEST(Args, HelpIsAlwaysKnown) {
  std::string error;
  auto a = parse({"-h"}, &error);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->has("help"));
}

}  // namespace
}  // namespace glimpse::util
