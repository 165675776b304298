#include "api/types.hpp"

namespace squash::api {

using nlohmann::json;

namespace {
template <typename T>
void optional_to(json& j, const char* key, const std::optional<T>& v) {
  j[key] = v ? json(*v) : json(nullptr);
}
template <typename T>
void optional_from(const json& j, const char* key, std::optional<T>& v) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null())
    v.reset();
  else
    v = it->get<T>();
}
}  // namespace

void to_json(json& j, const Health& v) {
  j = json{{"status", v.status}, {"version", v.version}};
}

void from_json(const json& j, Health& v) {
  j.at("status").get_to(v.status);
  j.at("version").get_to(v.version);
}

void to_json(json& j, const ScheduleStatus& v) {
  j = json{{"target", v.target},
           {"job", v.job},
           {"cron", v.cron},
           {"timezone", v.timezone},
           {"window", v.window}};
  optional_to(j, "next_run", v.next_run);
  optional_to(j, "next_run_local", v.next_run_local);
}

void from_json(const json& j, ScheduleStatus& v) {
  j.at("target").get_to(v.target);
  j.at("job").get_to(v.job);
  j.at("cron").get_to(v.cron);
  j.at("timezone").get_to(v.timezone);
  j.at("window").get_to(v.window);
  optional_from(j, "next_run", v.next_run);
  optional_from(j, "next_run_local", v.next_run_local);
}

void to_json(json& j, const Status& v) {
  j = json{{"version", v.version},         {"pid", v.pid},
           {"started_at", v.started_at},   {"uptime_seconds", v.uptime_seconds},
           {"config_path", v.config_path}, {"targets", v.targets},
           {"schedules", v.schedules}};
}

void from_json(const json& j, Status& v) {
  j.at("version").get_to(v.version);
  j.at("pid").get_to(v.pid);
  j.at("started_at").get_to(v.started_at);
  j.at("uptime_seconds").get_to(v.uptime_seconds);
  j.at("config_path").get_to(v.config_path);
  j.at("targets").get_to(v.targets);
  j.at("schedules").get_to(v.schedules);
}

void to_json(json& j, const Error& v) {
  j = json{{"error", v.error}, {"message", v.message}};
}

void from_json(const json& j, Error& v) {
  j.at("error").get_to(v.error);
  j.at("message").get_to(v.message);
}

void to_json(json& j, const Progress& v) {
  j = json{{"bytes", v.bytes},
           {"bytes_per_second", v.bytes_per_second},
           {"elapsed_seconds", v.elapsed_seconds}};
  optional_to(j, "expected_bytes", v.expected_bytes);
  optional_to(j, "percent", v.percent);
  optional_to(j, "eta_seconds", v.eta_seconds);
  optional_to(j, "estimated_from", v.estimated_from);
}

void from_json(const json& j, Progress& v) {
  j.at("bytes").get_to(v.bytes);
  v.bytes_per_second = j.value("bytes_per_second", 0.0);
  v.elapsed_seconds = j.value("elapsed_seconds", 0.0);
  optional_from(j, "expected_bytes", v.expected_bytes);
  optional_from(j, "percent", v.percent);
  optional_from(j, "eta_seconds", v.eta_seconds);
  optional_from(j, "estimated_from", v.estimated_from);
}

void to_json(json& j, const Step& v) {
  j = json{{"name", v.name}, {"state", v.state}, {"started_at", v.started_at}};
  optional_to(j, "finished_at", v.finished_at);
  optional_to(j, "seconds", v.seconds);
  optional_to(j, "detail", v.detail);
  optional_to(j, "error", v.error);
  optional_to(j, "progress", v.progress);
}

void from_json(const json& j, Step& v) {
  j.at("name").get_to(v.name);
  j.at("state").get_to(v.state);
  j.at("started_at").get_to(v.started_at);
  optional_from(j, "finished_at", v.finished_at);
  optional_from(j, "seconds", v.seconds);
  optional_from(j, "detail", v.detail);
  optional_from(j, "error", v.error);
  optional_from(j, "progress", v.progress);
}

void to_json(json& j, const ProbeResult& v) {
  j = json{{"name", v.name}, {"kind", v.kind}, {"url", v.url},        {"step", v.step},
           {"ok", v.ok},     {"at", v.at},     {"seconds", v.seconds}};
  optional_to(j, "status", v.status);
  optional_to(j, "reply", v.reply);
  optional_to(j, "error", v.error);
}

void from_json(const json& j, ProbeResult& v) {
  j.at("name").get_to(v.name);
  j.at("kind").get_to(v.kind);
  j.at("url").get_to(v.url);
  v.step = j.value("step", std::string("probe"));
  j.at("ok").get_to(v.ok);
  v.at = j.value("at", std::string());
  v.seconds = j.value("seconds", 0.0);
  optional_from(j, "status", v.status);
  optional_from(j, "reply", v.reply);
  optional_from(j, "error", v.error);
}

void to_json(json& j, const Run& v) {
  j = json{
      {"id", v.id},       {"seq", v.seq},         {"target", v.target}, {"job", v.job},
      {"state", v.state}, {"trigger", v.trigger}, {"params", v.params}, {"queued_at", v.queued_at}};
  optional_to(j, "started_at", v.started_at);
  optional_to(j, "finished_at", v.finished_at);
  optional_to(j, "window_end", v.window_end);
  optional_to(j, "daemon", v.daemon);
  if (v.rollout) j["rollout"] = *v.rollout;
  optional_to(j, "error", v.error);
  optional_to(j, "backup", v.backup);
  optional_to(j, "backup_bytes", v.backup_bytes);
  optional_to(j, "partial_dir", v.partial_dir);
  optional_to(j, "unreadable_backups", v.unreadable_backups);
  j["notes"] = v.notes;
  j["steps"] = v.steps;
  j["probes"] = v.probes;
}

void from_json(const json& j, Run& v) {
  j.at("id").get_to(v.id);
  v.seq = j.value("seq", std::uint64_t{0});
  j.at("target").get_to(v.target);
  j.at("job").get_to(v.job);
  j.at("state").get_to(v.state);
  v.trigger = j.value("trigger", std::string("api"));
  v.params = j.value("params", json::object());
  j.at("queued_at").get_to(v.queued_at);
  optional_from(j, "started_at", v.started_at);
  optional_from(j, "finished_at", v.finished_at);
  optional_from(j, "window_end", v.window_end);
  optional_from(j, "daemon", v.daemon);
  optional_from(j, "rollout", v.rollout);
  optional_from(j, "error", v.error);
  optional_from(j, "backup", v.backup);
  optional_from(j, "backup_bytes", v.backup_bytes);
  optional_from(j, "partial_dir", v.partial_dir);
  optional_from(j, "unreadable_backups", v.unreadable_backups);
  v.notes = j.value("notes", std::vector<std::string>{});
  v.steps = j.value("steps", std::vector<Step>{});
  v.probes = j.value("probes", std::vector<ProbeResult>{});
}

void to_json(json& j, const RunRequest& v) {
  j = json{{"target", v.target}, {"job", v.job}, {"params", v.params}};
}

void from_json(const json& j, RunRequest& v) {
  j.at("target").get_to(v.target);
  j.at("job").get_to(v.job);
  v.params = j.value("params", json::object());
}

void to_json(json& j, const RunAccepted& v) {
  j = json{{"id", v.id}, {"state", v.state}};
}

void from_json(const json& j, RunAccepted& v) {
  j.at("id").get_to(v.id);
  j.at("state").get_to(v.state);
}

void to_json(json& j, const BackupFile& v) {
  j = json{{"name", v.name}, {"size", v.size}, {"sha256", v.sha256}};
}

void from_json(const json& j, BackupFile& v) {
  j.at("name").get_to(v.name);
  j.at("size").get_to(v.size);
  j.at("sha256").get_to(v.sha256);
}

void to_json(json& j, const Backup& v) {
  j = json{{"id", v.id},
           {"directory", v.directory},
           {"completed_at", v.completed_at},
           {"size_bytes", v.size_bytes},
           {"pinned", v.pinned},
           {"revisions", v.revisions},
           {"files", v.files}};
}

void from_json(const json& j, Backup& v) {
  j.at("id").get_to(v.id);
  j.at("directory").get_to(v.directory);
  j.at("completed_at").get_to(v.completed_at);
  j.at("size_bytes").get_to(v.size_bytes);
  v.pinned = j.value("pinned", false);
  v.revisions = j.value("revisions", std::vector<std::string>{});
  v.files = j.value("files", std::vector<BackupFile>{});
}

}  // namespace squash::api
