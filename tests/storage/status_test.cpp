#include "storage/status.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace glimpse::storage {
namespace {

TEST(Status, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), Code::ok);
  EXPECT_EQ(s.to_string(), "ok");
  EXPECT_TRUE(Status::ok_status().ok());
}

TEST(Status, ToStringNamesTheCodeAndKeepsTheMessage) {
  Status s(Code::no_space, "disk full at /data");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.to_string(), "no_space: disk full at /data");
  EXPECT_EQ(Status(Code::closed, "").to_string(), "closed");
}

TEST(Status, EveryCodeHasADistinctName) {
  std::set<std::string> names;
  for (Code c : {Code::ok, Code::conflict, Code::not_found, Code::invalid, Code::newer_version,
                 Code::corruption, Code::io_error, Code::no_space, Code::closed}) {
    names.insert(code_name(c));
  }
  EXPECT_EQ(names.size(), 9u);
  EXPECT_STREQ(code_name(Code::newer_version), "newer_version");
}

}  // namespace
}  // namespace glimpse::storage
