// Pure logic of runs: retention, journal, manifests, windows and schedules (virtual
// time), metrics, connect back-off, and child processes.
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include <fmt/format.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.hpp"
#include "db/connection.hpp"
#include "jobs/extension_jobs.hpp"
#include "jobs/manifest.hpp"
#include "jobs/retention.hpp"
#include "journal/journal.hpp"
#include "process/child.hpp"
#include "process/pg_tools.hpp"
#include "client/runs_view.hpp"
#include "runs/counters.hpp"
#include "jobs/progress_estimate.hpp"
#include "runs/manager.hpp"
#include "runs/metrics.hpp"
#include "runs/target_lock.hpp"
#include "runtime/planner.hpp"
#include "scheduler/window.hpp"
#include "test_util.hpp"
#include "util/files.hpp"
#include "util/sha256.hpp"

namespace squash {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::iso;
using testing::utc;

using Tmp = testing::TempDir;

// --- retention

std::vector<std::string> expire(std::vector<jobs::RetentionCandidate> c, jobs::RetentionPolicy p,
                                std::chrono::sys_seconds now) {
  auto v = jobs::select_expired(std::move(c), p, now);
  std::sort(v.begin(), v.end());
  return v;
}

TEST(Retention, KeepLastCountsNewestByCompletionTime) {
  auto now = utc(2026, 3, 10);
  // Names deliberately not in time order: completion time decides.
  std::vector<jobs::RetentionCandidate> c = {{"a", utc(2026, 3, 9), false},
                                             {"b", utc(2026, 3, 5), false},
                                             {"c", utc(2026, 3, 8), false},
                                             {"d", utc(2026, 3, 1), false},
                                             {"e", utc(2026, 3, 7), false}};
  EXPECT_EQ(expire(c, {3, 0, 1}, now), (std::vector<std::string>{"b", "d"}));
}

TEST(Retention, KeepDaysButNeverBelowMinKeep) {
  auto now = utc(2026, 3, 31);
  std::vector<jobs::RetentionCandidate> c = {{"old1", utc(2026, 1, 1), false},
                                             {"old2", utc(2026, 1, 2), false},
                                             {"old3", utc(2026, 1, 3), false}};
  // All are older than 30 days; min_keep 2 keeps the two newest.
  EXPECT_EQ(expire(c, {7, 30, 2}, now), (std::vector<std::string>{"old1"}));
  // Exactly keep_days old is still kept.
  std::vector<jobs::RetentionCandidate> edge = {
      {"x", now - 24h * 30, false}, {"y", now - 24h * 30 - 1s, false}, {"z", now, false}};
  EXPECT_EQ(expire(edge, {7, 30, 1}, now), (std::vector<std::string>{"y"}));
}

TEST(Retention, PinnedAreKeptAndDoNotCount) {
  auto now = utc(2026, 3, 31);
  std::vector<jobs::RetentionCandidate> c = {{"p1", utc(2020, 1, 1), true},
                                             {"n1", utc(2026, 3, 30), false},
                                             {"p2", utc(2026, 3, 29), true},
                                             {"n2", utc(2026, 3, 28), false},
                                             {"n3", utc(2026, 3, 27), false}};
  EXPECT_EQ(expire(c, {2, 0, 1}, now), (std::vector<std::string>{"n3"}));
}

// --- journal

api::Run sample_run(std::uint64_t seq, std::string state) {
  api::Run r;
  r.seq = seq;
  r.id = journal::make_run_id(utc(2026, 11, 24, 2), "kidney", "backup", seq);
  r.target = "kidney";
  r.job = "backup";
  r.state = std::move(state);
  r.queued_at = iso(utc(2026, 11, 24, 2));
  return r;
}

TEST(Journal, RunIdsAreMonotonicAndReadable) {
  EXPECT_EQ(journal::make_run_id(utc(2026, 11, 24, 2, 0, 0), "kidney", "backup", 17),
            "20261124T020000Z-kidney-backup-17");
  EXPECT_TRUE(jobs::is_backup_name_of("20261124T020000Z-kidney-backup-17", "kidney"));
  EXPECT_TRUE(jobs::is_backup_name_of("20261124T020000Z-kidney-backup-17.partial", "kidney"));
  EXPECT_FALSE(jobs::is_backup_name_of("notes", "kidney"));
}

TEST(Journal, ReconcileMarksUnfinishedRunsInterrupted) {
  auto r = sample_run(1, api::kRunning);
  r.started_at = r.queued_at;
  r.steps.push_back({"dump-full", api::kRunning, r.queued_at, {}, {}, {}, {}, {}});
  EXPECT_TRUE(journal::reconcile(r, "2026-11-24T03:00:00Z"));
  EXPECT_EQ(r.state, api::kInterrupted);
  EXPECT_EQ(r.steps[0].state, api::kInterrupted);
  EXPECT_NE(r.error->find("during step dump-full"), std::string::npos);
  auto q = sample_run(2, api::kQueued);
  EXPECT_TRUE(journal::reconcile(q, "2026-11-24T03:00:00Z"));
  EXPECT_EQ(q.state, api::kInterrupted);
  for (auto* s : {api::kSucceeded, api::kFailed, api::kCancelled, api::kInterrupted}) {
    auto f = sample_run(3, s);
    EXPECT_FALSE(journal::reconcile(f, "2026-11-24T03:00:00Z"));
    EXPECT_EQ(f.state, s);
  }
}

TEST(Journal, WritesDurablyAndLoadsInOrder) {
  Tmp dir;
  journal::Journal j(dir / "runs");
  j.write(sample_run(2, api::kSucceeded));
  j.write(sample_run(1, api::kRunning));
  std::ofstream(dir / "runs/garbage.json") << "{not json";
  std::vector<std::string> problems;
  auto runs = j.load(&problems);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].seq, 1u);
  EXPECT_EQ(runs[1].state, api::kSucceeded);
  EXPECT_EQ(problems.size(), 1u);
  struct stat st {};
  ASSERT_EQ(::stat(j.path_of(runs[0].id).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(fs::exists(j.path_of(runs[0].id) + ".tmp." + std::to_string(::getpid())));
}

TEST(Journal, AverageStepDurationFromHistory) {
  std::vector<api::Run> runs;
  for (int i = 1; i <= 7; ++i) {
    auto r = sample_run(static_cast<std::uint64_t>(i), api::kSucceeded);
    api::Step s{"dump-full", api::kSucceeded, r.queued_at, {}, 10.0 * i, {}, {}, {}};
    r.steps.push_back(s);
    runs.push_back(r);
  }
  auto failed = sample_run(8, api::kFailed);
  failed.steps.push_back({"dump-full", api::kFailed, failed.queued_at, {}, 1.0, {}, {}, {}});
  runs.push_back(failed);
  // The last five successes: 30..70 s.
  EXPECT_DOUBLE_EQ(*journal::average_step_seconds(runs, "kidney", "dump-full"), 50.0);
  EXPECT_FALSE(journal::average_step_seconds(runs, "other", "dump-full"));
  EXPECT_FALSE(journal::average_step_seconds(runs, "kidney", "verify"));
}

// --- manifests

TEST(Manifest, WriteCheckAndDetectTampering) {
  Tmp dir;
  auto b = dir / "20261124T020000Z-kidney-backup-1";
  fs::create_directories(b);
  std::ofstream(b + "/full.dump") << "dump bytes";
  std::ofstream(b + "/revision.txt") << "abc\n";
  jobs::Manifest m;
  m.run_id = "20261124T020000Z-kidney-backup-1";
  m.target = "kidney";
  m.started_at = "2026-11-24T02:00:00Z";
  m.completed_at = "2026-11-24T02:03:00Z";
  m.revisions = {"abc"};
  for (auto name : {"full.dump", "revision.txt"}) {
    auto d = util::sha256_file(b + "/" + name);
    m.files.push_back({name, "custom", "full", d.size, d.sha256});
  }
  EXPECT_EQ(util::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // Not yet verified: not a backup.
  jobs::write_manifest(b, m);
  EXPECT_FALSE(jobs::check_backup(b, "kidney", true).verified);
  m.verified = true;
  jobs::write_manifest(b, m);
  auto c = jobs::check_backup(b, "kidney", true);
  ASSERT_TRUE(c.verified) << c.problem;
  EXPECT_EQ(*c.completed, utc(2026, 11, 24, 2, 3));
  EXPECT_EQ(c.manifest->revisions, std::vector<std::string>{"abc"});
  // Same size, different bytes: only the checksum sees it.
  std::ofstream(b + "/full.dump") << "dump BYTES";
  EXPECT_TRUE(jobs::check_backup(b, "kidney", false).verified);
  auto bad = jobs::check_backup(b, "kidney", true);
  EXPECT_FALSE(bad.verified);
  EXPECT_NE(bad.problem.find("SHA-256 mismatch"), std::string::npos);
  fs::remove(b + "/revision.txt");
  EXPECT_NE(jobs::check_backup(b, "kidney", false).problem.find("missing"), std::string::npos);
  // A partial directory is never a backup, whatever it holds.
  fs::rename(b, b + ".partial");
  auto scan = jobs::scan_backups(dir.path.string(), "kidney", false);
  ASSERT_EQ(scan.size(), 1u);
  EXPECT_TRUE(scan[0].partial);
  EXPECT_FALSE(scan[0].verified);
}

TEST(Manifest, SameDataIgnoresTheVersionTable) {
  using nlohmann::json;
  json a = json::array({{{"relation", "public.gene"}, {"row_count", 3}, {"hash", "h1"}},
                        {{"relation", "public.alembic_version"}, {"row_count", 1}, {"hash", "x"}}});
  json b = json::array({{{"relation", "public.gene"}, {"row_count", 3}, {"hash", "h1"}},
                        {{"relation", "public.alembic_version"}, {"row_count", 1}, {"hash", "y"}}});
  std::string why;
  EXPECT_TRUE(jobs::same_data(a, b, &why));
  b[0]["hash"] = "h2";
  EXPECT_FALSE(jobs::same_data(a, b, &why));
  EXPECT_NE(why.find("public.gene"), std::string::npos);
}

// --- windows and schedules with virtual time

TEST(Window, StepRefusedWhenHistorySaysItCannotFinish) {
  using clock = std::chrono::system_clock;
  clock::time_point now = utc(2026, 3, 7, 3, 40);
  auto end = clock::time_point(utc(2026, 3, 7, 4, 0));
  EXPECT_FALSE(scheduler::step_refusal("step dump-full", 600.0, now, end));         // 10 of 20 min
  EXPECT_FALSE(scheduler::step_refusal("step dump-full", std::nullopt, now, end));  // no history
  EXPECT_FALSE(scheduler::step_refusal("step dump-full", 1e9, now, std::nullopt));  // no window
  auto refusal = scheduler::step_refusal("step dump-full", 1500.0, now, end);
  ASSERT_TRUE(refusal);
  EXPECT_NE(refusal->find("25m00s"), std::string::npos) << *refusal;
  EXPECT_NE(refusal->find("closes in 20m00s"), std::string::npos) << *refusal;
  EXPECT_TRUE(scheduler::step_refusal("x", std::nullopt, end, end));  // already closed
}

config::Config schedule_config(const std::string& cron, const std::string& window) {
  static scheduler::TimeZoneDb zones;
  auto text = fmt::format(R"([[target]]
name = "kidney"
conninfo = "dbname=k"
backup_dir = "/b"
[[schedule]]
target = "kidney"
job = "backup"
cron = "{}"
timezone = "Europe/Berlin"
window = "{}"
)",
                          cron, window);
  auto r = config::parse_config(text, "t.toml", zones);
  EXPECT_TRUE(r.config) << (r.errors.empty() ? "" : r.errors[0].to_string());
  return *r.config;
}

TEST(Planner, StartsOnTimeWithTheWindowAndSkipsMissedTimes) {
  auto cfg = schedule_config("0 2 * * *", "2h");  // 02:00 Berlin = 01:00Z in winter
  runtime::Planner p;
  p.reset(cfg, utc(2026, 1, 10, 12));
  EXPECT_EQ(*p.next_wakeup(), utc(2026, 1, 11, 1));
  std::vector<runtime::Planner::Missed> missed;
  EXPECT_TRUE(p.due(cfg, utc(2026, 1, 11, 0, 59, 59), &missed).empty());
  auto due = p.due(cfg, utc(2026, 1, 11, 1, 0, 0), &missed);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].window_end, utc(2026, 1, 11, 3));
  EXPECT_TRUE(p.due(cfg, utc(2026, 1, 11, 1, 0, 1), &missed).empty());  // once only
  EXPECT_EQ(*p.next_wakeup(), utc(2026, 1, 12, 1));
  // Late but inside the window (e.g. the machine was suspended): starts, with what is left.
  due = p.due(cfg, utc(2026, 1, 12, 2, 30), &missed);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].window_end, utc(2026, 1, 12, 3));
  EXPECT_TRUE(missed.empty());
  // Five days later: no storm — the missed times are reported once, nothing starts.
  due = p.due(cfg, utc(2026, 1, 17, 12), &missed);
  EXPECT_TRUE(due.empty());
  ASSERT_EQ(missed.size(), 1u);
  EXPECT_EQ(missed[0].count, 5);
  EXPECT_EQ(missed[0].first, utc(2026, 1, 13, 1));
  EXPECT_EQ(missed[0].last, utc(2026, 1, 17, 1));
  EXPECT_EQ(*p.next_wakeup(), utc(2026, 1, 18, 1));
}

TEST(Planner, DaylightSavingAndCountingMissedAtBoot) {
  auto cfg = schedule_config("30 2 * * *", "1h");
  runtime::Planner p;
  // 2026-03-29: 02:30 does not exist in Berlin; Vixie runs it at 03:00 CEST = 01:00Z.
  p.reset(cfg, utc(2026, 3, 28, 12));
  EXPECT_EQ(*p.next_wakeup(), utc(2026, 3, 29, 1));
  auto m = runtime::count_missed(cfg.schedules[0], 0, utc(2026, 3, 1), utc(2026, 3, 4, 12));
  EXPECT_EQ(m.count, 4);  // 1, 2, 3 and 4 March at 01:30Z
}

// --- metrics

TEST(Metrics, PrometheusText) {
  std::vector<api::Run> runs;
  auto ok = sample_run(1, api::kSucceeded);
  ok.finished_at = "2026-11-24T02:10:00Z";
  ok.backup_bytes = 12345;
  ok.steps.push_back({"dump-full", api::kSucceeded, ok.queued_at, {}, 4.5, {}, {}, {}});
  ok.steps.push_back({"retention", api::kSucceeded, ok.queued_at, {}, 100.0, {}, {}, {}});
  runs.push_back(ok);
  auto bad = sample_run(2, api::kFailed);
  bad.finished_at = "2026-11-24T03:00:00Z";
  runs.push_back(bad);
  runs.push_back(sample_run(3, api::kRunning));
  runs::Counters::Values counters;
  for (const auto& r : runs) runs::Counters::add(counters, r);
  auto text = runs::render_metrics(runs, counters, 1700000000, "0.1.0");
  EXPECT_NE(text.find("# TYPE squashd_runs_total counter\n"), std::string::npos);
  EXPECT_NE(
      text.find("squashd_runs_total{target=\"kidney\",job=\"backup\",outcome=\"succeeded\"} 1\n"),
      std::string::npos);
  EXPECT_NE(
      text.find("squashd_runs_total{target=\"kidney\",job=\"backup\",outcome=\"failed\"} 1\n"),
      std::string::npos);
  EXPECT_NE(text.find("squashd_runs_running 1\n"), std::string::npos);
  EXPECT_NE(text.find("squashd_last_success_timestamp_seconds{target=\"kidney\",job=\"backup\"} "
                      "1795486200\n"),
            std::string::npos);
  EXPECT_NE(text.find("squashd_backup_size_bytes{target=\"kidney\"} 12345\n"), std::string::npos);
  EXPECT_NE(text.find("squashd_backup_duration_seconds{target=\"kidney\"} 4.500\n"),
            std::string::npos);
  EXPECT_EQ(runs::escape_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(text.back(), '\n');
}

// --- counters: only ever up

// Every `*_total` sample of a /metrics text: "name{labels}" → value.
std::map<std::string, std::uint64_t> totals_of(const std::string& text) {
  std::map<std::string, std::uint64_t> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    auto brace = line.find('{');
    if (line.empty() || line[0] == '#' || brace == std::string::npos || brace < 6 ||
        line.compare(brace - 6, 6, "_total") != 0)
      continue;
    auto space = line.rfind(' ');
    out[line.substr(0, space)] = std::stoull(line.substr(space + 1));
  }
  return out;
}

void expect_not_lower(const std::map<std::string, std::uint64_t>& before,
                      const std::map<std::string, std::uint64_t>& after) {
  for (const auto& [name, value] : before) {
    auto it = after.find(name);
    ASSERT_NE(it, after.end()) << name << " is gone";
    EXPECT_GE(it->second, value) << name;
  }
}

api::Run probed_run(std::uint64_t seq, std::string state, bool probe_ok) {
  auto r = sample_run(seq, std::move(state));
  r.finished_at = "2026-11-24T02:10:00Z";
  r.probes.push_back(
      {"api", "http", "http://x/", "probe", probe_ok, r.queued_at, 0.1, 200, {}, {}});
  return r;
}

TEST(Counters, SurviveJournalPruningAndRestarts) {
  Tmp tmp;
  journal::Journal journal(tmp / "runs");
  util::ensure_dir(journal.dir());
  auto path = tmp / "counters.json";
  runs::Counters::Values before;
  {
    runs::Counters c(path);
    c.load({});
    for (std::uint64_t seq = 1; seq <= 6; ++seq) {
      auto r = probed_run(seq, seq % 3 ? api::kSucceeded : api::kFailed, seq % 2 == 0);
      journal.write(r);
      c.count(r);
      c.count(r);  // a run counts once
    }
    before = c.values();
  }
  using Key = runs::Counters::Key;
  EXPECT_EQ((before[Key{"squashd_runs_total",
                        {{"target", "kidney"}, {"job", "backup"}, {"outcome", "succeeded"}}}]),
            4u);
  EXPECT_EQ((before[Key{"squashd_probe_failures_total", {{"target", "kidney"}, {"probe", "api"}}}]),
            3u);

  // Restarted with a journal pruned to its 2 newest runs, and a run the old process
  // journaled but died before counting.
  auto kept = journal.load();
  journal.prune(kept, 2);
  ASSERT_EQ(journal.load().size(), 2u);
  auto late = probed_run(7, api::kCancelled, false);
  journal.write(late);
  kept.push_back(late);
  runs::Counters again(path);
  again.load(kept);
  again.forget_except(kept);
  auto after = again.values();
  for (const auto& [key, value] : before) EXPECT_GE(after[key], value) << key.first;
  EXPECT_EQ((after[Key{"squashd_runs_total",
                       {{"target", "kidney"}, {"job", "backup"}, {"outcome", "cancelled"}}}]),
            1u);
  EXPECT_EQ((after[Key{"squashd_probe_failures_total", {{"target", "kidney"}, {"probe", "api"}}}]),
            4u);
  // Another restart changes nothing: no run is counted twice.
  runs::Counters third(path);
  third.load(journal.load());
  EXPECT_EQ(third.values(), after);
}

// The whole path: RunManager journals and counts, restarts from its state_dir after the
// journal lost runs, and /metrics never shows a lower *_total.
TEST(Counters, MetricsOfARestartedManagerNeverGoDown) {
  Tmp tmp;
  auto config = std::make_shared<const config::Config>();
  auto manager = [&] {
    return std::make_unique<runs::RunManager>(
        tmp.path.string(), [](std::function<void()> f) { f(); }, [&] { return config; },
        process::PgTools{});
  };
  journal::Journal journal((tmp.path / "runs").string());
  util::ensure_dir(journal.dir());
  for (std::uint64_t seq = 1; seq <= 5; ++seq)
    journal.write(probed_run(seq, api::kSucceeded, seq != 3));
  auto running = sample_run(6, api::kRunning);  // squashd died under it
  running.started_at = running.queued_at;
  journal.write(running);

  std::map<std::string, std::uint64_t> before;
  {
    auto m = manager();
    m->recover();
    before = totals_of(m->metrics_text());
  }
  EXPECT_EQ(before["squashd_runs_total{target=\"kidney\",job=\"backup\",outcome=\"succeeded\"}"],
            5u);
  EXPECT_EQ(before["squashd_runs_total{target=\"kidney\",job=\"backup\",outcome=\"interrupted\"}"],
            1u);
  EXPECT_EQ(before["squashd_probe_failures_total{target=\"kidney\",probe=\"api\"}"], 1u);

  // The journal loses its oldest runs (pruning), squashd restarts twice.
  for (std::uint64_t seq = 1; seq <= 4; ++seq)
    fs::remove(journal.path_of(probed_run(seq, api::kSucceeded, true).id));
  for (int restart = 0; restart < 2; ++restart) {
    auto m = manager();
    m->recover();
    auto after = totals_of(m->metrics_text());
    expect_not_lower(before, after);
    EXPECT_EQ(after, before);
  }
}

// A sink that keeps what is logged, for the duration of a test.
struct CapturedLog {
  CapturedLog() : sink(std::make_shared<spdlog::sinks::ostream_sink_mt>(text)) {
    previous = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>("captured", sink);
    logger->set_pattern("%l %v");
    spdlog::set_default_logger(logger);
  }
  ~CapturedLog() { spdlog::set_default_logger(previous); }
  std::ostringstream text;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink;
  std::shared_ptr<spdlog::logger> previous;
};

TEST(Counters, ACorruptFileIsReportedAndSetAside) {
  Tmp tmp;
  auto path = tmp / "counters.json";
  std::ofstream(path) << "{\"format\": 1, \"counters\": [{\"name\": \"squashd_runs_t";
  std::vector<api::Run> journal{probed_run(1, api::kSucceeded, true),
                                probed_run(2, api::kFailed, false)};
  CapturedLog log;
  runs::Counters c(path);
  EXPECT_NO_THROW(c.load(journal));
  auto text = log.text.str();
  EXPECT_NE(text.find("error metrics: the counters file " + path + " is corrupt ("),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("kept as " + path + ".corrupt"), std::string::npos) << text;
  EXPECT_TRUE(fs::exists(path + ".corrupt"));
  // Counting starts again from the journal, and the new file is whole.
  auto values = c.values();
  EXPECT_EQ((values[{"squashd_runs_total",
                     {{"target", "kidney"}, {"job", "backup"}, {"outcome", "failed"}}}]),
            1u);
  runs::Counters reread(path);
  reread.load(journal);
  EXPECT_EQ(reread.values(), values);
  EXPECT_EQ(log.text.str(), text);  // read without complaint
}

// --- back-off

TEST(Backoff, ExponentialAndBounded) {
  using ms = std::chrono::milliseconds;
  EXPECT_EQ(db::backoff_delay(2, ms(1000), ms(30000)), ms(1000));
  EXPECT_EQ(db::backoff_delay(3, ms(1000), ms(30000)), ms(2000));
  EXPECT_EQ(db::backoff_delay(5, ms(1000), ms(30000)), ms(8000));
  EXPECT_EQ(db::backoff_delay(12, ms(1000), ms(30000)), ms(30000));
}

TEST(Backoff, RetriesThenFailsClearly) {
  process::Stop stop;
  int calls = 0;
  std::vector<int> retried;
  db::RetryPolicy policy{3, std::chrono::milliseconds(1), std::chrono::milliseconds(2)};
  try {
    db::connect_with_retry(
        [&]() -> db::Connection {
          ++calls;
          throw db::PgError("connection refused");
        },
        policy, stop, [&](int attempt, auto, const std::string&) { retried.push_back(attempt); });
    FAIL() << "no exception";
  } catch (const db::PgError& e) {
    EXPECT_STREQ(e.what(), "cannot connect after 3 attempts: connection refused");
  }
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(retried, (std::vector<int>{1, 2}));
  stop.request(process::StopReason::cancelled);
  EXPECT_THROW(
      db::connect_with_retry([&]() -> db::Connection { throw db::PgError("x"); }, policy, stop),
      db::Stopped);
}

TEST(Conninfo, ReplacesTheDatabase) {
  EXPECT_EQ(db::with_dbname("host=/run/postgresql dbname=kidney user=squash", "postgres"),
            "user='squash' host='/run/postgresql' dbname='postgres'");
  EXPECT_EQ(db::dbname_of("host=/tmp dbname=kidney"), "kidney");
  EXPECT_EQ(db::dbname_of("postgresql:///kid?host=/tmp"), "kid");
}

// --- children

process::ChildSpec shell(const std::string& script) {
  process::ChildSpec s;
  s.argv = {"/bin/sh", "-c", script};
  s.env = {"PATH=/usr/bin:/bin", "ONLY=this"};
  return s;
}

TEST(Child, CapturesOutputStatusAndOnlyTheGivenEnvironment) {
  process::Stop stop;
  auto r = process::run_child(shell("env; echo oops >&2; exit 3"), stop);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.stdout_text.find("ONLY=this"), std::string::npos);
  EXPECT_EQ(r.stdout_text.find("HOME="), std::string::npos);
  EXPECT_EQ(r.describe("sh"), "sh exited with status 3: oops");
  process::ChildSpec missing;
  missing.argv = {"/nonexistent/pg_dump"};
  auto m = process::run_child(missing, stop);
  EXPECT_NE(m.spawn_error.find("No such file"), std::string::npos);
}

TEST(Child, StreamsStdoutToAFileCountingBytes) {
  Tmp dir;
  process::Stop stop;
  auto spec = shell("head -c 300000 /dev/zero");
  spec.stdout_file = dir / "out";
  std::uint64_t last = 0;
  auto r = process::run_child(spec, stop, [&](std::uint64_t b) { last = b; });
  EXPECT_TRUE(r.ok()) << r.describe("sh");
  EXPECT_EQ(r.stdout_bytes, 300000u);
  EXPECT_EQ(last, 300000u);
  EXPECT_EQ(fs::file_size(dir / "out"), 300000u);
  struct stat st {};
  ::stat((dir / "out").c_str(), &st);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(Child, HashesStdoutAsItIsWritten) {
  Tmp dir;
  process::Stop stop;
  auto spec = shell("printf abc");
  spec.stdout_file = dir / "abc";
  auto r = process::run_child(spec, stop);
  ASSERT_TRUE(r.ok()) << r.describe("sh");
  EXPECT_EQ(r.stdout_sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // Many pipe reads: the streamed hash is the hash of the file on disk.
  spec = shell("seq 1 400000");
  spec.stdout_file = dir / "seq";
  r = process::run_child(spec, stop);
  ASSERT_TRUE(r.ok()) << r.describe("sh");
  auto disk = util::sha256_file(dir / "seq");
  EXPECT_EQ(r.stdout_sha256, disk.sha256);
  EXPECT_EQ(r.stdout_bytes, disk.size);
  // Captured output is not a file: no hash.
  EXPECT_EQ(process::run_child(shell("printf abc"), stop).stdout_sha256, "");
}

TEST(Sha256, StreamedInPiecesEqualsAtOnce) {
  std::string text;
  for (int i = 0; i < 10000; ++i) text += std::to_string(i * 7919) + ",";
  util::Sha256 h;
  for (std::size_t at = 0; at < text.size(); at += 777)
    h.update(text.data() + at, std::min<std::size_t>(777, text.size() - at));
  EXPECT_EQ(h.size(), text.size());
  EXPECT_EQ(h.finish(), util::sha256_hex(text));
  EXPECT_EQ(util::sha256_hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Child, AFullDiskStopsTheChildCleanly) {
  process::Stop stop;
  auto spec = shell("head -c 100000000 /dev/zero");
  spec.stdout_file = "/dev/full";
  auto r = process::run_child(spec, stop);
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.write_error.find("No space left on device"), std::string::npos) << r.write_error;
  EXPECT_EQ(r.stdout_sha256, "") << "no hash is given for bytes that were not written";
}

TEST(Child, StopKillsTheWholeProcessGroup) {
  Tmp dir;
  process::Stop stop;
  // The shell starts a grandchild that would outlive a plain kill of the shell.
  auto spec = shell("sleep 30 & echo $! > " + (dir / "pid") + "; wait");
  spec.term_grace = std::chrono::milliseconds(500);
  stop.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
  auto started = std::chrono::steady_clock::now();
  auto r = process::run_child(spec, stop);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_EQ(r.stopped, process::StopReason::window_closed);
  std::ifstream in(dir / "pid");
  int grandchild = 0;
  in >> grandchild;
  ASSERT_GT(grandchild, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  bool alive = ::kill(grandchild, 0) == 0;
  if (alive) {  // a zombie waiting for init is dead enough
    std::ifstream status("/proc/" + std::to_string(grandchild) + "/status");
    std::string line;
    while (std::getline(status, line))
      if (line.rfind("State:", 0) == 0) alive = line.find('Z') == std::string::npos;
  }
  EXPECT_FALSE(alive);
}

TEST(Child, PassfileCopyIsPrivateAndRemoved) {
  Tmp dir;
  std::ofstream(dir / "pgpass") << "*:*:*:*:secret\n";
  std::string path;
  {
    process::PrivatePassfile copy(dir / "pgpass", dir / "run", "r1");
    path = copy.path();
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    process::PgTools tools;
    auto env = process::pg_env(tools, path, "squashd backup");
    ASSERT_EQ(env.size(), 4u);
    EXPECT_EQ(env[3], "PGPASSFILE=" + path);
    for (auto& e : env) EXPECT_EQ(e.find("secret"), std::string::npos);
  }
  EXPECT_FALSE(fs::exists(path));
}

TEST(TargetLock, SecondHolderIsRefusedAndToldWho) {
  Tmp dir;
  auto first = runs::TargetLock::try_acquire(dir.path.string(), "kidney", "run-1");
  ASSERT_TRUE(first);
  std::string holder;
  EXPECT_FALSE(runs::TargetLock::try_acquire(dir.path.string(), "kidney", "run-2", &holder));
  EXPECT_NE(holder.find("\"run_id\":\"run-1\""), std::string::npos) << holder;
  EXPECT_TRUE(runs::TargetLock::try_acquire(dir.path.string(), "other", "run-3"));
  first.reset();
  EXPECT_TRUE(runs::TargetLock::try_acquire(dir.path.string(), "kidney", "run-4"));
}

// ---------------------------------------------------------------- progress estimate

api::Run backup_run(std::string id, std::uint64_t seq, std::string state, std::uint64_t bytes,
                    double seconds, std::string target = "kidney", std::string job = "backup") {
  api::Run r;
  r.id = std::move(id);
  r.seq = seq;
  r.target = std::move(target);
  r.job = std::move(job);
  r.state = std::move(state);
  api::Step s;
  s.name = "dump-full";
  s.state = r.state == api::kSucceeded ? api::kSucceeded : api::kFailed;
  s.seconds = seconds;
  s.progress = api::Progress{};
  s.progress->bytes = bytes;
  r.steps.push_back(s);
  return r;
}

TEST(progress_estimate, TheNewestSucceededRunOfTheSameTargetAndJob) {
  std::vector<api::Run> runs = {
      backup_run("r1", 1, api::kSucceeded, 1000, 10),
      backup_run("r3", 3, api::kSucceeded, 3000, 30),
      backup_run("r2", 2, api::kSucceeded, 2000, 20),
      backup_run("r4", 4, api::kFailed, 9000, 90),
      backup_run("r5", 5, api::kSucceeded, 7000, 70, "other"),
      backup_run("r6", 6, api::kSucceeded, 8000, 80, "kidney", "stamp"),
  };
  auto s = jobs::last_step_sample(runs, "kidney", "backup", "dump-full");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->run_id, "r3");
  EXPECT_EQ(s->bytes, 3000u);
  EXPECT_DOUBLE_EQ(s->seconds, 30);
  EXPECT_FALSE(jobs::last_step_sample(runs, "kidney", "backup", "dump-data"));
  EXPECT_FALSE(jobs::last_step_sample({}, "kidney", "backup", "dump-full"));
}

TEST(progress_estimate, PercentAndTimeLeft) {
  jobs::StepSample then{"r3", 1000, 10};
  auto first = jobs::estimate_progress(250, 2, 0, std::nullopt);  // no history
  EXPECT_EQ(first.bytes, 250u);
  EXPECT_DOUBLE_EQ(first.elapsed_seconds, 2);
  EXPECT_FALSE(first.percent);
  EXPECT_FALSE(first.eta_seconds);
  EXPECT_FALSE(first.expected_bytes);

  auto early = jobs::estimate_progress(250, 1, 0, then);  // no rate yet: the sample's
  EXPECT_DOUBLE_EQ(*early.percent, 25);
  EXPECT_DOUBLE_EQ(*early.eta_seconds, 7.5);
  EXPECT_EQ(*early.expected_bytes, 1000u);
  EXPECT_EQ(*early.estimated_from, "r3");

  auto measured = jobs::estimate_progress(500, 5, 50, then);  // the current rate wins
  EXPECT_DOUBLE_EQ(*measured.percent, 50);
  EXPECT_DOUBLE_EQ(*measured.eta_seconds, 10);

  auto larger = jobs::estimate_progress(1500, 15, 100, then);  // bigger than last time
  EXPECT_DOUBLE_EQ(*larger.percent, 99);
  EXPECT_FALSE(larger.eta_seconds);
}

TEST(progress_estimate, LinesOnATerminalAndInALog) {
  auto p =
      jobs::estimate_progress(512 * 1024, 5, 100 * 1024, jobs::StepSample{"r", 1024 * 1024, 10});
  EXPECT_EQ(client::progress_line(p, 10, 0),
            "[#####.....]  50%  512.0 KiB of 1.0 MiB  100.0 KiB/s  0:05 left");
  EXPECT_EQ(client::progress_text(p), "50%, 512.0 KiB of 1.0 MiB, 100.0 KiB/s, 0:05 left");
  auto first = jobs::estimate_progress(2048, 65, 1024, std::nullopt);
  EXPECT_NE(client::progress_text(first).find("2.0 KiB, 1.0 KiB/s, 1:05 elapsed"),
            std::string::npos)
      << client::progress_text(first);
  EXPECT_NE(client::progress_line(first, 10, 0).find("1:05 elapsed"), std::string::npos);
  EXPECT_EQ(client::clock_duration(3723), "1:02:03");
}

}  // namespace
}  // namespace squash
