// Retention on a real folder: what it deletes, what it keeps unread, and that it never
// touches what another target made; exact scratch database names; the unreadable gauge.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "jobs/backup.hpp"
#include "jobs/manifest.hpp"
#include "jobs/run_context.hpp"
#include "jobs/scratch.hpp"
#include "runs/metrics.hpp"
#include "test_util.hpp"
#include "util/files.hpp"

namespace squash {
namespace {

namespace fs = std::filesystem;
using testing::iso;
using testing::utc;

using Folder = testing::TempDir;

// A verified backup of target made by run `seq`, completed on day `day` of March 2026.
std::string make_backup(const Folder& dir, const std::string& target, int seq, unsigned day) {
  auto id = fmt::format("202603{:02}T020000Z-{}-backup-{}", day, target, seq);
  auto b = dir / id;
  fs::create_directories(b);
  std::ofstream(b + "/full.dump") << "dump of " << id;
  jobs::Manifest m;
  m.run_id = id;
  m.target = target;
  m.started_at = iso(utc(2026, 3, day, 2));
  m.completed_at = iso(utc(2026, 3, day, 2, 5));
  auto d = util::sha256_file(b + "/full.dump");
  m.files.push_back({"full.dump", "custom", "full", d.size, d.sha256});
  m.verified = true;
  jobs::write_manifest(b, m);
  return id;
}

struct Retention {
  explicit Retention(const Folder& backups, const Folder& state) {
    settings.target.name = "kidney";
    settings.target.backup_dir = backups.path.string();
    settings.target.keep_last = 1;
    settings.target.keep_days = 0;
    settings.target.min_keep = 1;
    settings.state_dir = state.path.string();
    run.id = "20260320T020000Z-kidney-backup-99";
    run.seq = 99;
    run.target = "kidney";
    run.job = "backup";
    run.state = api::kRunning;
    hooks.now = [] { return std::chrono::system_clock::time_point(utc(2026, 3, 20, 3)); };
  }
  api::Run apply() {
    hooks.publish = [this](const api::Run& r) { last = r; };
    hooks.persist = hooks.publish;
    jobs::RunContext ctx(run, settings, stop, hooks);
    jobs::apply_retention(ctx);
    return ctx.run();
  }
  jobs::RunSettings settings;
  api::Run run;
  process::Stop stop;
  jobs::RunHooks hooks;
  api::Run last;
};

TEST(BackupNames, OnlyTheTargetsOwnRunIds) {
  using jobs::is_backup_name_of;
  EXPECT_TRUE(is_backup_name_of("20261124T020000Z-kidney-backup-17", "kidney"));
  EXPECT_TRUE(is_backup_name_of("20261124T020000Z-kidney-rebuild-3.partial", "kidney"));
  EXPECT_TRUE(is_backup_name_of("20261124T020000Z-kid-ney-stamp-3", "kid-ney"));
  // Another target's, whose name starts or ends like this one's.
  EXPECT_FALSE(is_backup_name_of("20261124T020000Z-kidney2-backup-17", "kidney"));
  EXPECT_FALSE(is_backup_name_of("20261124T020000Z-kidney-backup-backup-17", "kidney"));
  EXPECT_FALSE(is_backup_name_of("20261124T020000Z-big-kidney-backup-17", "kidney"));
  EXPECT_FALSE(is_backup_name_of("20261124T020000Z-kidney-backup-17", "kid"));
  EXPECT_FALSE(is_backup_name_of("20261124T020000Z-kidney-backup-17x", "kidney"));
  EXPECT_FALSE(is_backup_name_of("20261124T020000Z-kidney-backup-", "kidney"));
  EXPECT_FALSE(is_backup_name_of("2026112XT020000Z-kidney-backup-17", "kidney"));
}

TEST(BackupNames, AManifestOfAnotherTargetOrRunIsNotThisBackup) {
  Folder dir;
  auto id = make_backup(dir, "kidney", 1, 10);
  EXPECT_TRUE(jobs::check_backup(dir / id, "kidney", true).verified);
  auto copy = dir / "20260311T020000Z-kidney-backup-2";
  fs::copy(dir / id, copy);
  auto c = jobs::check_backup(copy, "kidney", true);
  EXPECT_FALSE(c.verified);
  EXPECT_NE(c.problem.find("not of this directory"), std::string::npos) << c.problem;
}

// The manifest of an older backup made unreadable in ways that hold for root too: a
// directory in its place, truncated JSON, nothing at all. None is deleted; the newest
// verified backup is kept and the older verified one expires (keep_last 1).
TEST(RetentionOnDisk, KeepsWhatItCannotReadAndDeletesOnlyRankedBackups) {
  Folder backups, state;
  auto oldest = make_backup(backups, "kidney", 1, 1);
  auto as_dir = make_backup(backups, "kidney", 2, 2);
  auto truncated = make_backup(backups, "kidney", 3, 3);
  auto missing = make_backup(backups, "kidney", 4, 4);
  auto older = make_backup(backups, "kidney", 5, 5);
  auto newest = make_backup(backups, "kidney", 6, 6);
  fs::remove(backups / as_dir + "/manifest.json");
  fs::create_directory(backups / as_dir + "/manifest.json");
  auto text = *util::read_file(backups / truncated + "/manifest.json");
  util::write_file_atomic(backups / truncated + "/manifest.json", text.substr(0, text.size() / 2));
  fs::remove(backups / missing + "/manifest.json");
  // Not root: chmod 000 makes it unreadable as well (root reads it, and ranks it).
  bool chmod_holds = ::geteuid() != 0;
  if (chmod_holds) fs::permissions(backups / oldest + "/manifest.json", fs::perms::none);
  // An unfinished backup of this target is removed (one run at a time per target).
  fs::create_directory(backups / "20260301T020000Z-kidney-backup-7.partial");

  Retention r(backups, state);
  auto run = r.apply();
  auto left = backups.names();
  for (auto& kept : {as_dir, truncated, missing, newest})
    EXPECT_TRUE(left.count(kept)) << kept << " was deleted";
  EXPECT_FALSE(left.count(older)) << "the older verified backup expires";
  EXPECT_EQ(left.count(oldest), chmod_holds ? 1u : 0u);
  EXPECT_FALSE(left.count("20260301T020000Z-kidney-backup-7.partial"));
  ASSERT_TRUE(run.unreadable_backups);
  EXPECT_EQ(*run.unreadable_backups, chmod_holds ? 4u : 3u);
  ASSERT_FALSE(run.notes.empty());
  EXPECT_NE(run.notes.back().find("cannot read and rank"), std::string::npos);
  EXPECT_NE(run.notes.back().find(as_dir + " (manifest.json cannot be read: Is a directory)"),
            std::string::npos)
      << run.notes.back();
  EXPECT_NE(run.notes.back().find(truncated + " (manifest.json is not valid"), std::string::npos);
  ASSERT_FALSE(run.steps.empty());
  EXPECT_EQ(run.steps.back().name, "retention");
  EXPECT_NE(run.steps.back().detail->find("unreadable kept"), std::string::npos);
}

// Two targets whose backups ended up in one folder (the config refuses it; a folder
// copied in by hand): retention of one never counts, ranks or removes the other's,
// running .partial directory included.
TEST(RetentionOnDisk, NeverTouchesAnotherTargetsDirectories) {
  Folder backups, state;
  make_backup(backups, "kidney", 1, 1);
  auto mine = make_backup(backups, "kidney", 2, 2);
  auto theirs1 = make_backup(backups, "kidney2", 3, 3);
  auto theirs2 = make_backup(backups, "kidney2", 4, 4);
  auto partial = std::string("20260320T010000Z-kidney2-backup-5.partial");
  fs::create_directory(backups / partial);
  std::ofstream(backups / partial + "/full.dump") << "being written";
  auto named_like_mine = std::string("20260305T020000Z-kidney-backup-9");
  fs::create_directory(backups / named_like_mine);
  {
    // Named like this target's, but its manifest says another target: kept unread.
    auto other = make_backup(backups, "liver", 9, 5);
    fs::rename(backups / other + "/manifest.json", backups / named_like_mine + "/manifest.json");
    fs::remove_all(backups / other);
  }
  Retention r(backups, state);
  auto run = r.apply();
  auto left = backups.names();
  EXPECT_EQ(left, (std::set<std::string>{mine, theirs1, theirs2, partial, named_like_mine}));
  EXPECT_TRUE(fs::exists(backups / partial + "/full.dump"));
  EXPECT_EQ(*run.unreadable_backups, 1u);
}

TEST(ScratchDatabase, NamedExactlyAfterTheRun) {
  EXPECT_EQ(jobs::scratch_database_name("squash_drill_", "20261124T020000Z-kidney-restore-drill-7"),
            "squash_drill_20261124T020000Z-kidney-restore-drill-7");
  // Case and punctuation are kept (the name is quoted): no two targets share one.
  EXPECT_NE(jobs::scratch_database_name("squash_drill_", "20261124T020000Z-A-b-restore-drill-7"),
            jobs::scratch_database_name("squash_drill_", "20261124T020000Z-a_b-restore-drill-7"));
  std::string long_target(63, 'k');
  auto a = jobs::scratch_database_name("squash_drill_",
                                       "20261124T020000Z-" + long_target + "-restore-drill-7");
  auto b = jobs::scratch_database_name("squash_drill_",
                                       "20261124T020000Z-" + long_target + "-restore-drill-8");
  EXPECT_EQ(a.size(), 63u);
  EXPECT_EQ(b.size(), 63u);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind("squash_drill_20261124T020000Z-kkk", 0), 0u);
}

TEST(Metrics, UnreadableBackupsGaugeFollowsTheNewestRetention) {
  auto run = [](std::uint64_t seq, std::string target, std::optional<std::uint64_t> n) {
    api::Run r;
    r.seq = seq;
    r.id = fmt::format("20260320T020000Z-{}-backup-{}", target, seq);
    r.target = std::move(target);
    r.job = "backup";
    r.state = api::kSucceeded;
    r.finished_at = "2026-03-20T02:10:00Z";
    r.unreadable_backups = n;
    return r;
  };
  auto text = runs::render_metrics({run(3, "kidney", 2), run(1, "kidney", 5),
                                    run(4, "kidney", std::nullopt), run(2, "liver", 0)},
                                   {}, 1700000000, "0.1.0");
  EXPECT_NE(text.find("# TYPE squashd_backups_unreadable gauge\n"), std::string::npos);
  EXPECT_NE(text.find("squashd_backups_unreadable{target=\"kidney\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("squashd_backups_unreadable{target=\"liver\"} 0\n"), std::string::npos);
}

}  // namespace
}  // namespace squash
