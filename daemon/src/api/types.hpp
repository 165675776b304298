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
inline constexpr char kRunsPath[] = "/v1/runs";                       // GET list, POST submit
inline constexpr char kRunPath[] = "/v1/runs/{id}";                   // GET one
inline constexpr char kRunCancelPath[] = "/v1/runs/{id}/cancel";      // POST
inline constexpr char kBackupsPath[] = "/v1/targets/{name}/backups";  // GET
// GET ?against=LABEL[&format=json|sql][&allow_destructive=true]
inline constexpr char kDiffPath[] = "/v1/targets/{name}/diff";
// Fleet mode: rollouts (GET list, POST create; GET one; POST pause, resume) and the
// fleet's targets.
inline constexpr char kRolloutsPath[] = "/v1/rollouts";
inline constexpr char kRolloutPath[] = "/v1/rollouts/{id}";
inline constexpr char kRolloutPausePath[] = "/v1/rollouts/{id}/pause";
inline constexpr char kRolloutResumePath[] = "/v1/rollouts/{id}/resume";
inline constexpr char kFleetTargetsPath[] = "/v1/fleet/targets";
inline constexpr char kMetricsPath[] = "/metrics";  // Prometheus text, no token

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

// Run states (docs/design.md): queued, running, succeeded, failed, interrupted, cancelled.
inline constexpr char kQueued[] = "queued";
inline constexpr char kRunning[] = "running";
inline constexpr char kSucceeded[] = "succeeded";
inline constexpr char kFailed[] = "failed";
inline constexpr char kInterrupted[] = "interrupted";
// How a failed run's error begins when its maintenance window, not the job, ended it.
inline constexpr char kWindowEndedError[] = "stopped at the end of the maintenance window";
inline constexpr char kWindowClosedError[] = "the maintenance window closed at ";
inline constexpr char kCancelled[] = "cancelled";
// Step states: running, succeeded, failed, skipped, plus the run's interrupted/cancelled.

// A long step's progress (bytes written by pg_dump, and the rate over the last seconds),
// with an estimate from the same step of the last succeeded run of the target and job.
struct Progress {
  std::uint64_t bytes = 0;
  double bytes_per_second = 0;
  double elapsed_seconds = 0;
  std::optional<std::uint64_t> expected_bytes;  // that step's size then
  std::optional<double> percent;                // of expected_bytes; 99 at most while running
  std::optional<double> eta_seconds;            // time left; absent when past expected_bytes
  std::optional<std::string> estimated_from;    // that run's id
};

struct Step {
  std::string name;   // "dump-full", "verify", ...
  std::string state;  // running, succeeded, failed, skipped, interrupted, cancelled
  std::string started_at;
  std::optional<std::string> finished_at;
  std::optional<double> seconds;  // duration once finished
  std::optional<std::string> detail;
  std::optional<std::string> error;
  std::optional<Progress> progress;
};

// One application probe's outcome ([[target.probe]]), as run by a step of a run.
struct ProbeResult {
  std::string name;
  std::string kind;  // http, websocket, tcp
  std::string url;   // as configured (never holds credentials)
  std::string step;  // the step that ran it: "probe", "rollback-probe"
  bool ok = false;
  std::string at;  // UTC, when it started
  double seconds = 0;
  std::optional<int> status;         // http: the answer's status code
  std::optional<std::string> reply;  // the start of the body or reply, secrets masked
  std::optional<std::string> error;  // why it failed
};

// One run of a job on a target: the journal record and the API's answer.
struct Run {
  std::string id;  // "20261124T020000Z-kidney-backup-17"
  std::uint64_t seq = 0;
  std::string target;
  std::string job;
  std::string state;
  std::string trigger;  // "api" or "schedule"
  nlohmann::json params = nlohmann::json::object();
  std::string queued_at;
  std::optional<std::string> started_at;
  std::optional<std::string> finished_at;
  std::optional<std::string> window_end;  // the run stops here
  // With a control database: the squashd that claimed and ran it (its daemon id).
  std::optional<std::string> daemon;
  std::optional<std::string> rollout;  // the rollout that queued it
  std::optional<std::string> error;
  std::optional<std::string> backup;          // the backup directory a run made or used
  std::optional<std::uint64_t> backup_bytes;  // its size, when this run made it
  std::optional<std::string> partial_dir;     // removed when the run does not succeed
  // Backup directories of the target its retention kept unread (manifest unreadable or
  // not matching); set by the runs that apply retention.
  std::optional<std::uint64_t> unreadable_backups;
  std::vector<std::string> notes;
  std::vector<Step> steps;
  std::vector<ProbeResult> probes;

  bool finished() const { return state != kQueued && state != kRunning; }
};

// POST /v1/runs
struct RunRequest {
  std::string target;
  std::string job;
  nlohmann::json params = nlohmann::json::object();
};
// 202 answer
struct RunAccepted {
  std::string id;
  std::string state;
};

struct BackupFile {
  std::string name;
  std::uint64_t size = 0;
  std::string sha256;
};

// GET /v1/targets/{name}/backups: one verified backup.
struct Backup {
  std::string id;  // the run id that made it
  std::string directory;
  std::string completed_at;
  std::uint64_t size_bytes = 0;
  bool pinned = false;
  std::vector<std::string> revisions;
  std::vector<BackupFile> files;
};

// GET /v1/targets/{name}/diff: the target's live schema against a snapshot stored there.
struct DiffRequest {
  std::string against;  // the snapshot's label
  bool sql = false;     // the repair script (squash_diff_sql) instead of the differences
  bool allow_destructive = false;
};

void to_json(nlohmann::json& j, const Progress& v);
void from_json(const nlohmann::json& j, Progress& v);
void to_json(nlohmann::json& j, const Step& v);
void from_json(const nlohmann::json& j, Step& v);
void to_json(nlohmann::json& j, const ProbeResult& v);
void from_json(const nlohmann::json& j, ProbeResult& v);
void to_json(nlohmann::json& j, const Run& v);
void from_json(const nlohmann::json& j, Run& v);
void to_json(nlohmann::json& j, const RunRequest& v);
void from_json(const nlohmann::json& j, RunRequest& v);
void to_json(nlohmann::json& j, const RunAccepted& v);
void from_json(const nlohmann::json& j, RunAccepted& v);
void to_json(nlohmann::json& j, const BackupFile& v);
void from_json(const nlohmann::json& j, BackupFile& v);
void to_json(nlohmann::json& j, const Backup& v);
void from_json(const nlohmann::json& j, Backup& v);

void to_json(nlohmann::json& j, const Health& v);
void from_json(const nlohmann::json& j, Health& v);
void to_json(nlohmann::json& j, const ScheduleStatus& v);
void from_json(const nlohmann::json& j, ScheduleStatus& v);
void to_json(nlohmann::json& j, const Status& v);
void from_json(const nlohmann::json& j, Status& v);
void to_json(nlohmann::json& j, const Error& v);
void from_json(const nlohmann::json& j, Error& v);

}  // namespace squash::api
