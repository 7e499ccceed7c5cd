#include "util/token.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace glimpse::token {
namespace {

const std::string kSecret(32, 's');

TEST(Token, ValidTokenNamesItsUser) {
  std::string t = mint(kSecret, 123456, 2000);
  Verified v = verify(kSecret, t, 1999);
  EXPECT_EQ(v.check, Check::ok);
  EXPECT_EQ(v.user, 123456u);
  EXPECT_EQ(v.expiry_unix, 2000);
}

TEST(Token, ExpiredAtAndAfterExpiry) {
  std::string t = mint(kSecret, 7, 2000);
  EXPECT_EQ(verify(kSecret, t, 2000).check, Check::expired);
  EXPECT_EQ(verify(kSecret, t, 5000).check, Check::expired);
}

TEST(Token, OtherSecretIsForged) {
  std::string t = mint(std::string(32, 'x'), 7, 2000);
  EXPECT_EQ(verify(kSecret, t, 1000).check, Check::forged);
}

TEST(Token, ChangedUserOrExpiryIsForged) {
  std::string t = mint(kSecret, 7, 2000);
  std::string other_user = "v1.8" + t.substr(4);
  EXPECT_EQ(verify(kSecret, other_user, 1000).check, Check::forged);
  std::string later = mint(kSecret, 7, 9000);
  std::string spliced = later.substr(0, later.rfind('.')) + t.substr(t.rfind('.'));
  EXPECT_EQ(verify(kSecret, spliced, 1000).check, Check::forged);
}

TEST(Token, MalformedTokens) {
  std::string good = mint(kSecret, 7, 2000);
  for (std::string bad : {std::string(), std::string("v1"), std::string("v2.7.2000.00"),
                          std::string("v1.x.2000.") + std::string(64, '0'),
                          std::string("v1.0.2000.") + std::string(64, '0'),
                          std::string("v1.7.-5.") + std::string(64, '0'),
                          std::string("v1.7.2000.zz"), good + ".extra", good.substr(0, good.size() - 2),
                          std::string("v1.99999999999999999999999.1.") + std::string(64, '0')}) {
    EXPECT_EQ(verify(kSecret, bad, 1000).check, Check::malformed) << bad;
  }
}

TEST(Token, SecretIsCreatedOnceWithMode0600) {
  auto dir = std::filesystem::temp_directory_path() /
             ("glimpse-token-test-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::string path = secret_path((dir / "data").string());
  std::string error;
  auto a = load_or_create_secret(path, &error);
  ASSERT_TRUE(a) << error;
  EXPECT_EQ(a->size(), kSecretBytes);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto b = load_or_create_secret(path, &error);
  ASSERT_TRUE(b) << error;
  EXPECT_EQ(*a, *b);
  { std::ofstream(path, std::ios::trunc) << "short"; }
  EXPECT_FALSE(load_or_create_secret(path, &error));
  EXPECT_NE(error.find("damaged"), std::string::npos) << error;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace glimpse::token
