// Maintenance-window arithmetic over the configured schedules, pure so tests drive it
// with virtual time.
#pragma once

#include <optional>
#include <vector>

#include "config/config.hpp"
#include "scheduler/time_zone.hpp"

namespace squash::runtime {

using scheduler::sys_seconds;

// When each schedule runs next. Times are computed forward from "now": a time that
// passed while squashd was down or busy is never caught up. A time found late but still
// inside its window starts with what is left of the window; a time whose window has
// closed is skipped (reported once).
class Planner {
 public:
  struct Due {
    std::size_t schedule = 0;  // index into Config::schedules
    sys_seconds at{};          // the cron time
    sys_seconds window_end{};  // at + window
  };
  struct Missed {
    std::size_t schedule = 0;
    sys_seconds first{}, last{};
    int count = 0;
  };

  // (Re)computes every schedule's next time strictly after `now`.
  void reset(const config::Config& config, sys_seconds now);
  // The schedules due at `now` (advanced past it); skipped ones appended to *missed.
  std::vector<Due> due(const config::Config& config, sys_seconds now, std::vector<Missed>* missed);
  // The earliest next time, or nullopt when nothing is scheduled.
  std::optional<sys_seconds> next_wakeup() const;
  std::optional<sys_seconds> next_of(std::size_t schedule) const;

 private:
  std::vector<std::optional<sys_seconds>> next_;
};

// How many cron times of a schedule fell in (after, until], counting at most `limit`.
Planner::Missed count_missed(const config::Schedule& s, std::size_t index, sys_seconds after,
                             sys_seconds until, int limit = 1000);

}  // namespace squash::runtime
