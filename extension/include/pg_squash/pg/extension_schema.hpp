// pg_squash's own schema, where its state lives: fixed, the extension is not relocatable.
#pragma once

#include <string_view>

namespace squash {

inline constexpr std::string_view kSquashSchema = "squash";

}  // namespace squash
