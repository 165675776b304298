// What a job sees while it runs: its run record, its target, steps (each journaled
// "started" before it does anything and "finished" after), progress, children and
// libpq connections that honour the run's Stop, and the window/history check.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "api/types.hpp"
#include "config/config.hpp"
#include "db/connection.hpp"
#include "jobspec/job_spec.hpp"
#include "process/child.hpp"
#include "process/pg_tools.hpp"
#include "logging/logging.hpp"
#include "process/stop.hpp"
#include "jobs/progress_estimate.hpp"

namespace squash::jobs {

// A step failed; the message says why (it becomes the run's error).
class StepFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What the run manager provides.
struct RunHooks {
  // Makes the record durable (journal); throws when it cannot.
  std::function<void(const api::Run&)> persist;
  // Updates the in-memory copy the API shows (progress ticks).
  std::function<void(const api::Run&)> publish;
  // The recorded average duration of a step on this target.
  std::function<std::optional<double>(const std::string& step)> average_step_seconds;
  // The same step as it ended in the last succeeded run of this target and job (the
  // progress estimate's basis).
  std::function<std::optional<StepSample>(const std::string& step)> previous_step;
  // The target as configured now (a SIGHUP may have fixed its conninfo).
  std::function<std::optional<config::Target>()> current_target;
  std::function<std::chrono::system_clock::time_point()> now = [] {
    return std::chrono::system_clock::now();
  };
};

struct RunSettings {
  config::Target target;
  std::string state_dir;
  process::PgTools tools;
  db::RetryPolicy retry;
};

class RunContext {
 public:
  RunContext(api::Run run, RunSettings settings, process::Stop& stop, RunHooks hooks);
  ~RunContext();
  RunContext(const RunContext&) = delete;
  RunContext& operator=(const RunContext&) = delete;

  const api::Run& run() const { return run_; }
  const config::Target& target() const { return settings_.target; }
  const RunSettings& settings() const { return settings_; }
  process::Stop& stop() { return ignore_stop_ ? never_ : stop_; }
  // While set, the run's stop and window are ignored: cleanup and rollback steps run to
  // their end even after a cancel, SIGTERM or the window's end.
  void ignore_stop(bool on) { ignore_stop_ = on; }
  // Whether a cancel, SIGTERM or the window's end asked the run to stop (ignore_stop or not).
  bool stop_requested() { return stop_.poll(hooks_.now()) != process::StopReason::none; }
  // The run's job and its parameters (checked when the run was submitted); StepFailed
  // for a job squashd does not know.
  const JobSpec& job() const { return params().job(); }
  const JobParams& params() const;

  // Runs body as the named step: refused when the run must stop or the window's end is
  // nearer than the step's recorded average; journaled started/finished.
  template <typename F>
  auto step(const std::string& name, F&& body) -> decltype(body()) {
    begin_step(name);
    try {
      if constexpr (std::is_void_v<decltype(body())>) {
        body();
        end_step(nullptr);
      } else {
        auto result = body();
        end_step(nullptr);
        return result;
      }
    } catch (const std::exception& e) {
      end_step(&e);
      throw;
    }
  }
  // Refuses (StepFailed) unless the recorded averages of all these steps fit in the
  // window; for a destructive phase that must not start half-way.
  void require_time_for(const std::vector<std::string>& steps, const std::string& what);
  // Throws db::Stopped when the run must stop.
  void check_stop();

  void detail(std::string text);  // the current step's detail
  void note(std::string text);    // a note on the run
  void set_partial_dir(std::optional<std::string> dir);
  void set_backup(std::string dir, std::optional<std::uint64_t> bytes = std::nullopt);
  void set_unreadable_backups(std::uint64_t count);
  void progress(std::uint64_t bytes);
  void add_probe_result(api::ProbeResult result);

  // Runs a PostgreSQL client program with the clean environment and the private
  // passfile; throws StepFailed (or db::Stopped) unless it exits 0.
  process::ChildResult run_tool(const std::string& name, std::vector<std::string> argv,
                                std::optional<std::string> stdout_file = std::nullopt,
                                std::optional<std::string> stdin_file = std::nullopt,
                                bool with_progress = false);
  // Opens a connection to the target (or another database of its cluster), retrying
  // with back-off; throws StepFailed after the last attempt, db::Stopped on a stop.
  db::Connection connect(std::optional<std::string> dbname = std::nullopt);
  // The conninfo of the target as configured now, with the database replaced.
  std::string conninfo(std::optional<std::string> dbname = std::nullopt) const;

  std::optional<std::string> passfile() const;
  std::string application_name() const;
  std::chrono::system_clock::time_point now() const { return hooks_.now(); }

 private:
  void begin_step(const std::string& name);
  void end_step(const std::exception* error);
  void persist();
  void publish();

  api::Run run_;
  // This thread's log lines carry the run, target, job and step (JSON log format).
  logging::RunLogScope log_scope_;
  std::optional<JobParams> params_;  // nullopt: an unknown job
  RunSettings settings_;
  process::Stop& stop_;
  process::Stop never_;
  bool ignore_stop_ = false;
  RunHooks hooks_;
  std::unique_ptr<process::PrivatePassfile> passfile_;
  std::optional<std::size_t> current_;
  std::chrono::steady_clock::time_point step_started_;
  // progress rate: a sample from a few seconds ago
  std::uint64_t rate_bytes_ = 0;
  std::chrono::steady_clock::time_point rate_at_;
  std::optional<StepSample> previous_;  // looked up when the first bytes arrive
  bool previous_looked_up_ = false;
};

}  // namespace squash::jobs
