// Text forms that squashd and squashctl share: byte sizes and UTC instants.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace squash::util {

// "512 B", "1.5 KiB", ... "2.0 TiB".
std::string human_bytes(std::uint64_t bytes);

// "2025-03-30T01:00:00": t's calendar fields without a zone (the caller adds one).
std::string format_date_time(std::chrono::sys_seconds t);
// "2025-03-30T01:00:00Z": ISO 8601, UTC, whole seconds (a time_point is floored).
std::string format_utc_iso8601(std::chrono::sys_seconds t);
std::string format_utc_iso8601(std::chrono::system_clock::time_point t);
// The inverse: exactly that form, a valid date; nullopt otherwise.
std::optional<std::chrono::sys_seconds> parse_utc_iso8601(std::string_view text);

}  // namespace squash::util
