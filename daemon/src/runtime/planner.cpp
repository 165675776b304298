#include "runtime/planner.hpp"

namespace squash::runtime {

using scheduler::sys_seconds;

void Planner::reset(const config::Config& config, sys_seconds now) {
  next_.assign(config.schedules.size(), std::nullopt);
  for (std::size_t i = 0; i < config.schedules.size(); ++i)
    next_[i] = config.schedules[i].next_run(now);
}

std::vector<Planner::Due> Planner::due(const config::Config& config, sys_seconds now,
                                       std::vector<Missed>* missed) {
  std::vector<Due> out;
  if (next_.size() != config.schedules.size()) reset(config, now);
  for (std::size_t i = 0; i < next_.size(); ++i) {
    auto& next = next_[i];
    if (!next || *next > now) continue;
    const auto& s = config.schedules[i];
    // The latest time not after now whose window is still open starts; earlier ones are
    // skipped.
    Missed skipped{i, {}, {}, 0};
    std::optional<Due> start;
    int guard = 0;
    while (next && *next <= now && guard++ < 100000) {
      if (*next + s.window > now) {
        if (start) {
          if (skipped.count == 0) skipped.first = start->at;
          skipped.last = start->at;
          ++skipped.count;
        }
        start = Due{i, *next, *next + s.window};
      } else {
        if (skipped.count == 0) skipped.first = *next;
        skipped.last = *next;
        ++skipped.count;
      }
      next = s.next_run(*next);
    }
    if (next && *next <= now) next = s.next_run(now);
    if (skipped.count > 0 && missed) missed->push_back(skipped);
    if (start) out.push_back(*start);
  }
  return out;
}

std::optional<sys_seconds> Planner::next_wakeup() const {
  std::optional<sys_seconds> best;
  for (auto& n : next_)
    if (n && (!best || *n < *best)) best = n;
  return best;
}

std::optional<sys_seconds> Planner::next_of(std::size_t schedule) const {
  return schedule < next_.size() ? next_[schedule] : std::nullopt;
}

Planner::Missed count_missed(const config::Schedule& s, std::size_t index, sys_seconds after,
                             sys_seconds until, int limit) {
  Planner::Missed m{index, {}, {}, 0};
  auto t = s.next_run(after);
  while (t && *t <= until && m.count < limit) {
    if (m.count == 0) m.first = *t;
    m.last = *t;
    ++m.count;
    t = s.next_run(*t);
  }
  return m;
}

}  // namespace squash::runtime
