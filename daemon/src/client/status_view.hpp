// How squashctl prints the daemon's answers for people.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/types.hpp"

namespace squash::client {

// "4d 18h", "3m 12s", "45s": the two largest units.
std::string human_duration(std::int64_t seconds);

std::string format_status(const api::Health& health, const api::Status& status,
                          const std::string& url, std::chrono::sys_seconds now);

}  // namespace squash::client
