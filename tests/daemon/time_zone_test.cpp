#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "scheduler/time_zone.hpp"
#include "test_util.hpp"
#include "util/format.hpp"

namespace squash::scheduler {
namespace {

using std::chrono::hours;
using std::chrono::local_days;
using std::chrono::local_seconds;
using std::chrono::minutes;
using testing::iso;
using testing::utc;

std::shared_ptr<const TimeZone> find(const std::string& name) {
  static TimeZoneDb db;
  std::string error;
  auto z = db.find(name, &error);
  EXPECT_TRUE(z) << error;
  return z;
}

local_seconds local(int y, unsigned mo, unsigned d, int h, int mi) {
  using namespace std::chrono;
  return local_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi};
}

TEST(TimeZone, OffsetsAndAbbreviations) {
  auto berlin = find("Europe/Berlin");
  EXPECT_EQ(berlin->offset(utc(2025, 1, 15)), hours{1});
  EXPECT_EQ(berlin->offset(utc(2025, 7, 15)), hours{2});
  EXPECT_EQ(berlin->at(utc(2025, 7, 15)).abbreviation, "CEST");
  EXPECT_TRUE(berlin->at(utc(2025, 7, 15)).is_dst);
  // the instant of the change
  EXPECT_EQ(berlin->offset(utc(2025, 3, 30, 0, 59, 59)), hours{1});
  EXPECT_EQ(berlin->offset(utc(2025, 3, 30, 1)), hours{2});
  auto ny = find("America/New_York");
  EXPECT_EQ(ny->offset(utc(2025, 1, 15)), hours{-5});
  EXPECT_EQ(ny->offset(utc(2025, 7, 15)), hours{-4});
  EXPECT_EQ(find("UTC")->offset(utc(2025, 7, 15)), hours{0});
  EXPECT_EQ(find("Asia/Kolkata")->offset(utc(2025, 7, 15)), hours{5} + minutes{30});
}

TEST(TimeZone, ResolvesUniqueAmbiguousAndMissingLocalTimes) {
  auto berlin = find("Europe/Berlin");
  auto r = berlin->resolve(local(2025, 6, 1, 12, 0));
  EXPECT_EQ(r.kind, LocalResolution::Kind::unique);
  EXPECT_EQ(iso(r.first), "2025-06-01T10:00:00Z");

  r = berlin->resolve(local(2025, 3, 30, 2, 30));
  EXPECT_EQ(r.kind, LocalResolution::Kind::nonexistent);
  EXPECT_EQ(iso(r.gap_end), "2025-03-30T01:00:00Z");

  r = berlin->resolve(local(2025, 10, 26, 2, 30));
  EXPECT_EQ(r.kind, LocalResolution::Kind::ambiguous);
  EXPECT_EQ(iso(r.first), "2025-10-26T00:30:00Z");
  EXPECT_EQ(iso(r.second), "2025-10-26T01:30:00Z");

  auto ny = find("America/New_York");
  r = ny->resolve(local(2025, 11, 2, 1, 30));
  EXPECT_EQ(r.kind, LocalResolution::Kind::ambiguous);
  EXPECT_EQ(iso(r.first), "2025-11-02T05:30:00Z");
  EXPECT_EQ(iso(r.second), "2025-11-02T06:30:00Z");
}

TEST(TimeZone, FooterRuleAgreesWithTheTableAndCarriesOn) {
  auto berlin = find("Europe/Berlin");
  // After the table's end the POSIX rule in the footer decides.
  EXPECT_EQ(berlin->offset(utc(2100, 7, 1)), hours{2});
  EXPECT_EQ(berlin->offset(utc(2100, 12, 1)), hours{1});
  auto rule = PosixTzRule::parse("CET-1CEST,M3.5.0,M10.5.0/3");
  for (auto t : {utc(2025, 3, 30, 0, 59), utc(2025, 3, 30, 1), utc(2025, 10, 26, 0, 59),
                 utc(2025, 10, 26, 1), utc(2030, 8, 1)})
    EXPECT_EQ(rule.at(t).offset, berlin->offset(t)) << iso(t);
}

TEST(PosixTzRule, SouthernHemisphereAndFixedZones) {
  auto sydney = PosixTzRule::parse("AEST-10AEDT,M10.1.0,M4.1.0/3");
  EXPECT_EQ(sydney.at(utc(2025, 1, 15)).offset, hours{11});
  EXPECT_EQ(sydney.at(utc(2025, 1, 15)).abbreviation, "AEDT");
  EXPECT_EQ(sydney.at(utc(2025, 7, 15)).offset, hours{10});
  auto fixed = PosixTzRule::parse("<+0530>-5:30");
  EXPECT_EQ(fixed.at(utc(2025, 7, 15)).offset, hours{5} + minutes{30});
  EXPECT_EQ(fixed.at(utc(2025, 7, 15)).abbreviation, "+0530");
  auto us = PosixTzRule::parse("EST5EDT,M3.2.0,M11.1.0");
  EXPECT_EQ(us.at(utc(2025, 3, 9, 7)).offset, hours{-4});
  EXPECT_EQ(us.at(utc(2025, 3, 9, 6, 59)).offset, hours{-5});
  EXPECT_THROW(PosixTzRule::parse("X"), std::invalid_argument);
  EXPECT_THROW(PosixTzRule::parse("CET-1CEST,M13.5.0,M10.5.0"), std::invalid_argument);
}

TEST(TimeZoneDb, RefusesUnknownAndUnsafeNames) {
  TimeZoneDb db;
  std::string error;
  EXPECT_FALSE(db.find("Europe/Berln", &error));
  EXPECT_NE(error.find("unknown time zone 'Europe/Berln'"), std::string::npos) << error;
  EXPECT_FALSE(db.find("../../etc/passwd", &error));
  EXPECT_NE(error.find("not a valid IANA time zone name"), std::string::npos) << error;
  EXPECT_FALSE(db.find("/etc/localtime", &error));
  EXPECT_FALSE(db.find("", &error));
  EXPECT_FALSE(db.find("zone1970.tab", &error));  // exists, but is not TZif
  EXPECT_NE(error.find("not a usable time zone"), std::string::npos) << error;
  EXPECT_EQ(db.find("Europe/Berlin", &error), db.find("Europe/Berlin", &error));  // cached
}

TEST(TimeZone, RejectsTruncatedTzif) {
  std::ifstream in(TimeZoneDb().dir() + "/Europe/Berlin", std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  auto data = bytes.str();
  EXPECT_NO_THROW(TimeZone::from_tzif("x", data));
  EXPECT_THROW(TimeZone::from_tzif("x", data.substr(0, 60)), std::invalid_argument);
  EXPECT_THROW(TimeZone::from_tzif("x", "TZjf" + data.substr(4)), std::invalid_argument);
}

TEST(TimeZone, FormatsLocalTimesWithTheirOffset) {
  EXPECT_EQ(format_local_iso8601(utc(2025, 7, 1, 12), *find("Europe/Berlin")),
            "2025-07-01T14:00:00+02:00");
  EXPECT_EQ(format_local_iso8601(utc(2025, 1, 1, 12), *find("America/New_York")),
            "2025-01-01T07:00:00-05:00");
  EXPECT_EQ(format_local_iso8601(utc(2025, 1, 1, 12), TimeZone::utc()),
            "2025-01-01T12:00:00+00:00");
  EXPECT_EQ(util::format_utc_iso8601(utc(2025, 1, 1, 12, 3, 4)), "2025-01-01T12:03:04Z");
}

}  // namespace
}  // namespace squash::scheduler
