// IANA time zones read from the system tz database (TZif files, RFC 8536).
//
// libstdc++ 12 has the C++20 calendar types but not std::chrono::tzdb, so this reads
// /usr/share/zoneinfo (or $TZDIR) itself: the transition table, and the POSIX TZ rule in
// the file's footer for instants after the last transition. Pure: a TimeZone is built
// from the bytes of a TZif file and never touches the process's TZ or localtime().
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace squash::scheduler {

using std::chrono::local_seconds;
using std::chrono::sys_seconds;

// The UTC offset and abbreviation in force at one instant.
struct ZoneInfo {
  std::chrono::seconds offset{0};  // local = utc + offset
  bool is_dst = false;
  std::string abbreviation;
};

// How a local wall-clock time maps to instants.
struct LocalResolution {
  enum class Kind { unique, ambiguous, nonexistent };
  Kind kind = Kind::unique;
  sys_seconds first{};    // unique: the instant; ambiguous: the earlier one
  sys_seconds second{};   // ambiguous: the later one
  sys_seconds gap_end{};  // nonexistent: the first instant after the gap (the transition)
};

// A POSIX TZ rule such as "CET-1CEST,M3.5.0,M10.5.0/3" (the TZif footer).
class PosixTzRule {
 public:
  // Throws std::invalid_argument on a malformed rule.
  static PosixTzRule parse(std::string_view text);
  ZoneInfo at(sys_seconds t) const;

 private:
  struct DateRule {
    enum class Kind { julian_no_leap, zero_based, month_week_day } kind = Kind::month_week_day;
    int day = 0;  // Jn: 1..365, n: 0..365, M: weekday 0..6
    int month = 0;
    int week = 0;
    std::chrono::seconds time{7200};
  };
  std::chrono::sys_days date_in_year(const DateRule& r, int year) const;

  std::string std_name_, dst_name_;
  std::chrono::seconds std_offset_{0}, dst_offset_{0};
  bool has_dst_ = false;
  DateRule start_, end_;
};

class TimeZone {
 public:
  // Builds a zone from the contents of a TZif file. Throws std::invalid_argument.
  static TimeZone from_tzif(std::string name, std::string_view bytes);
  // A zone that is always UTC.
  static TimeZone utc();

  const std::string& name() const { return name_; }
  ZoneInfo at(sys_seconds t) const;
  std::chrono::seconds offset(sys_seconds t) const { return at(t).offset; }
  local_seconds to_local(sys_seconds t) const;
  LocalResolution resolve(local_seconds local) const;

 private:
  struct Type {
    std::int32_t offset;
    bool is_dst;
    std::string abbreviation;
  };
  std::string name_;
  std::vector<std::int64_t> transitions_;  // UTC seconds, ascending
  std::vector<std::uint8_t> transition_types_;
  std::vector<Type> types_;
  std::optional<PosixTzRule> footer_;
};

// Loads zones by IANA name from a zoneinfo directory and caches them. Thread-safe.
class TimeZoneDb {
 public:
  // dir empty: $TZDIR if set, else /usr/share/zoneinfo.
  explicit TimeZoneDb(std::string dir = {});
  // nullptr and *error set when the name is not a valid zone.
  std::shared_ptr<const TimeZone> find(const std::string& name, std::string* error);
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const TimeZone>> cache_;
};

// "2025-03-30T03:00:00+02:00" (local time in the zone, with its offset); UTC is
// util::format_utc_iso8601.
std::string format_local_iso8601(sys_seconds t, const TimeZone& zone);

}  // namespace squash::scheduler
