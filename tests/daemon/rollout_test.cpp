// The pure parts of rollouts: the definition, the stage's gate and what it queues, the
// guard's differences, and [[template]] targets.
#include <gtest/gtest.h>

#include <chrono>

#include <nlohmann/json.hpp>

#include "control/rollout_rules.hpp"
#include "control/schema.hpp"
#include "control/template_rules.hpp"

namespace squash::control {
namespace {

using nlohmann::json;
namespace chr = std::chrono;

json three_stages() {
  return json::parse(R"({
    "name": "v42", "revision": "000_squashed", "snapshot_file": "/srv/v42.json",
    "stages": [
      {"name": "dev", "match": [{"template": "tenants", "pattern": "dev\\_%"}], "parallel": 3},
      {"name": "staging", "targets": ["staging_a", "staging_b"], "soak": "10m"},
      {"name": "prod", "match": [{"template": "tenants", "pattern": "prod%"}]}
    ]})");
}

TEST(RolloutSpec, ReadsStagesWithTargetsMatchesParallelAndSoak) {
  std::vector<std::string> problems;
  auto spec = parse_rollout(three_stages(), &problems);
  ASSERT_TRUE(spec) << problems[0];
  EXPECT_EQ(spec->name, "v42");
  EXPECT_EQ(spec->revision, "000_squashed");
  EXPECT_EQ(spec->snapshot_file, "/srv/v42.json");
  ASSERT_EQ(spec->stages.size(), 3u);
  EXPECT_EQ(spec->stages[0].parallel, 3);
  EXPECT_EQ(spec->stages[0].match[0].template_name, "tenants");
  EXPECT_EQ(spec->stages[0].match[0].pattern, "dev\\_%");
  EXPECT_EQ(spec->stages[1].targets, (std::vector<std::string>{"staging_a", "staging_b"}));
  EXPECT_EQ(spec->stages[1].soak, chr::minutes(10));
  EXPECT_EQ(spec->stages[2].parallel, 1);
  // What is stored reads back the same.
  auto again = stages_from_json(stages_json(spec->stages));
  ASSERT_EQ(again.size(), 3u);
  EXPECT_EQ(again[1].soak, chr::minutes(10));
  EXPECT_EQ(again[0].match[0].pattern, "dev\\_%");
  EXPECT_EQ(again[1].targets, spec->stages[1].targets);
}

TEST(RolloutSpec, NamesEveryProblemWithItsPath) {
  auto body = three_stages();
  body["snapshot_file"] = "relative.json";
  body["stages"][0]["parallel"] = 0;
  body["stages"][1]["soak"] = "ten minutes";
  body["stages"][2] = {{"name", "dev"}};
  body["extra"] = 1;
  std::vector<std::string> problems;
  EXPECT_FALSE(parse_rollout(body, &problems));
  auto all = json(problems).dump();
  EXPECT_NE(all.find("snapshot_file must be an absolute path"), std::string::npos) << all;
  EXPECT_NE(all.find("rollout.stages[0].parallel must be an integer from 1 to 64"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("rollout.stages[1].soak"), std::string::npos) << all;
  EXPECT_NE(all.find("rollout.stages[2] names no targets"), std::string::npos) << all;
  EXPECT_NE(all.find("stage name 'dev' repeats"), std::string::npos) << all;
  EXPECT_NE(all.find("unknown key 'extra'"), std::string::npos) << all;
  EXPECT_FALSE(parse_rollout(json::array(), &problems));
  EXPECT_FALSE(parse_rollout(json{{"name", "a b"}}, &problems));
}

TEST(RolloutSpec, SnapshotFingerprintIsTheDeclaredOne) {
  std::string problem;
  EXPECT_EQ(snapshot_fingerprint(R"({"fingerprint": "abc", "objects": []})", "", &problem), "abc");
  EXPECT_EQ(snapshot_fingerprint(R"({"fingerprint": "abc"})", "abc", &problem), "abc");
  EXPECT_FALSE(snapshot_fingerprint(R"({"fingerprint": "abc"})", "def", &problem));
  EXPECT_NE(problem.find("declares fingerprint abc, not the rollout's def"), std::string::npos);
  EXPECT_FALSE(snapshot_fingerprint("not json", "", &problem));
  EXPECT_FALSE(snapshot_fingerprint(R"({"objects": []})", "", &problem));
}

TEST(RolloutTargets, RunStatesMapToTargetStates) {
  EXPECT_EQ(target_state_after_run("queued"), kTargetQueued);
  EXPECT_EQ(target_state_after_run("running"), kTargetQueued);
  EXPECT_EQ(target_state_after_run("succeeded"), kTargetStamped);
  // A lease that expired: the target is taken again in its next window.
  EXPECT_EQ(target_state_after_run("interrupted"), kTargetPending);
  EXPECT_EQ(target_state_after_run("failed"), kTargetFailed);
  EXPECT_EQ(target_state_after_run("cancelled"), kTargetFailed);
  // Ended by its maintenance window, not by the job: the next window takes it again.
  EXPECT_EQ(target_state_after_run(
                "failed", "stopped at the end of the maintenance window (2026-12-05T03:00:00Z)"),
            kTargetPending);
  EXPECT_EQ(target_state_after_run("failed",
                                   "the maintenance window closed at "
                                   "2026-12-05T03:00:00Z before the run could start"),
            kTargetPending);
  EXPECT_EQ(target_state_after_run("failed", "guard refused: 2 differences"), kTargetFailed);
}

TEST(StageGate, QueuesUpToParallelInNameOrder) {
  std::vector<StageTarget> t = {
      {"d3", "pending"}, {"d1", "pending"}, {"d2", "pending"}, {"d4", "pending"}};
  auto p = plan_stage(t, 2);
  EXPECT_EQ(p.gate, StagePlan::Gate::open);
  EXPECT_EQ(p.to_queue, (std::vector<std::string>{"d1", "d2"}));
  t = {{"d1", "queued"}, {"d2", "stamped"}, {"d3", "pending"}, {"d4", "pending"}};
  EXPECT_EQ(plan_stage(t, 2).to_queue, (std::vector<std::string>{"d3"}));
  t = {{"d1", "queued"}, {"d2", "queued"}, {"d3", "pending"}};
  EXPECT_TRUE(plan_stage(t, 2).to_queue.empty());
}

TEST(StageGate, PassesOnlyWhenEveryTargetIsStamped) {
  std::vector<StageTarget> t = {{"a", "stamped"}, {"b", "stamped"}};
  EXPECT_EQ(plan_stage(t, 1).gate, StagePlan::Gate::passed);
  t.push_back({"c", "queued"});
  EXPECT_EQ(plan_stage(t, 1).gate, StagePlan::Gate::open);
  // A target found after the others passed holds the gate until it is stamped too.
  t.back().state = "pending";
  auto p = plan_stage(t, 1);
  EXPECT_EQ(p.gate, StagePlan::Gate::open);
  EXPECT_EQ(p.to_queue, (std::vector<std::string>{"c"}));
}

TEST(StageGate, AFailedTargetStopsTheStage) {
  std::vector<StageTarget> t = {
      {"s2", "failed"}, {"s1", "stamped"}, {"s3", "pending"}, {"s0", "failed"}};
  auto p = plan_stage(t, 4);
  EXPECT_EQ(p.gate, StagePlan::Gate::failed);
  EXPECT_TRUE(p.to_queue.empty());  // nothing more is queued in a stopped stage
  EXPECT_EQ(p.failed, (std::vector<std::string>{"s0", "s2"}));
}

TEST(StageGate, SoakStartsWhenTheGatePasses) {
  auto t0 = chr::sys_seconds{chr::seconds(1'800'000'000)};
  EXPECT_FALSE(soak_over(t0, chr::minutes(10), t0 + chr::minutes(9)));
  EXPECT_TRUE(soak_over(t0, chr::minutes(10), t0 + chr::minutes(10)));
  EXPECT_TRUE(soak_over(t0, chr::seconds(0), t0));
}

TEST(GuardDifferences, TheDetailLinesOfARefusedStamp) {
  std::string error =
      "pg_squash: refusing to stamp: the live schema differs from snapshot 'squashd_r1'\n"
      "DETAIL:  2 differences between snapshot 'squashd_r1' and the live schema:\n"
      "table public.extra: added\n"
      "column public.item.note: added\n"
      "HINT:  SELECT * FROM squash_diff('squashd_r1'); lists every difference";
  EXPECT_EQ(guard_differences(error), (std::vector<std::string>{"table public.extra: added",
                                                                "column public.item.note: added"}));
  EXPECT_TRUE(guard_differences("validation failed after the stamp (1 fail)").empty());
  EXPECT_TRUE(guard_differences("").empty());
}

TEST(Templates, EachDatabaseIsATargetNamedAfterIt) {
  config::TargetTemplate tpl;
  tpl.name = "tenants";
  tpl.conninfo = "host=/tmp port=5432 user=squashd";
  tpl.backup_dir = "/var/backups/tenants";
  tpl.passfile = "/etc/squashd/pgpass";
  tpl.keep_last = 3;
  auto t = template_target(tpl, "dev_01");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->name, "dev_01");
  EXPECT_EQ(t->conninfo, "host=/tmp port=5432 user=squashd dbname='dev_01'");
  EXPECT_EQ(t->backup_dir, "/var/backups/tenants/dev_01");
  EXPECT_EQ(t->passfile, tpl.passfile);
  EXPECT_EQ(t->keep_last, 3);
  EXPECT_FALSE(template_target(tpl, "with space"));
  EXPECT_FALSE(template_target(tpl, ".."));
  EXPECT_FALSE(template_target(tpl, "quote'd"));
  EXPECT_EQ(conninfo_with_dbname("", "a'b\\c"), "dbname='a\\'b\\\\c'");
}

TEST(Templates, ConfiguredTargetsAreNeverReplaced) {
  config::Config cfg;
  cfg.targets.push_back(config::Target{});
  cfg.targets.back().name = "prod_01";
  config::TargetTemplate tpl;
  tpl.name = "tenants";
  auto e = expand_databases(cfg, tpl, {"prod_02", "prod_01", "bad name", "dev_01"});
  EXPECT_EQ(e.targets, (std::vector<std::string>{"dev_01", "prod_02"}));
  ASSERT_EQ(e.skipped.size(), 2u);
  EXPECT_NE(e.skipped[0].find("prod_01: a [[target]] of that name is configured"),
            std::string::npos);
  EXPECT_NE(e.skipped[1].find("bad name: not a target name"), std::string::npos);
}

TEST(Templates, TheQueryTakesBothPatternsAsParameters) {
  std::string q = kTemplateDatabases;
  EXPECT_NE(q.find("datname LIKE $1 AND datname LIKE $2"), std::string::npos);
  EXPECT_NE(q.find("NOT datistemplate"), std::string::npos);
}

TEST(ControlSchema, VersionTwoAddsTargetsAndRollouts) {
  EXPECT_EQ(known_schema_version(), 2);
  std::string all;
  for (auto& m : migrations())
    if (m.version == 2)
      for (auto& s : m.statements) all += s + "\n";
  for (auto* table :
       {"squashd_control.targets", "squashd_control.rollouts", "squashd_control.rollout_targets"})
    EXPECT_NE(all.find(std::string("CREATE TABLE ") + table), std::string::npos) << table;
}

}  // namespace
}  // namespace squash::control
