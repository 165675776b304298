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

}  // namespace squash::api
