#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace glimpse::util {

std::string to_hex(std::string_view bytes);
template <class Container>
std::string to_hex(const Container& c) {
  return to_hex(std::string_view(reinterpret_cast<const char*>(c.data()), c.size()));
}
// nullopt when `hex` has odd length or a character outside [0-9a-fA-F].
std::optional<std::string> from_hex(std::string_view hex);

}  // namespace glimpse::util
