#include "jobs/progress_estimate.hpp"

#include <algorithm>

namespace squash::jobs {

std::optional<StepSample> last_step_sample(const std::vector<api::Run>& runs,
                                           std::string_view target, std::string_view job,
                                           std::string_view step) {
  const api::Run* newest = nullptr;
  const api::Step* found = nullptr;
  for (const auto& r : runs) {
    if (r.target != target || r.job != job || r.state != api::kSucceeded) continue;
    if (newest && r.seq < newest->seq) continue;
    for (const auto& s : r.steps)
      if (s.name == step && s.state == api::kSucceeded && s.progress && s.progress->bytes > 0 &&
          s.seconds) {
        newest = &r;
        found = &s;
        break;
      }
  }
  if (!found) return std::nullopt;
  return StepSample{newest->id, found->progress->bytes, *found->seconds};
}

api::Progress estimate_progress(std::uint64_t bytes, double elapsed, double rate,
                                const std::optional<StepSample>& previous) {
  api::Progress p;
  p.bytes = bytes;
  p.bytes_per_second = rate;
  p.elapsed_seconds = elapsed;
  if (!previous || previous->bytes == 0) return p;
  p.expected_bytes = previous->bytes;
  p.estimated_from = previous->run_id;
  double fraction = static_cast<double>(bytes) / static_cast<double>(previous->bytes);
  p.percent = std::min(99.0, 100.0 * fraction);
  if (bytes < previous->bytes) {
    double speed = rate > 0 ? rate
                   : previous->seconds > 0
                       ? static_cast<double>(previous->bytes) / previous->seconds
                       : 0;
    if (speed > 0) p.eta_seconds = static_cast<double>(previous->bytes - bytes) / speed;
  }
  return p;
}

}  // namespace squash::jobs
