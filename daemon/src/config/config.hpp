// squashd's configuration: the TOML model (docs/squashd.md) and its
// validation. Loading reports every problem it finds, each with file:line:column.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "jobspec/job_spec.hpp"
#include "probe/probe_spec.hpp"
#include "scheduler/cron.hpp"
#include "scheduler/time_zone.hpp"

namespace squash::config {

enum class LogLevel { trace, debug, info, warn, error };
enum class LogFormat { text, json };
std::string_view to_string(LogLevel level);
std::string_view to_string(LogFormat format);

struct SourcePos {
  int line = 0;
  int column = 0;
};

struct DaemonSettings {
  std::string listen = "127.0.0.1:8433";
  std::string listen_address = "127.0.0.1";  // numeric address to bind
  std::uint16_t listen_port = 8433;
  std::string token_file = "/etc/squashd/token";
  std::string state_dir = "/var/lib/squashd";
  LogLevel log_level = LogLevel::info;
  std::optional<std::string> log_file;  // absent: stderr
  LogFormat log_format = LogFormat::text;
  // HTTP flood limits (http::Limits): open connections, and how long a request's header
  // and the whole request may take to arrive.
  int max_connections = 64;
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds request_timeout{30};
};

// [control]: the PostgreSQL database several squashd share (docs/squashd.md, "Several
// daemons"). Absent: one daemon with its local journal.
struct ControlSettings {
  std::string conninfo;  // never a password
  std::optional<std::string> passfile;
  std::chrono::seconds lease_ttl{30};     // a lease not renewed for this long expires
  std::chrono::seconds poll_interval{5};  // how often queued runs are looked for
  int max_runs = 2;                       // runs this squashd executes at once
  SourcePos pos;
};

// A target's own maintenance window for the stamps a rollout queues ([[target]] and
// [[template]] keys window_cron, window, timezone): it opens at each time of `cron` in
// `timezone` and stays open for `length`. Scheduled runs keep their schedule's window.
struct MaintenanceWindow {
  scheduler::CronExpr cron;
  std::string timezone = "UTC";
  std::shared_ptr<const scheduler::TimeZone> zone;
  std::chrono::seconds length{3600};

  // When the window that is open at `now` closes; nullopt while it is closed.
  std::optional<scheduler::sys_seconds> open_until(scheduler::sys_seconds now) const;
};

// Retention: a verified backup is deleted when it is not among the keep_last newest or
// is older than keep_days days (0: no age limit); the min_keep newest are never deleted.
struct Target {
  std::string name;
  std::string conninfo;  // never a password
  std::optional<std::string> passfile;
  std::string backup_dir;
  int keep_last = 7;
  int keep_days = 30;
  int min_keep = 2;
  // Application probes, run after the database checks of the validate step.
  std::vector<probe::ProbeSpec> probes;
  std::optional<MaintenanceWindow> window;  // none: a rollout stamps it at any time
  SourcePos pos;
};

// [[template]]: many targets without listing each (docs/squashd.md, "Rollouts"): every
// database on one server whose name matches `pattern` (LIKE) is a target named after the
// database, found again at each step of a rollout.
struct TargetTemplate {
  std::string name;
  std::string conninfo;  // the server; each database's name is put in as dbname
  std::optional<std::string> passfile;
  std::string pattern = "%";
  std::string backup_dir;  // each database's backups go to backup_dir/<database>
  int keep_last = 7;
  int keep_days = 30;
  int min_keep = 2;
  std::optional<MaintenanceWindow> window;  // each database's
  SourcePos pos;
};

struct Schedule {
  std::string target;
  jobs::JobKind job = jobs::JobKind::backup;
  scheduler::CronExpr cron;
  std::string timezone = "UTC";
  std::shared_ptr<const scheduler::TimeZone> zone;
  std::chrono::seconds window{3600};
  nlohmann::json params = nlohmann::json::object();
  SourcePos pos;

  std::optional<scheduler::sys_seconds> next_run(scheduler::sys_seconds after) const {
    return cron.next_after(after, *zone);
  }
};

struct Config {
  std::string path;
  DaemonSettings daemon;
  std::optional<ControlSettings> control;
  std::vector<Target> targets;
  std::vector<TargetTemplate> templates;
  std::vector<Schedule> schedules;

  const Target* find_target(std::string_view name) const;
  const TargetTemplate* find_template(std::string_view name) const;
};

struct Diagnostic {
  std::string file;
  int line = 0;  // 0: the file as a whole
  int column = 0;
  std::string message;

  // "file:line:column: error: message"
  std::string to_string() const;
};

struct LoadResult {
  std::optional<Config> config;    // set exactly when errors is empty
  std::vector<Diagnostic> errors;  // sorted by position
};

// Parses and validates config text; source_name is used in diagnostics.
LoadResult parse_config(std::string_view text, const std::string& source_name,
                        scheduler::TimeZoneDb& zones);
LoadResult load_config(const std::string& path, scheduler::TimeZoneDb& zones);

}  // namespace squash::config
