#include <gtest/gtest.h>

#include "client/status_view.hpp"
#include "test_util.hpp"
#include "util/format.hpp"

namespace squash::client {
namespace {

TEST(StatusView, HumanDuration) {
  EXPECT_EQ(human_duration(0), "0s");
  EXPECT_EQ(human_duration(45), "45s");
  EXPECT_EQ(human_duration(192), "3m 12s");
  EXPECT_EQ(human_duration(3600), "1h");
  EXPECT_EQ(human_duration(86400 * 4 + 3600 * 18 + 59), "4d 18h");
  EXPECT_EQ(human_duration(-5), "0s");
}

TEST(StatusView, ParsesUtcTimestamps) {
  EXPECT_EQ(util::parse_utc_iso8601("2025-03-30T01:00:00Z"), testing::utc(2025, 3, 30, 1));
  EXPECT_FALSE(util::parse_utc_iso8601("2025-03-30T01:00:00+02:00"));
  EXPECT_FALSE(util::parse_utc_iso8601("2025-02-30T01:00:00Z"));
  EXPECT_FALSE(util::parse_utc_iso8601(""));
}

TEST(StatusView, PrintsTargetsAndSchedulesAsATable) {
  api::Health health{"ok", "0.1.0"};
  api::Status status;
  status.version = "0.1.0";
  status.pid = 42;
  status.started_at = "2025-03-29T12:00:00Z";
  status.uptime_seconds = 192;
  status.config_path = "/etc/squashd/squashd.toml";
  status.targets = {"kidney", "liver"};
  status.schedules.push_back({"kidney", "backup", "0 2 * * 6", "Europe/Berlin", "2h",
                              "2025-03-30T01:00:00Z", "2025-03-30T03:00:00+02:00"});
  status.schedules.push_back(
      {"liver", "validate", "@daily", "UTC", "1h", std::nullopt, std::nullopt});
  auto text =
      format_status(health, status, "http://127.0.0.1:8433", testing::utc(2025, 3, 29, 12, 3, 12));
  EXPECT_EQ(
      text,
      "squashd 0.1.0 at http://127.0.0.1:8433: ok\n"
      "  pid 42, up 3m 12s (since 2025-03-29T12:00:00Z)\n"
      "  config /etc/squashd/squashd.toml\n"
      "targets (2): kidney liver\n"
      "schedules (2):\n"
      "  TARGET JOB      CRON      TIMEZONE      WINDOW NEXT RUN\n"
      "  kidney backup   0 2 * * 6 Europe/Berlin 2h     2025-03-30T03:00:00+02:00 (in 12h 56m)\n"
      "  liver  validate @daily    UTC           1h     never\n");
}

TEST(StatusView, NoTargetsNoSchedules) {
  api::Status status;
  auto text = format_status({"ok", "x"}, status, "http://u", testing::utc(2025, 1, 1));
  EXPECT_NE(text.find("targets: none\nschedules: none\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace squash::client
