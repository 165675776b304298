#pragma once

#include <string_view>

namespace squash {

// pg_squash's version (control/pg_squash.control's default_version, set by CMake).
inline constexpr std::string_view kVersion = SQUASH_VERSION;

}  // namespace squash
