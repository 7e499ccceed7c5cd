// glimpse token as a user runs it: a token glimpsed will accept, the secret
// file's mode, a word when it creates one, and clear refusals for a missing
// user, an extra argument or an absurd --ttl.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <ctime>
#include <string>

#include "tests/support/command.hpp"
#include "util/token.hpp"

namespace glimpse::client {
namespace {

using test::Outcome;

class CmdToken : public ::testing::Test {
 protected:
  void SetUp() override {
    glimpse_ = test::built_program("client/glimpse");
    if (!test::is_executable(glimpse_)) GTEST_SKIP() << "no glimpse binary at " << glimpse_;
    char dir[] = "/tmp/glimpse_cmd_token_XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override {
    if (!dir_.empty()) std::system(("rm -rf '" + dir_ + "'").c_str());
  }
  Outcome run(const std::string& args) const {
    return test::run_command("'" + glimpse_ + "' token " + args);
  }
  static std::string last_line(std::string text) {
    while (!text.empty() && text.back() == '\n') text.pop_back();
    return text.substr(text.rfind('\n') + 1);
  }

  std::string glimpse_;
  std::string dir_;
};

TEST_F(CmdToken, PrintsATokenTheNodeSecretVerifiesForThatUser) {
  Outcome r = run("--user 42 --ttl 60 --data '" + dir_ + "'");
  ASSERT_EQ(r.code, 0) << r.output;
  std::string error;
  auto secret = token::load_or_create_secret(token::secret_path(dir_), &error);
  ASSERT_TRUE(secret) << error;
  token::Verified v = token::verify(*secret, last_line(r.output), std::time(nullptr));
  EXPECT_EQ(v.check, token::Check::ok);
  EXPECT_EQ(v.user, 42u);
  EXPECT_LE(v.expiry_unix, std::time(nullptr) + 60);
}

TEST_F(CmdToken, CreatesTheSecretReadableByItsOwnerOnly) {
  ASSERT_EQ(run("--user 1 --data '" + dir_ + "'").code, 0);
  struct stat st {};
  ASSERT_EQ(stat(token::secret_path(dir_).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(CmdToken, SaysSoWhenItCreatesANewSecretAndNotWhenItUsesTheNodes) {
  Outcome first = run("--user 1 --data '" + dir_ + "/typo'");
  ASSERT_EQ(first.code, 0) << first.output;
  EXPECT_NE(first.output.find("created a new secret " + dir_ + "/typo/token.secret"),
            std::string::npos)
      << first.output;
  Outcome again = run("--user 1 --data '" + dir_ + "/typo'");
  ASSERT_EQ(again.code, 0) << again.output;
  EXPECT_EQ(again.output.find("created"), std::string::npos) << again.output;
}

TEST_F(CmdToken, RefusesAnExtraArgumentByName) {
  Outcome r = run("--user 5 extra --data '" + dir_ + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("unexpected argument 'extra'"), std::string::npos) << r.output;
}

TEST_F(CmdToken, RefusesAMissingUser) {
  Outcome r = run("--data '" + dir_ + "'");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("--user"), std::string::npos) << r.output;
}

TEST_F(CmdToken, RefusesATtlThatWouldOverflowTheExpiry) {
  for (const char* ttl : {"0", "9223372036854775807", "99999999999999999999", "-5"}) {
    Outcome r = run(std::string("--user 1 --ttl ") + ttl + " --data '" + dir_ + "'");
    EXPECT_EQ(r.code, 2) << "--ttl " << ttl << ": " << r.output;
    EXPECT_NE(r.output.find("--ttl"), std::string::npos) << r.output;
  }
}

}  // namespace
}  // namespace glimpse::client
