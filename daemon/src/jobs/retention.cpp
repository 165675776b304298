#include "jobs/retention.hpp"

#include <algorithm>

namespace squash::jobs {

std::vector<std::string> select_expired(std::vector<RetentionCandidate> verified,
                                        const RetentionPolicy& policy,
                                        std::chrono::sys_seconds now) {
  std::sort(verified.begin(), verified.end(), [](const auto& a, const auto& b) {
    if (a.completed != b.completed) return a.completed > b.completed;
    return a.name > b.name;
  });
  std::vector<std::string> expired;
  int rank = 0;
  for (const auto& b : verified) {
    if (b.pinned) continue;
    int r = rank++;
    if (r < policy.min_keep) continue;
    bool too_many = r >= policy.keep_last;
    bool too_old =
        policy.keep_days > 0 && now - b.completed > std::chrono::hours(24) * policy.keep_days;
    if (too_many || too_old) expired.push_back(b.name);
  }
  return expired;
}

}  // namespace squash::jobs
