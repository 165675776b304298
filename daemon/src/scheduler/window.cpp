#include "scheduler/window.hpp"

#include <fmt/format.h>

#include "scheduler/duration.hpp"

namespace squash::scheduler {

namespace {
std::string human(double seconds) {
  auto s = static_cast<long long>(seconds + 0.5);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}
}  // namespace

std::optional<std::string> step_refusal(
    std::string_view what, std::optional<double> expected_seconds,
    std::chrono::system_clock::time_point now,
    std::optional<std::chrono::system_clock::time_point> deadline) {
  if (!deadline) return std::nullopt;
  double left = std::chrono::duration<double>(*deadline - now).count();
  if (left <= 0) return fmt::format("the maintenance window closed before {} could start", what);
  if (!expected_seconds || *expected_seconds <= left) return std::nullopt;
  return fmt::format(
      "{} was not started: it took {} on average in recent runs, but the window closes in {}", what,
      human(*expected_seconds), human(left));
}

}  // namespace squash::scheduler
