#include "tests/image/test_images.hpp"

namespace glimpse::image::test {}  // namespace glimpse::image::test
