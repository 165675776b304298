// Whether a step fits in what is left of a maintenance window (pure).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace squash::scheduler {

// Why a step of `expected_seconds` (its recorded average; nullopt: no history) must not
// start at `now` when the window closes at `deadline`; nullopt: it may start.
std::optional<std::string> step_refusal(
    std::string_view what, std::optional<double> expected_seconds,
    std::chrono::system_clock::time_point now,
    std::optional<std::chrono::system_clock::time_point> deadline);

}  // namespace squash::scheduler
