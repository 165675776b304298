#include <gtest/gtest.h>

#include <vector>

#include "scheduler/cron.hpp"
#include "test_util.hpp"

namespace squash::scheduler {
namespace {

using testing::iso;
using testing::utc;

const TimeZone& zone(const std::string& name) {
  static TimeZoneDb db;
  std::string error;
  auto z = db.find(name, &error);
  if (!z) throw std::runtime_error(error);
  static std::vector<std::shared_ptr<const TimeZone>> keep;
  keep.push_back(z);
  return *z;
}

CronExpr cron(const std::string& text) {
  auto r = CronExpr::parse(text);
  if (auto* e = std::get_if<CronError>(&r)) ADD_FAILURE() << text << ": " << e->message;
  return std::get<CronExpr>(r);
}

CronError cron_error(const std::string& text) {
  auto r = CronExpr::parse(text);
  if (!std::holds_alternative<CronError>(r)) {
    ADD_FAILURE() << "'" << text << "' parsed, expected an error";
    return {};
  }
  return std::get<CronError>(r);
}

// The next `n` run times after `from`, as UTC ISO strings.
std::vector<std::string> runs(const std::string& expr, const std::string& tz,
                              std::chrono::sys_seconds from, int n) {
  auto c = cron(expr);
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    auto next = c.next_after(from, zone(tz));
    if (!next) break;
    out.push_back(iso(*next));
    from = *next;
  }
  return out;
}

using Runs = std::vector<std::string>;

// ------------------------------------------------------------------------- parsing

TEST(CronParse, ErrorsNameTheFieldAndTheReason) {
  struct Case {
    const char* expr;
    const char* field;
    std::size_t offset;
    const char* message;
  } cases[] = {
      {"60 * * * *", "minute", 0, "minute: 60 is out of range 0-59"},
      {"0 24 * * *", "hour", 2, "hour: 24 is out of range 0-23"},
      {"0 0 0 * *", "day-of-month", 4, "day-of-month: 0 is out of range 1-31"},
      {"0 0 * 13 *", "month", 6, "month: 13 is out of range 1-12"},
      {"0 0 * * 8", "day-of-week", 8, "day-of-week: 8 is out of range 0-7"},
      {"*/0 * * * *", "minute", 2, "minute: step must be at least 1"},
      {"*/60 * * * *", "minute", 2, "minute: step 60 is larger than the field's range 0-59"},
      {"0 5-2 * * *", "hour", 2, "hour: range 5-2 goes backwards"},
      {"x * * * *", "minute", 0, "minute: 'x' is not a number"},
      {"0 0 * foo *", "month", 6, "month: unknown name 'foo' (use jan..dec or numbers)"},
      {"0 0 * * funday", "day-of-week", 8, "day-of-week: unknown name 'funday'"},
      {"1,,2 * * * *", "minute", 2, "minute: empty item in list"},
      {"0 0 * * mon/", "day-of-week", 12, "day-of-week: missing step after '/'"},
      {"0 0 30 feb *", "day-of-month", 4, "day-of-month: day 30 never occurs in february"},
  };
  for (const auto& c : cases) {
    auto e = cron_error(c.expr);
    EXPECT_EQ(e.field, c.field) << c.expr;
    EXPECT_EQ(e.offset, c.offset) << c.expr;
    EXPECT_NE(e.message.find(c.message), std::string::npos) << c.expr << " → " << e.message;
  }
}

TEST(CronParse, WrongFieldCountAndUnknownMacro) {
  EXPECT_NE(cron_error("0 0 * *").message.find("expected 5 fields"), std::string::npos);
  EXPECT_NE(cron_error("0 0 * * * *").message.find("found 6"), std::string::npos);
  EXPECT_NE(cron_error("").message.find("found 0"), std::string::npos);
  EXPECT_NE(cron_error("@reboot").message.find("unknown macro '@reboot'"), std::string::npos);
}

TEST(CronParse, AcceptsNamesRangesStepsListsAndMacros) {
  for (const char* ok : {"* * * * *", "*/5 0-23/2 1,15,31 jan-jun,DEC mon-fri", "5/15 * * * *",
                         "0 0 * * 7", "0 0 * * SUN", "0 0 29 2 *", "@daily", "@hourly", "@weekly",
                         "@monthly", "@yearly", "@annually", "@midnight", "  0   3  *  *  *  "})
    EXPECT_TRUE(std::holds_alternative<CronExpr>(CronExpr::parse(ok))) << ok;
  EXPECT_TRUE(cron("0 1 * * *").fixed_time());
  EXPECT_FALSE(cron("*/5 1 * * *").fixed_time());
  EXPECT_FALSE(cron("0 * * * *").fixed_time());
}

// ------------------------------------------------------------------------- next time, UTC

TEST(CronNext, StrictlyAfterAndStepped) {
  EXPECT_EQ(runs("*/15 * * * *", "UTC", utc(2025, 6, 1, 10, 7), 3),
            (Runs{"2025-06-01T10:15:00Z", "2025-06-01T10:30:00Z", "2025-06-01T10:45:00Z"}));
  // exactly on a run time: the next one, not the same
  EXPECT_EQ(runs("0 * * * *", "UTC", utc(2025, 6, 1, 10, 0), 1), (Runs{"2025-06-01T11:00:00Z"}));
  // within a minute after a run time
  EXPECT_EQ(runs("0 * * * *", "UTC", utc(2025, 6, 1, 10, 0, 30), 1),
            (Runs{"2025-06-01T11:00:00Z"}));
}

TEST(CronNext, RangesWithStepsAndLists) {
  EXPECT_EQ(runs("0 9-17/4 * * *", "UTC", utc(2025, 6, 1, 0, 0), 4),
            (Runs{"2025-06-01T09:00:00Z", "2025-06-01T13:00:00Z", "2025-06-01T17:00:00Z",
                  "2025-06-02T09:00:00Z"}));
  EXPECT_EQ(runs("30 4 1,15 * *", "UTC", utc(2025, 6, 2), 3),
            (Runs{"2025-06-15T04:30:00Z", "2025-07-01T04:30:00Z", "2025-07-15T04:30:00Z"}));
  EXPECT_EQ(runs("5/20 8 * * *", "UTC", utc(2025, 6, 1), 4),
            (Runs{"2025-06-01T08:05:00Z", "2025-06-01T08:25:00Z", "2025-06-01T08:45:00Z",
                  "2025-06-02T08:05:00Z"}));
}

TEST(CronNext, MonthAndWeekdayNames) {
  // 2025-06-01 is a Sunday
  EXPECT_EQ(runs("0 0 * * sun", "UTC", utc(2025, 5, 31), 2),
            (Runs{"2025-06-01T00:00:00Z", "2025-06-08T00:00:00Z"}));
  EXPECT_EQ(runs("0 0 * * 7", "UTC", utc(2025, 5, 31), 1), (Runs{"2025-06-01T00:00:00Z"}));
  EXPECT_EQ(runs("0 0 * * 0", "UTC", utc(2025, 5, 31), 1), (Runs{"2025-06-01T00:00:00Z"}));
  EXPECT_EQ(runs("0 6 * * Mon-Fri", "UTC", utc(2025, 6, 6, 7), 2),  // Friday after the run
            (Runs{"2025-06-09T06:00:00Z", "2025-06-10T06:00:00Z"}));
  EXPECT_EQ(runs("0 0 1 jan,jul *", "UTC", utc(2025, 2, 1), 2),
            (Runs{"2025-07-01T00:00:00Z", "2026-01-01T00:00:00Z"}));
  EXPECT_EQ(runs("@yearly", "UTC", utc(2025, 2, 1), 1), (Runs{"2026-01-01T00:00:00Z"}));
}

TEST(CronNext, DayOfMonthOrDayOfWeekWhenBothRestricted) {
  // "the 13th or any Friday": January 2025 has Fridays 3, 10, 17 and the 13th is a Monday
  EXPECT_EQ(runs("0 0 13 * 5", "UTC", utc(2025, 1, 1), 4),
            (Runs{"2025-01-03T00:00:00Z", "2025-01-10T00:00:00Z", "2025-01-13T00:00:00Z",
                  "2025-01-17T00:00:00Z"}));
  // a '*'-led day-of-month makes it AND (Vixie): odd days that are Mondays
  EXPECT_EQ(runs("0 0 */2 * mon", "UTC", utc(2025, 1, 1), 3),
            (Runs{"2025-01-13T00:00:00Z", "2025-01-27T00:00:00Z", "2025-02-03T00:00:00Z"}));
  // unrestricted day-of-week: only the day of month counts
  EXPECT_EQ(runs("0 0 13 * *", "UTC", utc(2025, 1, 1), 1), (Runs{"2025-01-13T00:00:00Z"}));
}

TEST(CronNext, LeapDay) {
  EXPECT_EQ(runs("0 12 29 2 *", "UTC", utc(2025, 1, 1), 2),
            (Runs{"2028-02-29T12:00:00Z", "2032-02-29T12:00:00Z"}));
  // 2100 is not a leap year
  EXPECT_EQ(runs("0 12 29 2 *", "UTC", utc(2096, 3, 1), 1), (Runs{"2104-02-29T12:00:00Z"}));
  EXPECT_EQ(runs("0 0 28-29 feb *", "UTC", utc(2024, 2, 28, 1), 2),
            (Runs{"2024-02-29T00:00:00Z", "2025-02-28T00:00:00Z"}));
}

TEST(CronNext, MonthEndsAreSkippedWhenTheDayIsMissing) {
  EXPECT_EQ(runs("0 0 31 * *", "UTC", utc(2025, 1, 31, 1), 3),
            (Runs{"2025-03-31T00:00:00Z", "2025-05-31T00:00:00Z", "2025-07-31T00:00:00Z"}));
  EXPECT_EQ(runs("0 0 30 * *", "UTC", utc(2025, 1, 31), 2),
            (Runs{"2025-03-30T00:00:00Z", "2025-04-30T00:00:00Z"}));
  // year end
  EXPECT_EQ(runs("59 23 31 12 *", "UTC", utc(2025, 12, 31, 23, 59), 1),
            (Runs{"2026-12-31T23:59:00Z"}));
}

// ------------------------------------------------------------------------- DST
// Europe/Berlin: 2025-03-30 02:00 CET → 03:00 CEST (01:00Z);
//                2025-10-26 03:00 CEST → 02:00 CET (01:00Z).
// America/New_York: 2025-03-09 02:00 EST → 03:00 EDT (07:00Z);
//                   2025-11-02 02:00 EDT → 01:00 EST (06:00Z).

TEST(CronDst, SpringForwardFixedTimeRunsOnceAtTheEndOfTheGap) {
  // 02:30 does not exist in Berlin on 30 March: the job runs at 03:00 CEST, once.
  EXPECT_EQ(runs("30 2 * * *", "Europe/Berlin", utc(2025, 3, 29, 12), 3),
            (Runs{"2025-03-30T01:00:00Z", "2025-03-31T00:30:00Z", "2025-04-01T00:30:00Z"}));
  EXPECT_EQ(format_local_iso8601(utc(2025, 3, 30, 1), zone("Europe/Berlin")),
            "2025-03-30T03:00:00+02:00");
  EXPECT_EQ(runs("30 2 * * *", "America/New_York", utc(2025, 3, 8, 12), 2),
            (Runs{"2025-03-09T07:00:00Z", "2025-03-10T06:30:00Z"}));
  // two fixed times inside the gap collapse into one run
  EXPECT_EQ(runs("15,45 2 * * *", "Europe/Berlin", utc(2025, 3, 29, 12), 2),
            (Runs{"2025-03-30T01:00:00Z", "2025-03-31T00:15:00Z"}));
}

TEST(CronDst, SpringForwardWildcardSkipsTheMissingHour) {
  // hourly: 01:00 CET, then 03:00 CEST: one run per real hour, 02:00 never happens
  EXPECT_EQ(runs("0 * * * *", "Europe/Berlin", utc(2025, 3, 29, 23, 30), 3),
            (Runs{"2025-03-30T00:00:00Z", "2025-03-30T01:00:00Z", "2025-03-30T02:00:00Z"}));
  EXPECT_EQ(runs("0 * * * *", "America/New_York", utc(2025, 3, 9, 5, 30), 3),
            (Runs{"2025-03-09T06:00:00Z", "2025-03-09T07:00:00Z", "2025-03-09T08:00:00Z"}));
  // a minute-wildcard job in the 02:xx hour does not run that day
  EXPECT_EQ(runs("*/15 2 * * *", "Europe/Berlin", utc(2025, 3, 30, 0, 50), 1),
            (Runs{"2025-03-31T00:00:00Z"}));
}

TEST(CronDst, FallBackFixedTimeRunsOnlyOnce) {
  // 01:30 happens twice in New York on 2 November (EDT 05:30Z, EST 06:30Z): run the first.
  EXPECT_EQ(runs("30 1 * * *", "America/New_York", utc(2025, 11, 1, 12), 3),
            (Runs{"2025-11-02T05:30:00Z", "2025-11-03T06:30:00Z", "2025-11-04T06:30:00Z"}));
  // starting inside the repeated hour, after the first 01:30: nothing until the next day
  EXPECT_EQ(runs("30 1 * * *", "America/New_York", utc(2025, 11, 2, 6, 0), 1),
            (Runs{"2025-11-03T06:30:00Z"}));
  EXPECT_EQ(runs("30 2 * * *", "Europe/Berlin", utc(2025, 10, 25, 12), 2),
            (Runs{"2025-10-26T00:30:00Z", "2025-10-27T01:30:00Z"}));
}

TEST(CronDst, FallBackWildcardFollowsTheWallClock) {
  // hourly through the repeated hour: 01:00 EDT, 01:00 EST, 02:00 EST: still every real hour
  EXPECT_EQ(runs("0 * * * *", "America/New_York", utc(2025, 11, 2, 4, 30), 4),
            (Runs{"2025-11-02T05:00:00Z", "2025-11-02T06:00:00Z", "2025-11-02T07:00:00Z",
                  "2025-11-02T08:00:00Z"}));
  EXPECT_EQ(runs("0 * * * *", "Europe/Berlin", utc(2025, 10, 25, 23, 30), 4),
            (Runs{"2025-10-26T00:00:00Z", "2025-10-26T01:00:00Z", "2025-10-26T02:00:00Z",
                  "2025-10-26T03:00:00Z"}));
  // every quarter hour: the earliest instant wins even when wall-clock order differs
  EXPECT_EQ(runs("*/15 * * * *", "America/New_York", utc(2025, 11, 2, 5, 40), 3),
            (Runs{"2025-11-02T05:45:00Z", "2025-11-02T06:00:00Z", "2025-11-02T06:15:00Z"}));
}

TEST(CronDst, FarFutureUsesTheZoneRule) {
  // beyond the transition table (2037): the TZif footer rule still moves the clock
  EXPECT_EQ(runs("30 2 * * *", "Europe/Berlin", utc(2099, 3, 28, 12), 2),
            (Runs{"2099-03-29T01:00:00Z", "2099-03-30T00:30:00Z"}));
}

TEST(CronMatchesDay, UsesMonthsAndTheOrRule) {
  using namespace std::chrono;
  auto c = cron("0 0 1 * mon");
  EXPECT_TRUE(c.matches_day(year{2025} / January / 1));   // the 1st (a Wednesday)
  EXPECT_TRUE(c.matches_day(year{2025} / January / 6));   // a Monday
  EXPECT_FALSE(c.matches_day(year{2025} / January / 7));  // neither
}

}  // namespace
}  // namespace squash::scheduler
