// Runs: accepts requests (API or schedule), keeps one run at a time per target (in
// memory, the target's flock, and the advisory lock the job takes), runs each on its own
// thread, journals every transition, answers the API from memory, and stops everything
// cleanly at shutdown.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/types.hpp"
#include "config/config.hpp"
#include "control/fleet.hpp"
#include "control/rollouts.hpp"
#include "journal/journal.hpp"
#include "process/pg_tools.hpp"
#include "process/stop.hpp"
#include "runs/counters.hpp"
#include "runs/target_lock.hpp"

namespace squash::runs {

struct Submitted {
  enum class Kind { accepted, queued, busy, unknown_target, invalid, stopping, unavailable } kind;
  std::string id;       // accepted/queued: the new run; busy: the running one
  std::string message;  // busy/unknown/invalid: for the API answer
};

class RunManager {
 public:
  using Post = std::function<void(std::function<void()>)>;
  using ConfigSource = std::function<std::shared_ptr<const config::Config>()>;

  // post runs a function on the daemon's event loop (completion, queue hand-over).
  RunManager(std::string state_dir, Post post, ConfigSource config, process::PgTools tools);
  ~RunManager();
  RunManager(const RunManager&) = delete;
  RunManager& operator=(const RunManager&) = delete;

  // Loads the journal and reconciles it: queued/running runs become interrupted, their
  // partial backup directories are removed. Returns the reconciled runs' ids.
  std::vector<std::string> recover();

  // Fleet mode (a [control] section): runs are queued in the control database and
  // claimed from it by a thread that also renews this daemon's leases and expires dead
  // ones. Called once, after recover().
  void attach_fleet(std::shared_ptr<control::Fleet> fleet);
  // Fleet mode: the rollouts in the control database; null in single mode.
  control::Rollouts* rollouts() const { return rollouts_.get(); }
  // A configured target, else one of this daemon's [[template]] targets (fleet mode).
  std::optional<config::Target> resolve_target(const std::string& name) const;

  // A new run. API requests are refused (busy) while the target runs something;
  // scheduled ones queue behind it. window_end: the run stops there. dedupe_key (fleet
  // mode): a key already queued by any daemon queues nothing new.
  Submitted submit(const api::RunRequest& request, const std::string& trigger,
                   std::optional<std::chrono::sys_seconds> window_end, bool queue_when_busy,
                   const std::optional<std::string>& dedupe_key = std::nullopt);

  // elsewhere (fleet mode): running on another daemon, named in *state.
  enum class CancelOutcome { requested, cancelled_queued, not_found, already_finished, elsewhere };
  CancelOutcome cancel(const std::string& id, std::string* state = nullptr);

  std::optional<api::Run> get(const std::string& id) const;
  std::vector<api::Run> list(std::size_t limit = 200) const;  // newest first
  std::optional<double> average_step_seconds(const std::string& target,
                                             const std::string& step) const;
  // The newest run started by the schedule for this target and job.
  std::optional<api::Run> last_scheduled(const std::string& target, const std::string& job) const;
  std::size_t running_count() const;
  std::string metrics_text() const;

  // Stops every running run (children killed, recorded as interrupted), marks queued
  // ones interrupted, waits for the threads.
  void shutdown();

 private:
  struct Active {
    std::shared_ptr<process::Stop> stop;
    std::thread thread;
  };

  void start_locked(api::Run& run, std::unique_lock<std::mutex>& lk);
  void execute(api::Run run, config::Target target, std::shared_ptr<process::Stop> stop,
               std::shared_ptr<TargetLock> lock);
  void finished(const std::string& id, const std::string& target);
  void persist(const api::Run& run);
  void start_next_queued(const std::string& target);
  Submitted submit_to_fleet(const api::RunRequest& request, const std::string& trigger,
                            std::optional<std::chrono::sys_seconds> window_end,
                            bool queue_when_busy, const std::optional<std::string>& dedupe_key);
  void fleet_loop();
  // (fleet thread) renews the leases; stops the runs whose lease is gone.
  void fleet_heartbeat(std::chrono::steady_clock::time_point& last_renewed);
  // (fleet thread) expires dead leases and claims what this daemon may run.
  void fleet_poll();
  // (fleet thread) advances the rollouts and learns the targets of this daemon's templates.
  void advance_rollouts();
  // (fleet thread) a rollout's stamp gets the rollout's snapshot as a file of this daemon.
  bool prepare_rollout_run(api::Run& run);
  void stop_fleet_runs(const std::set<std::string>* keep);
  bool held_here(const api::Run& run) const;

  std::string state_dir_;
  journal::Journal journal_;
  Counters counters_;
  Post post_;
  ConfigSource config_;
  process::PgTools tools_;
  std::chrono::system_clock::time_point started_at_ = std::chrono::system_clock::now();

  mutable std::mutex mutex_;
  std::map<std::string, api::Run> runs_;     // by id
  std::map<std::string, std::string> busy_;  // target → running run id
  std::map<std::string, Active> active_;     // run id → its thread
  std::vector<std::thread> done_;            // finished threads not joined yet
  std::uint64_t next_seq_ = 1;
  bool stopping_ = false;

  std::shared_ptr<control::Fleet> fleet_;
  std::unique_ptr<control::Rollouts> rollouts_;
  std::map<std::string, config::Target> template_targets_;  // (mutex_) by name
  std::thread fleet_thread_;
  std::condition_variable fleet_wake_;
  std::atomic<bool> poll_soon_{false};  // a run was queued here: look now
};

}  // namespace squash::runs
