// Helpers shared by squashd's unit tests.
#pragma once

#include <chrono>
#include <string>

#include "scheduler/time_zone.hpp"

namespace squash::testing {

// An instant given as its UTC calendar fields.
inline std::chrono::sys_seconds utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0,
                                    int s = 0) {
  using namespace std::chrono;
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

inline std::string iso(std::chrono::sys_seconds t) {
  return scheduler::format_utc_iso8601(t);
}

}  // namespace squash::testing
