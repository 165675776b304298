#include "scheduler/duration.hpp"

#include <fmt/format.h>

namespace squash::scheduler {

std::variant<std::chrono::seconds, DurationError> parse_duration(std::string_view text,
                                                                 std::chrono::seconds max) {
  if (text.empty()) return DurationError{0, "empty duration"};
  constexpr std::string_view kUnits = "hms";
  constexpr long long kUnitSeconds[] = {3600, 60, 1};
  long long total = 0;
  std::size_t pos = 0, next_unit = 0;
  while (pos < text.size()) {
    std::size_t start = pos;
    long long n = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      n = n * 10 + (text[pos] - '0');
      if (n > 1'000'000) return DurationError{start, "number too large"};
      ++pos;
    }
    if (pos == start)
      return DurationError{pos, fmt::format("expected a whole number at '{}'", text.substr(pos))};
    if (pos == text.size())
      return DurationError{pos, fmt::format("missing unit after {} (h, m or s)", n)};
    auto unit = kUnits.find(text[pos]);
    if (unit == std::string_view::npos)
      return DurationError{pos, fmt::format("unknown unit '{}' (h, m or s)", text[pos])};
    if (unit < next_unit)
      return DurationError{pos, "units must appear once each, largest first (h, then m, then s)"};
    next_unit = unit + 1;
    total += n * kUnitSeconds[unit];
    ++pos;
  }
  if (total == 0) return DurationError{0, "duration must be longer than zero"};
  if (total > max.count())
    return DurationError{0,
                         fmt::format("duration longer than the maximum {}", format_duration(max))};
  return std::chrono::seconds{total};
}

std::string format_duration(std::chrono::seconds d) {
  auto s = d.count();
  if (s == 0) return "0s";
  std::string out;
  if (s >= 3600) out += fmt::format("{}h", s / 3600);
  if (s % 3600 >= 60) out += fmt::format("{}m", s % 3600 / 60);
  if (s % 60) out += fmt::format("{}s", s % 60);
  return out;
}

}  // namespace squash::scheduler
