// The config loader's shared parts (config/ only): the known keys, the TOML helpers and
// the Loader, whose sections are parsed in daemon_section.cpp, control_section.cpp,
// target_section.cpp, probe_section.cpp and schedule_section.cpp.
#pragma once

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "config/config.hpp"
#include "util/names.hpp"

namespace squash::config {

namespace fs = std::filesystem;
using Names = std::vector<std::string_view>;
using util::hint;

inline const Names kLogLevels = {"trace", "debug", "info", "warn", "error"};
inline const Names kLogFormats = {"text", "json"};
inline const Names kTopLevel = {"daemon", "control", "target", "template", "schedule"};
inline const Names kControlKeys = {"conninfo", "passfile", "lease_ttl", "poll_interval",
                                   "max_runs"};
inline const Names kDaemonKeys = {"listen",          "token_file",     "state_dir",
                                  "log_level",       "log_file",       "log_format",
                                  "max_connections", "header_timeout", "request_timeout"};
inline const Names kTargetKeys = {"name",        "conninfo",  "passfile", "backup_dir",
                                  "keep_last",   "keep_days", "min_keep", "probe",
                                  "window_cron", "window",    "timezone"};
inline const Names kTemplateKeys = {"name",        "conninfo",  "passfile",  "pattern",
                                    "backup_dir",  "keep_last", "keep_days", "min_keep",
                                    "window_cron", "window",    "timezone"};
inline const Names kProbeKeys = {"name",          "kind",         "url",    "method",
                                 "expect_status", "expect_reply", "send",   "timeout",
                                 "secret_file",   "headers",      "ca_file"};
inline const Names kProbeKinds = {"http", "websocket", "tcp"};
inline const Names kProbeMethods = {"GET", "HEAD"};
inline const Names kScheduleKeys = {"target", "job", "cron", "timezone", "window", "params"};

std::string_view type_name(const toml::node& n);
SourcePos pos_of(const toml::source_region& r);
// Position of character `offset` inside a string value, when the string sits on one
// line without escapes; otherwise the start of the value.
SourcePos char_pos(const toml::node& n, std::size_t offset);
bool is_absolute(const std::string& path);
bool valid_target_name(const std::string& name);

class Loader {
 public:
  Loader(std::string file, scheduler::TimeZoneDb& zones) : file_(std::move(file)), zones_(zones) {}

  LoadResult run(std::string_view text);

 private:
  void error(SourcePos p, std::string message);

  LoadResult finish();

  template <typename F>
  void parse_array(const toml::table& root, std::string_view name, F&& each) {
    auto* node = root.get(name);
    if (!node) return;
    auto* arr = node->as_array();
    if (!arr || !arr->is_array_of_tables()) {
      error(pos_of(node->source()),
            fmt::format("'{}' must be an array of tables: write [[{}]]", name, name));
      return;
    }
    int i = 0;
    for (auto& elem : *arr) each(*elem.as_table(), ++i);
  }

  void check_keys(const toml::table& t, std::string_view where, const Names& allowed);
  // A [[target]]'s or [[template]]'s window_cron, window and timezone (none without
  // window_cron; window and timezone alone are an error).
  std::optional<MaintenanceWindow> parse_maintenance_window(const toml::table& t,
                                                            std::string_view where);
  // `timezone` (default: what zone_name holds) and `window` (a duration), as a [[schedule]]
  // and a maintenance window spell them; false after reporting an error.
  bool read_time_zone(const toml::table& t, std::string_view where, std::string& zone_name,
                      std::shared_ptr<const scheduler::TimeZone>& zone);
  bool read_window_length(const toml::table& t, std::string_view where,
                          std::chrono::seconds& length);

  // The string at key: nullptr if absent (an error when required) or of the wrong type.
  const toml::value<std::string>* get_string(const toml::table& t, std::string_view where,
                                             std::string_view key, bool required);

  // An absolute path at key, or nullopt.
  std::optional<std::string> get_path(const toml::table& t, std::string_view where,
                                      std::string_view key, bool required);

  // A non-negative integer at key into out (left unchanged when absent or bad); returns
  // the node when one was read.
  const toml::node* get_count(const toml::table& t, std::string_view key, int min, int& out);

  template <typename Enum>
  void get_choice(const toml::table& t, std::string_view where, std::string_view key,
                  const Names& names, Enum& out) {
    auto* s = get_string(t, where, key, false);
    if (!s) return;
    auto it = std::find(names.begin(), names.end(), s->get());
    if (it == names.end()) {
      error(pos_of(s->source()),
            fmt::format("{} '{}' is not one of: {}", key, s->get(), fmt::join(names, ", ")));
      return;
    }
    out = static_cast<Enum>(it - names.begin());
  }

  // A duration such as "10s" or "1m" at key, at most max; nullopt when absent or bad.
  std::optional<std::chrono::seconds> get_timeout(const toml::table& t, std::string_view where,
                                                  std::string_view key, std::chrono::seconds max);

  void parse_daemon(const toml::table& t);

  // [control]: the control database shared by several daemons.
  void parse_control(const toml::table& t);

  // host:port, host an IPv4 literal, [IPv6] literal or localhost; loopback only.
  void parse_listen(const toml::value<std::string>& node);

  void parse_target(const toml::table& t, int index);
  void parse_template(const toml::table& t, int index);

  // One folder per target: retention counts and deletes the backups it finds there.
  void check_backup_dir(const std::string& target, const std::string& dir, SourcePos pos);

  // One [[target.probe]]; nullopt (with errors reported) when it is not usable.
  std::optional<probe::ProbeSpec> parse_probe(const toml::table& t, const std::string& where,
                                              const std::vector<probe::ProbeSpec>& earlier);

  void parse_schedule(const toml::table& t, int index);

  // The schedule's params, checked against its job's spec (jobspec/job_spec.hpp).
  void parse_params(const toml::table& schedule, const toml::node* params, const jobs::JobSpec& job,
                    Schedule& s);

  std::string file_;
  scheduler::TimeZoneDb& zones_;
  std::vector<Diagnostic> errors_;
  Config cfg_;
  std::map<std::string, std::uint32_t> target_lines_;
  struct BackupDir {
    fs::path path;  // canonical
    std::string dir, target;
    int line;
  };
  std::vector<BackupDir> backup_dirs_;
};

}  // namespace squash::config
