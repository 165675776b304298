// Window durations such as "2h", "90m", "1h30m", "45s".
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

namespace squash::scheduler {

struct DurationError {
  std::size_t offset = 0;  // character in the text where the problem is
  std::string message;
};

// Units h, m, s, each at most once, largest first, whole numbers; the total must be
// more than zero and at most max.
std::variant<std::chrono::seconds, DurationError> parse_duration(
    std::string_view text, std::chrono::seconds max = std::chrono::hours{24 * 7});

// The shortest text that parse_duration reads back: 5400 s → "1h30m".
std::string format_duration(std::chrono::seconds d);

}  // namespace squash::scheduler
