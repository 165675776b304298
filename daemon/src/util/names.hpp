// Lists of names as text, and suggestions for a mistyped name (config keys, job names,
// job parameters).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace squash::util {

// "a, b, c" (header-only: squashctl's revisions use it too).
inline std::string join(const std::vector<std::string>& items, std::string_view sep = ", ") {
  return fmt::format("{}", fmt::join(items, sep));
}

std::size_t edit_distance(std::string_view a, std::string_view b);

// " (did you mean 'x'?)" for a near miss, else " (expected one of: ...)".
std::string hint(std::string_view got, const std::vector<std::string_view>& allowed);

}  // namespace squash::util
