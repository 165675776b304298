// The HTTP API's paths and JSON bodies, shared by squashd and squashctl (and nothing
// else is shared between them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace squash::api {

inline constexpr char kHealthPath[] = "/v1/health";
inline constexpr char kStatusPath[] = "/v1/status";
inline constexpr char kDefaultUrl[] = "http://127.0.0.1:8433";

// GET /v1/health
struct Health {
  std::string status;  // "ok"
  std::string version;
};

struct ScheduleStatus {
  std::string target;
  std::string job;
  std::string cron;
  std::string timezone;
  std::string window;                         // "2h"
  std::optional<std::string> next_run;        // UTC, "2025-03-30T01:00:00Z"
  std::optional<std::string> next_run_local;  // in the schedule's zone, with its offset
};

// GET /v1/status
struct Status {
  std::string version;
  std::int64_t pid = 0;
  std::string started_at;  // UTC
  std::int64_t uptime_seconds = 0;
  std::string config_path;
  std::vector<std::string> targets;
  std::vector<ScheduleStatus> schedules;
};

// Every error answer: {"error": "unauthorized", "message": "..."}
struct Error {
  std::string error;
  std::string message;
};

void to_json(nlohmann::json& j, const Health& v);
void from_json(const nlohmann::json& j, Health& v);
void to_json(nlohmann::json& j, const ScheduleStatus& v);
void from_json(const nlohmann::json& j, ScheduleStatus& v);
void to_json(nlohmann::json& j, const Status& v);
void from_json(const nlohmann::json& j, Status& v);
void to_json(nlohmann::json& j, const Error& v);
void from_json(const nlohmann::json& j, Error& v);

}  // namespace squash::api
