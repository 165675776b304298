#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <unistd.h>

#include "config/config.hpp"
#include "config/conninfo.hpp"

namespace squash::config {
namespace {

namespace fs = std::filesystem;

LoadResult parse(const std::string& text) {
  static scheduler::TimeZoneDb zones;
  return parse_config(text, "squashd.toml", zones);
}

std::string dump(const LoadResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += e.to_string() + "\n";
  return out;
}

// The config must fail with exactly one error, at `line` (and `column` when not 0),
// whose message contains `message`.
void expect_one_error(const std::string& text, int line, int column, const std::string& message) {
  auto r = parse(text);
  EXPECT_FALSE(r.config);
  ASSERT_EQ(r.errors.size(), 1u) << dump(r);
  const auto& e = r.errors[0];
  EXPECT_EQ(e.file, "squashd.toml");
  EXPECT_EQ(e.line, line) << e.to_string();
  if (column) {
    EXPECT_EQ(e.column, column) << e.to_string();
  }
  EXPECT_NE(e.message.find(message), std::string::npos) << e.to_string();
}

// A valid target for configs whose schedules need one.
const std::string kTarget = R"(
[[target]]
name = "kidney"
conninfo = "host=/run/postgresql dbname=kidney_genetics user=squash"
backup_dir = "/var/backups/squashd/kidney"
)";  // lines 2-5

TEST(Config, ParsesTheDesignExample) {
  auto r = parse(R"([daemon]
listen = "127.0.0.1:8433"
token_file = "/etc/squashd/token"
state_dir = "/var/lib/squashd"
log_level = "debug"
log_file = "/var/log/squashd/squashd.log"
log_format = "json"

[[target]]
name = "kidney"
conninfo = "host=/run/postgresql dbname=kidney_genetics user=squash"   # never a password
passfile = "/etc/squashd/pgpass"
backup_dir = "/var/backups/squashd/kidney"
keep_last = 7
keep_days = 30
min_keep = 2

[[schedule]]
target = "kidney"
job = "rebuild"
cron = "0 2 * * 6"
timezone = "Europe/Berlin"
window = "2h"
params = { revision = "000_squashed_complete", squashed_sql = "/srv/squash/000.sql" }

[[schedule]]
target = "kidney"
job = "refresh-views"
cron = "*/30 * * * *"
)");
  ASSERT_TRUE(r.config) << dump(r);
  const auto& c = *r.config;
  EXPECT_EQ(c.path, "squashd.toml");
  EXPECT_EQ(c.daemon.listen, "127.0.0.1:8433");
  EXPECT_EQ(c.daemon.listen_address, "127.0.0.1");
  EXPECT_EQ(c.daemon.listen_port, 8433);
  EXPECT_EQ(c.daemon.token_file, "/etc/squashd/token");
  EXPECT_EQ(c.daemon.state_dir, "/var/lib/squashd");
  EXPECT_EQ(c.daemon.log_level, LogLevel::debug);
  EXPECT_EQ(c.daemon.log_file, "/var/log/squashd/squashd.log");
  EXPECT_EQ(c.daemon.log_format, LogFormat::json);
  ASSERT_EQ(c.targets.size(), 1u);
  const auto& t = c.targets[0];
  EXPECT_EQ(t.name, "kidney");
  EXPECT_EQ(t.conninfo, "host=/run/postgresql dbname=kidney_genetics user=squash");
  EXPECT_EQ(t.passfile, "/etc/squashd/pgpass");
  EXPECT_EQ(t.backup_dir, "/var/backups/squashd/kidney");
  EXPECT_EQ(t.keep_last, 7);
  EXPECT_EQ(t.keep_days, 30);
  EXPECT_EQ(t.min_keep, 2);
  EXPECT_EQ(t.pos.line, 9);
  EXPECT_EQ(c.find_target("kidney"), &t);
  EXPECT_EQ(c.find_target("liver"), nullptr);
  ASSERT_EQ(c.schedules.size(), 2u);
  const auto& s = c.schedules[0];
  EXPECT_EQ(s.target, "kidney");
  EXPECT_EQ(s.job, jobs::JobKind::rebuild);
  EXPECT_EQ(s.cron.text(), "0 2 * * 6");
  EXPECT_EQ(s.timezone, "Europe/Berlin");
  ASSERT_TRUE(s.zone);
  EXPECT_EQ(s.zone->name(), "Europe/Berlin");
  EXPECT_EQ(s.window, std::chrono::hours{2});
  EXPECT_EQ(s.params["revision"], "000_squashed_complete");
  EXPECT_EQ(s.params["squashed_sql"], "/srv/squash/000.sql");
  EXPECT_EQ(s.pos.line, 18);
  const auto& s2 = c.schedules[1];
  EXPECT_EQ(s2.job, jobs::JobKind::refresh_views);
  EXPECT_EQ(s2.timezone, "UTC");
  EXPECT_EQ(s2.window, std::chrono::hours{1});
  EXPECT_TRUE(s2.params.empty());
}

TEST(Config, EmptyFileGivesTheDefaults) {
  auto r = parse("");
  ASSERT_TRUE(r.config) << dump(r);
  EXPECT_EQ(r.config->daemon.listen, "127.0.0.1:8433");
  EXPECT_EQ(r.config->daemon.token_file, "/etc/squashd/token");
  EXPECT_EQ(r.config->daemon.state_dir, "/var/lib/squashd");
  EXPECT_EQ(r.config->daemon.log_level, LogLevel::info);
  EXPECT_EQ(r.config->daemon.log_format, LogFormat::text);
  EXPECT_FALSE(r.config->daemon.log_file);
  EXPECT_EQ(r.config->daemon.max_connections, 64);
  EXPECT_EQ(r.config->daemon.header_timeout, std::chrono::seconds(10));
  EXPECT_EQ(r.config->daemon.request_timeout, std::chrono::seconds(30));
  EXPECT_TRUE(r.config->targets.empty());
}

TEST(Config, HttpLimits) {
  auto r =
      parse("[daemon]\nmax_connections = 16\nheader_timeout = \"5s\"\nrequest_timeout = \"1m\"\n");
  ASSERT_TRUE(r.config) << dump(r);
  EXPECT_EQ(r.config->daemon.max_connections, 16);
  EXPECT_EQ(r.config->daemon.header_timeout, std::chrono::seconds(5));
  EXPECT_EQ(r.config->daemon.request_timeout, std::chrono::seconds(60));
}

TEST(Config, LoopbackListenForms) {
  for (auto [text, address, port] :
       {std::tuple{"localhost:9000", "127.0.0.1", 9000}, std::tuple{"[::1]:8433", "::1", 8433},
        std::tuple{"127.0.0.2:1", "127.0.0.2", 1}}) {
    auto r = parse(std::string("[daemon]\nlisten = \"") + text + "\"\n");
    ASSERT_TRUE(r.config) << text << "\n" << dump(r);
    EXPECT_EQ(r.config->daemon.listen_address, address);
    EXPECT_EQ(r.config->daemon.listen_port, port);
  }
}

// ----------------------------------------------------------------------- broken configs

TEST(ConfigError, TomlSyntax) {
  expect_one_error("[daemon]\nlisten = \"127.0.0.1:8433\"\nlog_level = = \"info\"\n", 3, 13,
                   "TOML syntax error");
}

TEST(ConfigError, UnknownKeyInDaemon) {
  expect_one_error("[daemon]\nlisten = \"127.0.0.1:8433\"\nlog_levle = \"info\"\n", 3, 1,
                   "unknown key 'log_levle' in [daemon] (did you mean 'log_level'?)");
}

TEST(ConfigError, UnknownKeyInTargetScheduleParamsAndTopLevel) {
  expect_one_error(kTarget + "keep_lats = 3\n", 6, 1,
                   "unknown key 'keep_lats' in [[target]] #1 (did you mean 'keep_last'?)");
  expect_one_error(kTarget +
                       "[[schedule]]\ntarget = \"kidney\"\njob = \"backup\"\ncron = \"@daily\"\n"
                       "zone = \"UTC\"\n",
                   10, 1, "unknown key 'zone' in [[schedule]] #1");
  expect_one_error(kTarget +
                       "[[schedule]]\ntarget = \"kidney\"\njob = \"stamp\"\ncron = \"@daily\"\n"
                       "params = { revison = \"r1\" }\n",
                   10, 12, "unknown key 'revison' in params (did you mean 'revision'?)");
  expect_one_error("[deamon]\nlisten = \"127.0.0.1:8433\"\n", 1, 2,
                   "unknown table 'deamon' at top level (did you mean 'daemon'?)");
}

TEST(ConfigError, WrongType) {
  expect_one_error(kTarget + "keep_last = \"7\"\n", 6, 13,
                   "'keep_last' must be an integer, not a string");
  expect_one_error("[daemon]\nlisten = 8433\n", 2, 10, "'listen' must be a string, not an integer");
  expect_one_error("[[daemon]]\nlisten = \"127.0.0.1:1\"\n", 1, 1,
                   "'daemon' must be a table: write [daemon]");
  expect_one_error("[target]\nname = \"x\"\n", 1, 1,
                   "'target' must be an array of tables: write [[target]]");
}

TEST(ConfigError, BadCronSaysWhichFieldAndWhy) {
  // column points at the offending field inside the string
  expect_one_error(kTarget +
                       "[[schedule]]\ntarget = \"kidney\"\njob = \"backup\"\n"
                       "cron = \"0 25 * * *\"\n",
                   9, 11, "bad cron expression '0 25 * * *': hour: 25 is out of range 0-23");
  expect_one_error(kTarget +
                       "[[schedule]]\ntarget = \"kidney\"\njob = \"backup\"\n"
                       "cron = \"0 2 * * 1 5\"\n",
                   9, 19,
                   "expected 5 fields (minute hour day-of-month month day-of-week), found 6");
  expect_one_error(kTarget +
                       "[[schedule]]\ntarget = \"kidney\"\njob = \"backup\"\n"
                       "cron = \"0 2 31 apr,jun *\"\n",
                   9, 13, "day-of-month: day 31 never occurs in april");
}

TEST(ConfigError, UnknownTimeZone) {
  expect_one_error(kTarget +
                       "[[schedule]]\ntarget = \"kidney\"\njob = \"backup\"\n"
                       "cron = \"0 2 * * 6\"\ntimezone = \"Europe/Berln\"\n",
                   10, 12, "unknown time zone 'Europe/Berln'");
}

TEST(ConfigError, ScheduleNamesAMissingTarget) {
  expect_one_error(
      kTarget + "[[schedule]]\ntarget = \"kidny\"\njob = \"backup\"\ncron = \"@daily\"\n", 7, 10,
      "schedule names target 'kidny', which is not defined (did you mean 'kidney'?)");
  expect_one_error("[[schedule]]\ntarget = \"kidney\"\njob = \"backup\"\ncron = \"@daily\"\n", 2,
                   10, "there is no [[target]]");
}

TEST(ConfigError, UnknownJob) {
  expect_one_error(
      kTarget + "[[schedule]]\ntarget = \"kidney\"\njob = \"bakup\"\ncron = \"@daily\"\n", 8, 7,
      "unknown job 'bakup' (did you mean 'backup'?)");
  expect_one_error(
      kTarget + "[[schedule]]\ntarget = \"kidney\"\njob = \"vacuum\"\ncron = \"@daily\"\n", 8, 7,
      "unknown job 'vacuum' (expected one of: backup, stamp, rebuild, validate, "
      "refresh-views, restore-drill, probe)");
}

TEST(ConfigError, BadWindow) {
  expect_one_error(kTarget +
                       "[[schedule]]\ntarget = \"kidney\"\njob = \"backup\"\n"
                       "cron = \"@daily\"\nwindow = \"1h30\"\n",
                   10, 15, "bad window '1h30': missing unit after 30");
  expect_one_error(kTarget +
                       "[[schedule]]\ntarget = \"kidney\"\njob = \"backup\"\n"
                       "cron = \"@daily\"\nwindow = \"2 hours\"\n",
                   10, 12, "bad window '2 hours'");
}

TEST(ConfigError, DuplicateTargetNames) {
  expect_one_error(kTarget + kTarget, 8, 8,
                   "duplicate target name 'kidney' (first defined at line 3)");
}

TEST(ConfigError, BadHttpLimits) {
  expect_one_error("[daemon]\nmax_connections = 0\n", 2, 19,
                   "'max_connections' must be at least 1 (got 0)");
  expect_one_error("[daemon]\nheader_timeout = \"10\"\n", 2, 0, "bad header_timeout '10'");
  expect_one_error("[daemon]\nheader_timeout = \"1h\"\n", 2, 0, "bad header_timeout '1h'");
  expect_one_error("[daemon]\nheader_timeout = \"20s\"\nrequest_timeout = \"15s\"\n", 3, 19,
                   "request_timeout (15s) must not be shorter than header_timeout (20s)");
}

TEST(ConfigError, BadLogLevelAndFormat) {
  expect_one_error("[daemon]\nlog_level = \"verbose\"\n", 2, 13,
                   "log_level 'verbose' is not one of: trace, debug, info, warn, error");
  expect_one_error("[daemon]\nlog_format = \"xml\"\n", 2, 14,
                   "log_format 'xml' is not one of: text, json");
}

TEST(ConfigError, ListenMustBeLoopbackHostPort) {
  expect_one_error("[daemon]\nlisten = \"0.0.0.0:8433\"\n", 2, 10, "is not a loopback address");
  expect_one_error("[daemon]\nlisten = \"192.168.1.5:8433\"\n", 2, 10, "loopback only");
  expect_one_error("[daemon]\nlisten = \"8433\"\n", 2, 10, "is not host:port");
  expect_one_error("[daemon]\nlisten = \"127.0.0.1:99999\"\n", 2, 10, "no valid port");
  expect_one_error("[daemon]\nlisten = \"example.com:8433\"\n", 2, 10,
                   "host names are not resolved");
  expect_one_error("[daemon]\nlisten = \"::1:8433\"\n", 2, 10, "without brackets");
}

TEST(ConfigError, PasswordInConninfo) {
  const std::string head = "[[target]]\nname = \"kidney\"\nbackup_dir = \"/b\"\n";
  expect_one_error(head + "conninfo = \"host=/run/postgresql dbname=k password=hunter2\"\n", 4, 12,
                   "conninfo contains a secret (password): never a secret in the config");
  expect_one_error(head + "conninfo = \"postgresql://squash:hunter2@localhost/k\"\n", 4, 12,
                   "put the password in a pgpass file");
  expect_one_error(head + "conninfo = \"host=x dbname\"\n", 4, 12,
                   "conninfo is not a valid libpq connection string");
}

// Every secret key, in both forms, is refused with its name and never its value; a
// broken string that may hold one is refused without libpq's message (which quotes).
TEST(ConfigError, EverySecretKeyInEitherFormIsNamedNotShown) {
  const std::string head = "[[target]]\nname = \"kidney\"\nbackup_dir = \"/b\"\n";
  const std::string value = "Zq7-s3cr3t-value";
  struct Case {
    std::string conninfo, key;
  };
  const std::vector<Case> cases = {
      {"host=/tmp dbname=k sslpassword=" + value, "sslpassword"},
      {"host=/tmp dbname=k sslpassword='" + value + " with space'", "sslpassword"},
      {"postgresql://squash@localhost/k?sslpassword=" + value, "sslpassword"},
      {"postgresql://squash@localhost/k?sslmode=require&password=" + value, "password"},
      {"postgres://squash:" + value + "@localhost:5432/k", "password"},
      {"dbname=k password=" + value + " sslpassword=" + value, "password, sslpassword"},
  };
  for (const auto& c : cases) {
    auto r = parse(head + "conninfo = \"" + c.conninfo + "\"\n");
    ASSERT_EQ(r.errors.size(), 1u) << c.conninfo << "\n" << dump(r);
    EXPECT_EQ(r.errors[0].line, 4);
    EXPECT_NE(r.errors[0].message.find("contains a secret (" + c.key + ")"), std::string::npos)
        << r.errors[0].message;
    EXPECT_EQ(dump(r).find(value), std::string::npos) << dump(r);
  }
  for (const std::string& broken :
       {"postgresql://squash:" + value + "@[::1/k", "dbname=k sslpassword = " + value + " x",
        "postgresql://h/k?sslpassword=" + value + "%zz", "SSLPASSWORD=" + value}) {
    auto r = parse(head + "conninfo = \"" + broken + "\"\n");
    ASSERT_EQ(r.errors.size(), 1u) << broken << "\n" << dump(r);
    EXPECT_NE(r.errors[0].message.find("not a valid libpq connection string"), std::string::npos);
    EXPECT_EQ(dump(r).find(value), std::string::npos) << dump(r);
  }
  EXPECT_EQ(secret_keys_in("host=/tmp sslpassword=x password=y"),
            (std::vector<std::string>{"password", "sslpassword"}));
  EXPECT_TRUE(secret_keys_in("host=/tmp dbname=k sslkey=/etc/k.key passfile=/p").empty());
  for (auto key : {"password", "sslpassword"})
    EXPECT_NE(std::find(secret_conninfo_keys().begin(), secret_conninfo_keys().end(), key),
              secret_conninfo_keys().end());
}

// One folder per target: the same folder, one inside the other, or the same through
// "..", a trailing slash or a symbolic link.
TEST(ConfigError, TwoTargetsShareABackupDir) {
  auto target = [](const std::string& name, const std::string& dir) {
    return "[[target]]\nname = \"" + name + "\"\nconninfo = \"dbname=" + name +
           "\"\nbackup_dir = \"" + dir + "\"\n";
  };
  expect_one_error(target("a", "/srv/backups") + target("b", "/srv/backups"), 8, 14,
                   "backup_dir '/srv/backups' is the same folder as the backup_dir "
                   "'/srv/backups' of target 'a' (line 4)");
  expect_one_error(target("a", "/srv/backups") + target("b", "/srv/backups/b"), 8, 14,
                   "is inside the backup_dir '/srv/backups' of target 'a'");
  expect_one_error(target("a", "/srv/backups/a") + target("b", "/srv/backups"), 8, 14,
                   "contains the backup_dir '/srv/backups/a' of target 'a'");
  expect_one_error(target("a", "/srv/backups/") + target("b", "/srv/x/../backups"), 8, 14,
                   "is the same folder as");
  EXPECT_TRUE(parse(target("a", "/srv/backups/a") + target("b", "/srv/backups/ab")).config);
  auto dir = fs::temp_directory_path() / ("squashd_cfg_" + std::to_string(::getpid()));
  fs::create_directories(dir / "real");
  fs::create_directory_symlink(dir / "real", dir / "link");
  auto r = parse(target("a", (dir / "real").string()) + target("b", (dir / "link").string()));
  fs::remove_all(dir);
  ASSERT_EQ(r.errors.size(), 1u) << dump(r);
  EXPECT_NE(r.errors[0].message.find("is the same folder as"), std::string::npos);
}

TEST(ConfigError, RetentionCounts) {
  expect_one_error(kTarget + "keep_days = -1\n", 6, 13,
                   "'keep_days' must not be negative (got -1)");
  expect_one_error(kTarget + "keep_last = -3\n", 6, 13, "'keep_last' must not be negative");
  expect_one_error(kTarget + "keep_last = 0\n", 6, 13, "'keep_last' must be at least 1");
  expect_one_error(kTarget + "keep_last = 2\nmin_keep = 3\n", 7, 12,
                   "min_keep (3) is greater than keep_last (2)");
  expect_one_error(kTarget + "min_keep = 8\n", 6, 12, "min_keep (8) is greater than keep_last (7)");
}

TEST(ConfigError, MissingRequiredKeysAreAllReported) {
  auto r = parse("[daemon]\nlog_level = \"info\"\n\n[[target]]\npassfile = \"/etc/p\"\n");
  ASSERT_EQ(r.errors.size(), 3u) << dump(r);
  for (const auto& e : r.errors) EXPECT_EQ(e.line, 4) << e.to_string();
  EXPECT_NE(dump(r).find("[[target]] #1 is missing required key 'name'"), std::string::npos);
  EXPECT_NE(dump(r).find("missing required key 'conninfo'"), std::string::npos);
  EXPECT_NE(dump(r).find("missing required key 'backup_dir'"), std::string::npos);

  r = parse(kTarget + "[[schedule]]\ntimezone = \"UTC\"\n");
  ASSERT_EQ(r.errors.size(), 3u) << dump(r);
  for (const auto& e : r.errors) EXPECT_EQ(e.line, 6) << e.to_string();
  EXPECT_NE(dump(r).find("[[schedule]] #1 is missing required key 'target'"), std::string::npos);
  EXPECT_NE(dump(r).find("missing required key 'job'"), std::string::npos);
  EXPECT_NE(dump(r).find("missing required key 'cron'"), std::string::npos);
}

TEST(ConfigError, RelativePaths) {
  expect_one_error("[daemon]\nlog_file = \"squashd.log\"\n", 2, 12,
                   "'log_file' must be an absolute path, not the relative path 'squashd.log'");
  expect_one_error("[daemon]\nstate_dir = \"./state\"\n", 2, 13,
                   "'state_dir' must be an absolute path");
  expect_one_error(
      "[[target]]\nname = \"k\"\nconninfo = \"dbname=k\"\nbackup_dir = \"backups/k\"\n", 4, 14,
      "'backup_dir' must be an absolute path");
  expect_one_error(kTarget +
                       "[[schedule]]\ntarget = \"kidney\"\njob = \"rebuild\"\ncron = \"@daily\"\n"
                       "params = { squashed_sql = \"000.sql\", revision = \"r1\" }\n",
                   10, 27, "params.squashed_sql must be an absolute path");
}

TEST(ConfigError, BadParams) {
  expect_one_error(kTarget +
                       "[[schedule]]\ntarget = \"kidney\"\njob = \"stamp\"\ncron = \"@daily\"\n"
                       "params = { revision = \"has space\" }\n",
                   10, 23, "params.revision 'has space' is not a revision id");
  expect_one_error(kTarget +
                       "[[schedule]]\ntarget = \"kidney\"\njob = \"refresh-views\"\n"
                       "cron = \"@daily\"\nparams = { concurrently = \"yes\" }\n",
                   10, 27, "params.concurrently must be a boolean, not a string");
  expect_one_error(kTarget +
                       "[[schedule]]\ntarget = \"kidney\"\njob = \"backup\"\ncron = \"@daily\"\n"
                       "params = \"x\"\n",
                   10, 10, "'params' must be a table, not a string");
}

TEST(ConfigError, BadTargetName) {
  expect_one_error("[[target]]\nname = \"kid ney\"\nconninfo = \"dbname=k\"\nbackup_dir = \"/b\"\n",
                   2, 8, "target name 'kid ney' must be 1-63 letters, digits");
}

TEST(ConfigError, EveryErrorIsReportedInFileOrder) {
  auto r = parse(R"([daemon]
listen = "0.0.0.0:8433"
log_level = "loud"

[[target]]
name = "kidney"
conninfo = "dbname=k password=x"
backup_dir = "rel"
keep_days = -5

[[schedule]]
target = "liver"
job = "bakup"
cron = "61 * * * *"
timezone = "Mars/Olympus"
window = "forever"
colour = "blue"
)");
  ASSERT_FALSE(r.config);
  std::vector<int> lines;
  for (const auto& e : r.errors) lines.push_back(e.line);
  EXPECT_EQ(lines, (std::vector<int>{2, 3, 7, 8, 9, 12, 13, 14, 15, 16, 17})) << dump(r);
  EXPECT_EQ(r.errors[7].to_string(),
            "squashd.toml:14:9: error: bad cron expression '61 * * * *': minute: 61 is out of "
            "range 0-59");
}

TEST(ConfigControl, AbsentMeansOneDaemon) {
  auto r = parse(kTarget);
  ASSERT_TRUE(r.config) << dump(r);
  EXPECT_FALSE(r.config->control);
}

TEST(ConfigControl, ParsesEveryKey) {
  auto r = parse(R"([control]
conninfo = "host=/run/postgresql dbname=squashd_control user=squashd"
passfile = "/etc/squashd/control.pgpass"
lease_ttl = "45s"
poll_interval = "2s"
max_runs = 3
)" + kTarget);
  ASSERT_TRUE(r.config) << dump(r);
  ASSERT_TRUE(r.config->control);
  const auto& c = *r.config->control;
  EXPECT_EQ(c.conninfo, "host=/run/postgresql dbname=squashd_control user=squashd");
  EXPECT_EQ(c.passfile, "/etc/squashd/control.pgpass");
  EXPECT_EQ(c.lease_ttl, std::chrono::seconds(45));
  EXPECT_EQ(c.poll_interval, std::chrono::seconds(2));
  EXPECT_EQ(c.max_runs, 3);
  EXPECT_EQ(c.pos.line, 1);
}

TEST(ConfigControl, Defaults) {
  auto r = parse("[control]\nconninfo = \"dbname=control\"\n");
  ASSERT_TRUE(r.config) << dump(r);
  EXPECT_EQ(r.config->control->lease_ttl, std::chrono::seconds(30));
  EXPECT_EQ(r.config->control->poll_interval, std::chrono::seconds(5));
  EXPECT_EQ(r.config->control->max_runs, 2);
  EXPECT_FALSE(r.config->control->passfile);
}

TEST(ConfigTemplate, ParsesEveryKey) {
  auto r = parse(R"([control]
conninfo = "dbname=control"

[[template]]
name = "tenants"
conninfo = "host=/run/postgresql user=squashd"
passfile = "/etc/squashd/tenants.pgpass"
pattern = "tenant\\_%"
backup_dir = "/var/backups/tenants"
keep_last = 3
keep_days = 0
min_keep = 1
)");
  ASSERT_TRUE(r.config) << dump(r);
  ASSERT_EQ(r.config->templates.size(), 1u);
  const auto& t = r.config->templates[0];
  EXPECT_EQ(t.name, "tenants");
  EXPECT_EQ(t.conninfo, "host=/run/postgresql user=squashd");
  EXPECT_EQ(t.passfile, "/etc/squashd/tenants.pgpass");
  EXPECT_EQ(t.pattern, "tenant\\_%");
  EXPECT_EQ(t.backup_dir, "/var/backups/tenants");
  EXPECT_EQ(t.keep_last, 3);
  EXPECT_EQ(t.keep_days, 0);
  EXPECT_EQ(t.min_keep, 1);
  EXPECT_EQ(r.config->find_template("tenants"), &t);
  EXPECT_EQ(r.config->find_template("other"), nullptr);
}

TEST(ConfigTemplate, Errors) {
  const std::string control = "[control]\nconninfo = \"dbname=c\"\n";  // lines 1-2
  expect_one_error("[[template]]\nname = \"t\"\nconninfo = \"host=x\"\nbackup_dir = \"/b\"\n", 1, 1,
                   "[[template]] needs [control]");
  expect_one_error(control +
                       "[[template]]\nname = \"t\"\nconninfo = \"host=x password=p\"\n"
                       "backup_dir = \"/b\"\n",
                   5, 12, "conninfo contains a secret (password)");
  expect_one_error(control + "[[template]]\nname = \"t\"\nconninfo = \"host=x\"\n", 3, 1,
                   "missing required key 'backup_dir'");
  expect_one_error(control +
                       "[[template]]\nname = \"t\"\nconninfo = \"host=x\"\n"
                       "backup_dir = \"/b\"\npatern = \"%\"\n",
                   7, 1, "unknown key 'patern' in [[template]] #1 (did you mean 'pattern'?)");
  expect_one_error(control +
                       "[[target]]\nname = \"k\"\nconninfo = \"dbname=k\"\nbackup_dir = "
                       "\"/b/k\"\n[[template]]\nname = \"t\"\nconninfo = \"host=x\"\n"
                       "backup_dir = \"/b\"\n",
                   10, 14, "contains the backup_dir '/b/k' of target 'k'");
}

TEST(ConfigWindow, TargetsAndTemplatesHaveTheirOwnMaintenanceWindow) {
  auto r = parse(R"([control]
conninfo = "dbname=control"

[[target]]
name = "eu"
conninfo = "dbname=eu"
backup_dir = "/var/backups/eu"
window_cron = "0 2 * * *"
window = "2h"
timezone = "Europe/Paris"

[[target]]
name = "any"
conninfo = "dbname=any"
backup_dir = "/var/backups/any"

[[template]]
name = "tenants"
conninfo = "host=/run/postgresql"
backup_dir = "/var/backups/tenants"
window_cron = "30 1 * * 6"
)");
  ASSERT_TRUE(r.config) << dump(r);
  const auto* eu = r.config->find_target("eu");
  ASSERT_TRUE(eu && eu->window);
  EXPECT_EQ(eu->window->length, std::chrono::hours(2));
  EXPECT_EQ(eu->window->timezone, "Europe/Paris");
  EXPECT_FALSE(r.config->find_target("any")->window) << "no window: any time";
  const auto& tpl = r.config->templates[0];
  ASSERT_TRUE(tpl.window);
  EXPECT_EQ(tpl.window->length, std::chrono::hours(1)) << "default length";
  EXPECT_EQ(tpl.window->timezone, "UTC");

  // 02:00 Paris is 01:00 UTC on 2026-12-05 (CET): open from 01:00 to 03:00 UTC.
  using std::chrono::sys_days;
  const auto day = sys_days(std::chrono::year{2026} / 12 / 5);
  auto at = [&](int h, int m) {
    return std::chrono::sys_seconds(day) + std::chrono::hours(h) + std::chrono::minutes(m);
  };
  EXPECT_FALSE(eu->window->open_until(at(0, 59)));
  ASSERT_TRUE(eu->window->open_until(at(1, 0)));
  EXPECT_EQ(*eu->window->open_until(at(1, 0)), at(3, 0));
  EXPECT_EQ(*eu->window->open_until(at(2, 59)), at(3, 0));
  EXPECT_FALSE(eu->window->open_until(at(3, 0))) << "closed at its end";
  // The template's: Saturdays 01:30-02:30 UTC; 2026-12-05 is a Saturday.
  EXPECT_TRUE(tpl.window->open_until(at(2, 0)));
  EXPECT_FALSE(tpl.window->open_until(at(2, 0) + std::chrono::hours(24)));
}

TEST(ConfigWindow, Errors) {
  const std::string target =
      "[[target]]\nname = \"t\"\nconninfo = \"dbname=t\"\nbackup_dir = \"/b\"\n";
  expect_one_error(target + "window = \"2h\"\n", 5, 10,
                   "'window' needs 'window_cron' (when the maintenance window opens)");
  expect_one_error(target + "window_cron = \"0 25 * * *\"\n", 5, 18, "bad cron expression");
  expect_one_error(target + "window_cron = \"0 2 * * *\"\nwindow = \"2x\"\n", 6, 12,
                   "bad window '2x'");
  expect_one_error(target + "window_cron = \"0 2 * * *\"\ntimezone = \"Mars/Base\"\n", 6, 12,
                   "Mars/Base");
}

TEST(ConfigControl, Errors) {
  expect_one_error("[control]\nlease_ttl = \"30s\"\n", 1, 1,
                   "[control] is missing required key 'conninfo'");
  expect_one_error("[control]\nconninfo = \"dbname=c password=hunter2\"\n", 2, 12,
                   "conninfo contains a secret (password)");
  expect_one_error("[control]\nconninfo = \"host=x dbname\"\n", 2, 12,
                   "conninfo is not a valid libpq connection string");
  expect_one_error("[control]\nconninfo = \"dbname=c\"\nleese_ttl = \"30s\"\n", 3, 1,
                   "unknown key 'leese_ttl' in [control] (did you mean 'lease_ttl'?)");
  expect_one_error(
      "[control]\nconninfo = \"dbname=c\"\nlease_ttl = \"2s\"\npoll_interval = \"1s\"\n", 3, 13,
      "lease_ttl must be at least 5s (got 2s)");
  expect_one_error("[control]\nconninfo = \"dbname=c\"\nlease_ttl = \"11m\"\n", 3, 0,
                   "bad lease_ttl '11m'");
  expect_one_error(
      "[control]\nconninfo = \"dbname=c\"\nlease_ttl = \"10s\"\npoll_interval = \"10s\"\n", 4, 17,
      "poll_interval (10s) must be shorter than lease_ttl (10s)");
  expect_one_error("[control]\nconninfo = \"dbname=c\"\nmax_runs = 0\n", 3, 12,
                   "'max_runs' must be at least 1 (got 0)");
  expect_one_error("[control]\nconninfo = \"dbname=c\"\nmax_runs = 65\n", 3, 12,
                   "'max_runs' must be at most 64 (got 65)");
  expect_one_error("[control]\nconninfo = \"dbname=c\"\npassfile = \"pgpass\"\n", 3, 12,
                   "'passfile' must be an absolute path");
  expect_one_error("control = \"dbname=c\"\n", 1, 11, "'control' must be a table: write [control]");
}

TEST(ConfigError, UnreadableFile) {
  scheduler::TimeZoneDb zones;
  auto r = load_config("/nonexistent/squashd.toml", zones);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].to_string(),
            "/nonexistent/squashd.toml: error: cannot read config: No such file or directory");
}

}  // namespace
}  // namespace squash::config
