#include "util/shared_bytes.hpp"

namespace glimpse::util {

SharedBytes::SharedBytes(std::string bytes) {
  if (bytes.empty()) return;
  auto owned = std::make_shared<const std::string>(std::move(bytes));
  data_ = owned->data();
  size_ = owned->size();
  owner_ = std::move(owned);
}

}  // namespace glimpse::util
