// The job specification: the same parameter checks answer POST /v1/runs (the run
// manager's invalid, which the API sends as 400) and schedule params (file:line:column).
#include <gtest/gtest.h>

#include <memory>

#include <fmt/format.h>

#include "config/config.hpp"
#include "jobspec/job_spec.hpp"
#include "runs/manager.hpp"
#include "test_util.hpp"

namespace squash {
namespace {

using nlohmann::json;

std::vector<std::string> problems(std::string_view job, const json& params) {
  std::vector<std::string> out;
  for (auto& p : jobs::check_params(*jobs::find_job(job), params)) out.push_back(p.message);
  return out;
}

TEST(JobSpec, EveryJobNameRoundTrips) {
  for (auto& j : jobs::job_specs()) {
    EXPECT_EQ(jobs::to_string(j.kind), j.name);
    EXPECT_EQ(jobs::parse_job_kind(j.name), j.kind);
    EXPECT_EQ(&jobs::spec_of(j.kind), &j);
  }
  EXPECT_FALSE(jobs::parse_job_kind("vacuum"));
  EXPECT_EQ(jobs::find_job("vacuum"), nullptr);
}

TEST(JobSpec, ChecksTypesRequiredAndUnknownNames) {
  EXPECT_TRUE(problems("backup", json::object()).empty());
  EXPECT_TRUE(problems("stamp", {{"revision", "000_squashed"}, {"expect", "x"}}).empty());
  EXPECT_TRUE(problems("refresh-views", {{"concurrently", false}}).empty());
  EXPECT_EQ(problems("refresh-views", {{"concurrently", "yes"}}),
            std::vector<std::string>{"params.concurrently must be a boolean, not a string"});
  EXPECT_EQ(problems("stamp", json::object()),
            std::vector<std::string>{"params.revision is required (the squashed revision id, e.g. "
                                     "000_squashed_complete)"});
  // A typo is reported once, as a typo, not again as a missing parameter.
  EXPECT_EQ(problems("stamp", {{"revison", "r1"}}),
            std::vector<std::string>{"unknown param 'revison' (did you mean 'revision'?)"});
  EXPECT_EQ(problems("backup", {{"revision", "r1"}}),
            std::vector<std::string>{"unknown param 'revision' (job 'backup' takes none)"});
  EXPECT_EQ(problems("rebuild", {{"revision", "r 1"}, {"squashed_sql", "x.sql"}}),
            (std::vector<std::string>{
                "params.revision 'r 1' is not a revision id (1-128 characters, no whitespace or "
                "control characters)",
                "params.squashed_sql must be an absolute path, not the relative path 'x.sql'"}));
  EXPECT_EQ(problems("validate", {{"expect", 3}}),
            std::vector<std::string>{"params.expect must be a string, not an integer"});
}

TEST(JobSpec, TypedReadsOnlyOfDeclaredParameters) {
  jobs::JobParams p(jobs::spec_of(jobs::JobKind::refresh_views), {{"concurrently", false}});
  EXPECT_EQ(p.flag("concurrently"), false);
  EXPECT_THROW(p.text("concurrently"), std::logic_error);
  EXPECT_THROW(p.text("revision"), std::logic_error);
  jobs::JobParams stamp(jobs::spec_of(jobs::JobKind::stamp), {{"revision", "r1"}});
  EXPECT_EQ(stamp.text("revision"), "r1");
  EXPECT_EQ(stamp.text("expect"), std::nullopt);
  jobs::JobParams bad(jobs::spec_of(jobs::JobKind::stamp), {{"revision", true}});
  EXPECT_THROW(bad.text("revision"), std::invalid_argument);
}

TEST(JobSpec, ABadParameterIsRefusedAtSubmitNamingItAndTheJob) {
  testing::TempDir tmp;
  auto cfg = std::make_shared<config::Config>();
  config::Target target;
  target.name = "kidney";
  target.conninfo = "dbname=kidney";
  target.backup_dir = tmp / "backups";
  cfg->targets.push_back(target);
  std::shared_ptr<const config::Config> config = cfg;
  runs::RunManager manager(
      tmp.path.string(), [](std::function<void()> f) { f(); }, [&] { return config; },
      process::PgTools{});
  auto r = manager.submit({"kidney", "refresh-views", {{"concurrently", "yes"}}}, "api",
                          std::nullopt, false);
  EXPECT_EQ(r.kind, runs::Submitted::Kind::invalid);
  EXPECT_EQ(r.message, "job 'refresh-views': params.concurrently must be a boolean, not a string");
  r = manager.submit({"kidney", "rebuild", {{"revision", "r1"}}}, "api", std::nullopt, false);
  EXPECT_EQ(r.kind, runs::Submitted::Kind::invalid);
  EXPECT_NE(r.message.find("job 'rebuild': params.squashed_sql is required"), std::string::npos)
      << r.message;
  EXPECT_TRUE(manager.list().empty());
}

// The one error of a config whose only schedule runs job with the given params line.
std::string schedule_error(std::string_view job, std::string_view params_line) {
  static scheduler::TimeZoneDb zones;
  auto r = config::parse_config(
      fmt::format("[[target]]\nname = \"kidney\"\nconninfo = \"dbname=k\"\nbackup_dir = \"/b/k\"\n"
                  "[[schedule]]\ntarget = \"kidney\"\njob = \"{}\"\ncron = \"@daily\"\n{}",
                  job, params_line),
      "squashd.toml", zones);
  return r.errors.size() == 1 ? r.errors[0].to_string() : fmt::format("{} errors", r.errors.size());
}

TEST(JobSpec, TheSameParameterInAScheduleIsAConfigErrorWithItsPosition) {
  EXPECT_EQ(schedule_error("refresh-views", "params = { concurrently = \"yes\" }\n"),
            "squashd.toml:9:27: error: params.concurrently must be a boolean, not a string");
  EXPECT_EQ(schedule_error("stamp", ""),
            "squashd.toml:5:1: error: job 'stamp': params.revision is required (the squashed "
            "revision id, e.g. 000_squashed_complete)");
  EXPECT_EQ(schedule_error("backup", "params = { expect = \"x\" }\n"),
            "squashd.toml:9:12: error: unknown key 'expect' in params (job 'backup' takes none)");
}

}  // namespace
}  // namespace squash
