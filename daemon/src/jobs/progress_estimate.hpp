// How far a long step (a pg_dump) is and how long it has left, estimated from the same
// step of the last succeeded run of the same target and job: databases change slowly,
// so its size then is the best guess of its size now.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/types.hpp"

namespace squash::jobs {

struct StepSample {
  std::string run_id;
  std::uint64_t bytes = 0;
  double seconds = 0;
};

// The step as it ended in the newest succeeded run of target and job that wrote bytes,
// or nullopt without such a run. `runs` in any order.
std::optional<StepSample> last_step_sample(const std::vector<api::Run>& runs,
                                           std::string_view target, std::string_view job,
                                           std::string_view step);

// The progress of a running step: `bytes` so far after `elapsed` seconds at `rate`
// bytes/s (0: not known yet). With a sample: expected_bytes, percent (capped at 99 until
// the step ends: it may be larger this time) and eta_seconds (left at the current rate, or
// the sample's average rate before one is measured; absent once past expected_bytes).
api::Progress estimate_progress(std::uint64_t bytes, double elapsed, double rate,
                                const std::optional<StepSample>& previous);

}  // namespace squash::jobs
