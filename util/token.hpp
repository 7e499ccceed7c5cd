#pragma once
// Login tokens: "v1.<uin>.<expiry unix seconds>.<hex HMAC-SHA256>", the MAC
// taken with the node's secret over "v1.<uin>.<expiry>". Shared by
// `glimpse token` (mints) and glimpsed (verifies); depends on util/ only.
// All functions are thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace glimpse::token {

constexpr size_t kSecretBytes = 32;

// The secret in `path`: read if the file exists (must hold exactly
// kSecretBytes bytes), else created with 32 bytes from /dev/urandom and mode
// 0600 (parent directories are created as needed). On failure returns nullopt
// and sets *error to a message that names the file.
std::optional<std::string> load_or_create_secret(const std::string& path, std::string* error);

// "<data dir>/token.secret".
std::string secret_path(const std::string& data_dir);

std::string mint(std::string_view secret, uint64_t user, int64_t expiry_unix);

enum class Check { ok, malformed, forged, expired };

struct Verified {
  Check check = Check::malformed;
  uint64_t user = 0;
  int64_t expiry_unix = 0;
};

// Verifies `token` against `secret` at time `now_unix`. The MAC is compared
// in constant time; expiry is checked only once the MAC is good.
Verified verify(std::string_view secret, std::string_view token, int64_t now_unix);

// A sentence for a person, e.g. "the token has expired; make a new one with
// `glimpse token --user U`".
const char* describe(Check check);

}  // namespace glimpse::token
