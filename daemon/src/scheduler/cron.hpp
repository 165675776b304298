// Five-field cron expressions (minute hour day-of-month month day-of-week) with Vixie
// cron semantics, and their next run time in an IANA time zone.
//
// Syntax per field: "*", numbers, ranges "a-b", lists "a,b", steps "*/n", "a-b/n" and
// "a/n" (a to the field's maximum), month names jan..dec and weekday names sun..sat
// (case-insensitive); day-of-week 0 and 7 are Sunday. Macros: @hourly, @daily,
// @midnight, @weekly, @monthly, @yearly, @annually.
//
// Day matching (Vixie): when day-of-month and day-of-week are both restricted (neither
// field starts with '*'), a day matches if EITHER matches; otherwise both must match.
//
// Daylight saving time (Vixie): a job is "fixed-time" when neither its minute nor its
// hour field starts with '*'. Fixed-time jobs whose local time falls in a spring-forward
// gap run once at the first instant after the gap; in a fall-back overlap they run only
// at the first occurrence. Other ("wildcard") jobs follow the wall clock: times in the
// gap do not exist and are skipped, times in the overlap happen twice.
#pragma once

#include <bitset>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "scheduler/time_zone.hpp"

namespace squash::scheduler {

struct CronError {
  std::string field;       // "minute", "hour", "day-of-month", "month", "day-of-week"
                           // or "" for the expression as a whole
  std::size_t offset = 0;  // character in the expression where the problem is
  std::string message;     // says which field and why
};

class CronExpr {
 public:
  static std::variant<CronExpr, CronError> parse(std::string_view text);

  // The first run time strictly after `after`, or nullopt when there is none in the
  // next hundred years.
  std::optional<sys_seconds> next_after(sys_seconds after, const TimeZone& zone) const;

  // Whether the job runs on this calendar day (months and the DOM/DOW rule).
  bool matches_day(std::chrono::year_month_day day) const;
  bool fixed_time() const { return !minute_star_ && !hour_star_; }
  const std::string& text() const { return text_; }

 private:
  std::optional<local_seconds> next_match(local_seconds from, local_seconds limit) const;

  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;     // 1..31
  std::bitset<13> months_;   // 1..12
  std::bitset<7> weekdays_;  // 0 = Sunday
  bool minute_star_ = false, hour_star_ = false, dom_star_ = false, dow_star_ = false;
};

}  // namespace squash::scheduler
