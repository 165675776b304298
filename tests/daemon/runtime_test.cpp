#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "api/token_file.hpp"
#include "config/config.hpp"
#include "logging/logging.hpp"
#include "runtime/daemon.hpp"
#include "runtime/state_lock.hpp"
#include "test_util.hpp"

namespace squash {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "squashd_test.XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name, const std::string& content,
                   fs::perms perms = fs::perms::owner_read | fs::perms::owner_write) const {
    auto p = path_ / name;
    std::ofstream(p) << content;
    fs::permissions(p, perms);
    return p.string();
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(TokenFile, TrimsAndChecks) {
  TempDir dir;
  std::string warning;
  EXPECT_EQ(api::read_token_file(dir.file("t1", "  s3cret\n"), &warning), "s3cret");
  EXPECT_TRUE(warning.empty()) << warning;
  EXPECT_THROW(api::read_token_file(dir.file("t2", "\n\n")), std::runtime_error);
  EXPECT_THROW(api::read_token_file(dir.file("t3", "two words\n")), std::runtime_error);
  EXPECT_THROW(api::read_token_file((dir.path() / "missing").string()), std::runtime_error);
  api::read_token_file(dir.file("t4", "tok", fs::perms::owner_read | fs::perms::others_read),
                       &warning);
  EXPECT_NE(warning.find("readable by group or others"), std::string::npos);
}

TEST(StateLock, OneHolderAtATime) {
  TempDir dir;
  auto state = (dir.path() / "state").string();
  {
    auto lock = runtime::StateLock::acquire(state);
    EXPECT_EQ(fs::status(state).permissions() & fs::perms::all, fs::perms::owner_all);
    std::ifstream in(lock.path());
    auto holder = nlohmann::json::parse(in);
    EXPECT_EQ(holder["pid"], ::getpid());
    try {
      runtime::StateLock::acquire(state);
      ADD_FAILURE() << "second lock taken";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("another squashd is running"), std::string::npos);
      EXPECT_NE(std::string(e.what()).find(std::to_string(::getpid())), std::string::npos);
    }
  }
  EXPECT_NO_THROW(runtime::StateLock::acquire(state));  // released with the first
}

TEST(Status, ReportsTargetsSchedulesAndNextRuns) {
  scheduler::TimeZoneDb zones;
  auto r = config::parse_config(R"(
[[target]]
name = "kidney"
conninfo = "dbname=k"
backup_dir = "/b"

[[schedule]]
target = "kidney"
job = "backup"
cron = "30 2 * * *"
timezone = "Europe/Berlin"
window = "90m"
)",
                                "c.toml", zones);
  ASSERT_TRUE(r.config);
  auto s =
      runtime::make_status(*r.config, testing::utc(2025, 3, 29, 12), testing::utc(2025, 3, 29, 13));
  EXPECT_EQ(s.uptime_seconds, 3600);
  EXPECT_EQ(s.started_at, "2025-03-29T12:00:00Z");
  EXPECT_EQ(s.config_path, "c.toml");
  EXPECT_EQ(s.targets, std::vector<std::string>{"kidney"});
  ASSERT_EQ(s.schedules.size(), 1u);
  EXPECT_EQ(s.schedules[0].job, "backup");
  EXPECT_EQ(s.schedules[0].window, "1h30m");
  EXPECT_EQ(s.schedules[0].next_run, "2025-03-30T01:00:00Z");
  EXPECT_EQ(s.schedules[0].next_run_local, "2025-03-30T03:00:00+02:00");
  // and the JSON round trip squashctl relies on
  nlohmann::json j = s;
  EXPECT_EQ(j.get<api::Status>().schedules[0].next_run_local, "2025-03-30T03:00:00+02:00");
}

TEST(Logging, JsonLinesAreValidJson) {
  auto line =
      logging::json_line("info", "a \"quoted\"\nmessage\x01", testing::utc(2025, 1, 2, 3, 4, 5));
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.rfind("{\"ts\":", 0), 0u) << line;
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["ts"], "2025-01-02T03:04:05.000Z");
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["msg"], "a \"quoted\"\nmessage\x01");
}

TEST(Logging, JsonLinesOfARunNameIt) {
  logging::RunFields f{"20250102T030405Z-kidney-stamp-3", "kidney", "stamp", "dump-full"};
  auto j = nlohmann::json::parse(logging::json_line("info", "m", testing::utc(2025, 1, 2), &f));
  EXPECT_EQ(j["run"], "20250102T030405Z-kidney-stamp-3");
  EXPECT_EQ(j["target"], "kidney");
  EXPECT_EQ(j["job"], "stamp");
  EXPECT_EQ(j["step"], "dump-full");
  f.step.clear();  // between steps: no step field
  j = nlohmann::json::parse(logging::json_line("info", "m", testing::utc(2025, 1, 2), &f));
  EXPECT_FALSE(j.contains("step"));
  EXPECT_FALSE(nlohmann::json::parse(logging::json_line("info", "m", testing::utc(2025, 1, 2)))
                   .contains("run"));
}

TEST(Logging, InstallRefusesAnUnopenableFile) {
  TempDir dir;
  logging::LogSettings s;
  s.file = dir.file("not_a_dir", "") + "/squashd.log";  // below a regular file
  EXPECT_THROW(logging::install_logger(s), std::runtime_error);
}

}  // namespace
}  // namespace squash
