// The pure parts of the fleet's lease protocol and the control schema's migrations.
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include <nlohmann/json.hpp>

#include "control/lease_rules.hpp"
#include "control/schema.hpp"

namespace squash::control {
namespace {

namespace chr = std::chrono;

chr::sys_seconds at(int hour, int minute, int second) {
  using namespace std::chrono;
  return sys_days{year{2026} / 12 / 5} + hours(hour) + minutes(minute) + seconds(second);
}

TEST(LeaseRules, DaemonIdNamesHostPidAndStart) {
  EXPECT_EQ(make_daemon_id("db1", 4242, at(13, 15, 0)), "db1/4242/20261205T131500Z");
  EXPECT_EQ(make_daemon_id("", 7, at(0, 0, 1)), "localhost/7/20261205T000001Z");
  // A restart of the same process id gets a new identity: it never renews old leases.
  EXPECT_NE(make_daemon_id("db1", 4242, at(13, 15, 0)), make_daemon_id("db1", 4242, at(13, 15, 1)));
}

TEST(LeaseRules, HeartbeatGivesThreeChancesPerLease) {
  EXPECT_EQ(heartbeat_every(chr::seconds(30)), chr::milliseconds(10000));
  EXPECT_EQ(heartbeat_every(chr::seconds(5)), chr::milliseconds(1666));
}

TEST(LeaseRules, RenewalOverdueAtTwoThirdsOfTheLease) {
  auto t0 = chr::steady_clock::time_point{} + chr::hours(1);
  auto ttl = chr::seconds(30);
  EXPECT_FALSE(renewal_overdue(t0, t0, ttl));
  EXPECT_FALSE(renewal_overdue(t0, t0 + chr::milliseconds(19999), ttl));
  EXPECT_TRUE(renewal_overdue(t0, t0 + chr::seconds(20), ttl));
  // Overdue strictly before the lease itself runs out.
  EXPECT_TRUE(renewal_overdue(t0, t0 + ttl - chr::milliseconds(1), ttl));
}

TEST(LeaseRules, IntervalIsAParameterValue) {
  EXPECT_EQ(interval_text(chr::seconds(30)), "30 seconds");
  EXPECT_EQ(interval_text(chr::seconds(600)), "600 seconds");
}

api::Run running_stamp() {
  api::Run run;
  run.id = "20261205T131500Z-t-stamp-3";
  run.seq = 3;
  run.target = "t";
  run.job = "stamp";
  run.state = api::kRunning;
  run.queued_at = "2026-12-05T13:15:00Z";
  run.started_at = "2026-12-05T13:15:01Z";
  run.daemon = "db1/4242/20261205T131000Z";
  api::Step backup;
  backup.name = "backup";
  backup.state = api::kSucceeded;
  api::Step stamp;
  stamp.name = "stamp";
  stamp.state = api::kRunning;
  run.steps = {backup, stamp};
  return run;
}

TEST(LeaseRules, ExpiredLeaseInterruptsTheRunNeverSucceeds) {
  auto run = running_stamp();
  ASSERT_TRUE(mark_lease_expired(run, *run.daemon, "2026-12-05T13:16:00Z", "2026-12-05T13:16:02Z"));
  EXPECT_EQ(run.state, api::kInterrupted);
  EXPECT_EQ(run.finished_at, "2026-12-05T13:16:02Z");
  EXPECT_EQ(*run.error,
            "interrupted: the lease of daemon db1/4242/20261205T131000Z expired at "
            "2026-12-05T13:16:00Z (the daemon died or lost the control database) during step "
            "stamp");
  EXPECT_EQ(run.steps[0].state, api::kSucceeded);
  EXPECT_EQ(run.steps[1].state, api::kInterrupted);
  EXPECT_EQ(*run.steps[1].error,
            "the lease of daemon db1/4242/20261205T131000Z expired during this step");
}

TEST(LeaseRules, ExpiryLeavesAFinishedRunAlone) {
  auto run = running_stamp();
  run.state = api::kSucceeded;
  run.steps[1].state = api::kSucceeded;
  EXPECT_FALSE(mark_lease_expired(run, "d", "2026-12-05T13:16:00Z", "2026-12-05T13:16:02Z"));
  EXPECT_EQ(run.state, api::kSucceeded);
  EXPECT_FALSE(run.error);
}

TEST(LeaseRules, ExpiryBetweenSteps) {
  auto run = running_stamp();
  run.steps.pop_back();
  ASSERT_TRUE(mark_lease_expired(run, "d", "x", "y"));
  EXPECT_EQ(*run.error,
            "interrupted: the lease of daemon d expired at x (the daemon died or lost the control "
            "database)");
}

TEST(LeaseRules, ScheduleKeyIsOnePerScheduledTime) {
  EXPECT_EQ(schedule_key("kidney", "backup", at(2, 0, 0)),
            "schedule kidney backup 2026-12-05T02:00:00Z");
  EXPECT_NE(schedule_key("kidney", "backup", at(2, 0, 0)),
            schedule_key("kidney", "backup", at(3, 0, 0)));
  EXPECT_NE(schedule_key("kidney", "backup", at(2, 0, 0)),
            schedule_key("kidney", "stamp", at(2, 0, 0)));
}

TEST(LeaseRules, NamesTravelAsJson) {
  EXPECT_EQ(json_names({"a", "b.c"}), R"(["a","b.c"])");
  EXPECT_EQ(json_names({}), "[]");
  // Whatever a name holds, it stays one JSON string.
  auto odd = json_names({"x'); DROP TABLE runs; --", "q\"uote"});
  auto back = nlohmann::json::parse(odd).get<std::vector<std::string>>();
  EXPECT_EQ(back, (std::vector<std::string>{"x'); DROP TABLE runs; --", "q\"uote"}));
}

TEST(ControlSchema, MigrationsOnlyGoForward) {
  const auto& all = migrations();
  ASSERT_FALSE(all.empty());
  int previous = 0;
  for (const auto& m : all) {
    EXPECT_EQ(m.version, previous + 1);
    previous = m.version;
    EXPECT_FALSE(m.statements.empty());
    for (const auto& statement : m.statements) {
      // Fixed text: no placeholder, and every object in the control schema.
      EXPECT_EQ(statement.find('$'), std::string::npos) << statement;
      EXPECT_NE(statement.find("squashd_control."), std::string::npos) << statement;
    }
  }
  EXPECT_EQ(known_schema_version(), previous);
}

}  // namespace
}  // namespace squash::control
