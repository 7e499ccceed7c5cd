#pragma once
// SHA-256 and HMAC-SHA256 (OpenSSL's libcrypto underneath, hidden here).
#include <array>
#include <cstdint>
#include <memory>
#include <string_view>

namespace glimpse::util {

using Sha256Digest = std::array<uint8_t, 32>;

// Incremental SHA-256. Not thread-safe; movable, not copyable.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void update(std::string_view data);
  // Ends the hash; the object may not be updated afterwards.
  Sha256Digest finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

Sha256Digest sha256(std::string_view data);
Sha256Digest hmac_sha256(std::string_view key, std::string_view message);

// Compares in time independent of where the inputs differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace glimpse::util
