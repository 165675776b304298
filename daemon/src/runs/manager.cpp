#include "runs/manager.hpp"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "control/lease_rules.hpp"
#include "control/template_rules.hpp"
#include "db/connection.hpp"
#include "jobspec/job_spec.hpp"
#include "jobs/jobs.hpp"
#include "jobs/manifest.hpp"
#include "jobs/run_context.hpp"
#include "runs/metrics.hpp"
#include "scheduler/time_zone.hpp"
#include "util/files.hpp"
#include "api/version.hpp"
#include "util/format.hpp"

namespace squash::runs {

namespace chr = std::chrono;

namespace {

constexpr std::size_t kJournalKeep = 1000;

std::string now_iso() {
  return util::format_utc_iso8601(chr::system_clock::now());
}

// The final state and error of a run from how its job ended.
void conclude(api::Run& run, std::exception_ptr error) {
  run.finished_at = now_iso();
  if (!error) {
    run.state = api::kSucceeded;
    run.error.reset();
    return;
  }
  try {
    std::rethrow_exception(error);
  } catch (const db::Stopped& s) {
    switch (s.reason()) {
      case process::StopReason::cancelled:
        run.state = api::kCancelled;
        run.error = "cancelled on request";
        break;
      case process::StopReason::shutdown:
        run.state = api::kInterrupted;
        run.error = "interrupted: squashd was stopped (SIGTERM/SIGINT); children were killed";
        break;
      case process::StopReason::lease_lost:
        run.state = api::kInterrupted;
        run.error =
            "interrupted: this squashd lost the target's lease in the control database (not "
            "renewed in time); children were killed";
        break;
      default:
        run.state = api::kFailed;
        run.error = run.window_end ? fmt::format("{} ({})", api::kWindowEndedError, *run.window_end)
                                   : std::string(api::kWindowEndedError);
    }
  } catch (const std::exception& e) {
    run.state = api::kFailed;
    run.error = e.what();
  } catch (...) {
    run.state = api::kFailed;
    run.error = "unknown error";
  }
}

}  // namespace

RunManager::RunManager(std::string state_dir, Post post, ConfigSource config,
                       process::PgTools tools)
    : state_dir_(std::move(state_dir)),
      journal_(state_dir_ + "/runs"),
      counters_(state_dir_ + "/counters.json"),
      post_(std::move(post)),
      config_(std::move(config)),
      tools_(std::move(tools)) {}

RunManager::~RunManager() {
  shutdown();
}

std::vector<std::string> RunManager::recover() {
  util::ensure_dir(journal_.dir());
  std::vector<std::string> problems;
  auto runs = journal_.load(&problems);
  for (auto& p : problems) spdlog::warn("journal: skipping unreadable record {}", p);
  std::vector<std::string> reconciled;
  auto now = now_iso();
  for (auto& run : runs) {
    if (!journal::reconcile(run, now)) continue;
    if (run.partial_dir) {
      bool removed = util::remove_tree(*run.partial_dir);
      spdlog::warn("run {}: removing its partial backup {}: {}", run.id, *run.partial_dir,
                   removed ? "done" : "FAILED");
      run.notes.push_back(fmt::format("partial backup {} removed at restart", *run.partial_dir));
      run.partial_dir.reset();
    }
    spdlog::warn("run {} ({} on {}) was left {}; marked interrupted", run.id, run.job, run.target,
                 run.started_at ? "running" : "queued");
    journal_.write(run);
    reconciled.push_back(run.id);
  }
  // The run directory holds private passfile copies only while runs are alive.
  std::error_code ec;
  for (auto& e : std::filesystem::directory_iterator(state_dir_ + "/run", ec))
    std::filesystem::remove(e.path(), ec);
  counters_.load(runs);  // before pruning: every finished run is counted first
  journal_.prune(runs, kJournalKeep);
  counters_.forget_except(runs);
  std::lock_guard lk(mutex_);
  for (auto& r : runs) {
    next_seq_ = std::max(next_seq_, r.seq + 1);
    runs_[r.id] = std::move(r);
  }
  return reconciled;
}

void RunManager::persist(const api::Run& run) {
  journal_.write(run);
  counters_.count(run);  // after the journal: a crash between the two is recounted at start
  if (!held_here(run)) return;
  try {
    if (!fleet_->record(run))
      spdlog::warn("run {}: not recorded in the control database: its lease is gone", run.id);
  } catch (const std::exception& e) {
    spdlog::error("run {}: cannot record it in the control database: {}", run.id, e.what());
  }
}

bool RunManager::held_here(const api::Run& run) const {
  return fleet_ && run.daemon && *run.daemon == fleet_->me().id;
}

Submitted RunManager::submit(const api::RunRequest& request, const std::string& trigger,
                             std::optional<chr::sys_seconds> window_end, bool queue_when_busy,
                             const std::optional<std::string>& dedupe_key) {
  auto cfg = config_();
  auto target = resolve_target(request.target);
  if (!target)
    return {Submitted::Kind::unknown_target, "",
            fmt::format("no target named '{}' in {}", request.target, cfg->path)};
  const jobs::JobSpec* job = jobs::find_job(request.job);
  if (!job)
    return {Submitted::Kind::invalid, "",
            fmt::format("unknown job '{}' (one of: {})", request.job,
                        fmt::join(jobs::job_names(), ", "))};
  if (!request.params.is_object())
    return {Submitted::Kind::invalid, "", "params must be a JSON object"};
  // A bad parameter is the request's fault (400), not a run that fails later.
  if (auto problems = jobs::check_params(*job, request.params); !problems.empty())
    return {Submitted::Kind::invalid, "",
            fmt::format("job '{}': {}", job->name, problems.front().message)};
  if (fleet_) return submit_to_fleet(request, trigger, window_end, queue_when_busy, dedupe_key);

  std::unique_lock lk(mutex_);
  if (stopping_) return {Submitted::Kind::stopping, "", "squashd is shutting down"};
  auto busy = busy_.find(request.target);
  if (busy != busy_.end() && !queue_when_busy)
    return {Submitted::Kind::busy, busy->second,
            fmt::format("busy: run {} is running on target {}", busy->second, request.target)};

  api::Run run;
  run.seq = next_seq_++;
  auto now = chr::floor<chr::seconds>(chr::system_clock::now());
  run.id = journal::make_run_id(now, request.target, request.job, run.seq);
  run.target = request.target;
  run.job = request.job;
  run.trigger = trigger;
  run.params = request.params;
  run.state = api::kQueued;
  run.queued_at = util::format_utc_iso8601(now);
  if (window_end) run.window_end = util::format_utc_iso8601(*window_end);
  persist(run);
  auto& stored = runs_[run.id] = run;
  if (busy != busy_.end()) {
    spdlog::info("run {} queued: target {} is busy with {}", run.id, run.target, busy->second);
    return {Submitted::Kind::queued, run.id, ""};
  }
  start_locked(stored, lk);
  if (stored.state == api::kFailed) return {Submitted::Kind::busy, run.id, *stored.error};
  return {Submitted::Kind::accepted, run.id, ""};
}

// Starts a queued run whose target is free (mutex held).
void RunManager::start_locked(api::Run& run, std::unique_lock<std::mutex>&) {
  auto cfg = config_();
  std::optional<config::Target> target;
  if (auto* t = cfg->find_target(run.target))
    target = *t;
  else if (auto it = template_targets_.find(run.target); it != template_targets_.end())
    target = it->second;
  auto fail = [&](std::string why) {
    run.state = api::kFailed;
    run.finished_at = now_iso();
    run.error = std::move(why);
    spdlog::error("run {}: {}", run.id, *run.error);
    persist(run);
  };
  if (!target) return fail(fmt::format("target {} is no longer configured", run.target));
  if (run.window_end) {
    auto end = util::parse_utc_iso8601(*run.window_end);
    if (end && chr::system_clock::now() >= *end)
      return fail(
          fmt::format("{}{} before the run could start", api::kWindowClosedError, *run.window_end));
  }
  std::string holder;
  std::optional<TargetLock> lock;
  try {
    lock = TargetLock::try_acquire(state_dir_, run.target, run.id, &holder);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  if (!lock)
    return fail(fmt::format("busy: the lock {}/locks/{}.lock is held ({})", state_dir_, run.target,
                            holder.empty() ? "no holder recorded" : holder));
  run.state = api::kRunning;
  run.started_at = now_iso();
  persist(run);
  busy_[run.target] = run.id;
  auto stop = std::make_shared<process::Stop>();
  if (run.window_end)
    if (auto end = util::parse_utc_iso8601(*run.window_end)) stop->set_deadline(*end);
  spdlog::info("run {} started: {} on {} ({}){}", run.id, run.job, run.target, run.trigger,
               run.window_end ? " until " + *run.window_end : std::string());
  auto shared_lock = std::make_shared<TargetLock>(std::move(*lock));
  active_[run.id] = Active{stop, std::thread([this, run, t = *target, stop, shared_lock]() mutable {
                             execute(std::move(run), std::move(t), stop, std::move(shared_lock));
                           })};
}

void RunManager::execute(api::Run run, config::Target target, std::shared_ptr<process::Stop> stop,
                         std::shared_ptr<TargetLock> lock) {
  const std::string id = run.id, target_name = run.target;
  jobs::RunHooks hooks;
  hooks.persist = [this](const api::Run& r) {
    persist(r);
    std::lock_guard lk(mutex_);
    runs_[r.id] = r;
  };
  hooks.publish = [this](const api::Run& r) {
    std::lock_guard lk(mutex_);
    runs_[r.id] = r;
  };
  hooks.average_step_seconds = [this, target_name](const std::string& step) {
    return average_step_seconds(target_name, step);
  };
  hooks.previous_step = [this, target_name, job = run.job](const std::string& step) {
    std::vector<api::Run> runs;
    {
      std::lock_guard lk(mutex_);
      for (auto& [id, r] : runs_)
        if (r.target == target_name && r.job == job && r.state == api::kSucceeded)
          runs.push_back(r);
    }
    return jobs::last_step_sample(runs, target_name, job, step);
  };
  hooks.current_target = [this, target_name]() -> std::optional<config::Target> {
    return resolve_target(target_name);
  };
  jobs::RunSettings settings{std::move(target), state_dir_, tools_, db::RetryPolicy::from_env()};
  api::Run final_record = run;
  std::exception_ptr error;
  try {
    jobs::RunContext ctx(run, std::move(settings), *stop, hooks);
    try {
      jobs::run_job(ctx);
    } catch (...) {
      error = std::current_exception();
    }
    final_record = ctx.run();
  } catch (...) {  // the context itself (passfile copy) failed
    error = std::current_exception();
  }
  conclude(final_record, error);
  if (final_record.state != api::kSucceeded && final_record.partial_dir) {
    util::remove_tree(*final_record.partial_dir);
    final_record.notes.push_back(
        fmt::format("partial backup {} removed", *final_record.partial_dir));
    final_record.partial_dir.reset();
  }
  for (auto& s : final_record.steps)
    if (s.state == api::kRunning) s.state = final_record.state;
  try {
    persist(final_record);
  } catch (const std::exception& e) {
    spdlog::error("run {}: cannot journal its end: {}", id, e.what());
  }
  auto level = final_record.state == api::kSucceeded ? spdlog::level::info : spdlog::level::warn;
  spdlog::log(level, "run {} {}{}", id, final_record.state,
              final_record.error ? ": " + *final_record.error : std::string());
  lock.reset();  // the target's flock goes before the target is free again
  {
    std::lock_guard lk(mutex_);
    runs_[id] = final_record;
    if (busy_[target_name] == id) busy_.erase(target_name);
  }
  post_([this, id, target_name] { finished(id, target_name); });
}

void RunManager::finished(const std::string& id, const std::string& target) {
  std::thread t;
  {
    std::lock_guard lk(mutex_);
    auto it = active_.find(id);
    if (it == active_.end()) return;
    t = std::move(it->second.thread);
    active_.erase(it);
  }
  if (t.joinable()) t.join();
  start_next_queued(target);
}

void RunManager::start_next_queued(const std::string& target) {
  std::unique_lock lk(mutex_);
  if (stopping_ || busy_.count(target)) return;
  api::Run* next = nullptr;
  for (auto& [id, r] : runs_)
    if (r.target == target && r.state == api::kQueued && (!next || r.seq < next->seq)) next = &r;
  if (!next) return;
  start_locked(*next, lk);
  if (next->state == api::kFailed) {
    lk.unlock();
    start_next_queued(target);
  }
}

std::optional<config::Target> RunManager::resolve_target(const std::string& name) const {
  auto cfg = config_();
  if (auto* t = cfg->find_target(name)) return *t;
  std::lock_guard lk(mutex_);
  if (auto it = template_targets_.find(name); it != template_targets_.end()) return it->second;
  return std::nullopt;
}

void RunManager::attach_fleet(std::shared_ptr<control::Fleet> fleet) {
  fleet_ = std::move(fleet);
  rollouts_ = std::make_unique<control::Rollouts>(*fleet_);
  fleet_thread_ = std::thread([this] { fleet_loop(); });
}

Submitted RunManager::submit_to_fleet(const api::RunRequest& request, const std::string& trigger,
                                      std::optional<chr::sys_seconds> window_end,
                                      bool queue_when_busy,
                                      const std::optional<std::string>& dedupe_key) {
  {
    std::lock_guard lk(mutex_);
    if (stopping_) return {Submitted::Kind::stopping, "", "squashd is shutting down"};
  }
  api::Run run;
  run.target = request.target;
  run.job = request.job;
  run.trigger = trigger;
  run.params = request.params;
  run.state = api::kQueued;
  run.queued_at = util::format_utc_iso8601(chr::floor<chr::seconds>(chr::system_clock::now()));
  if (window_end) run.window_end = util::format_utc_iso8601(*window_end);
  control::Enqueued e;
  try {
    e = fleet_->enqueue(run, !queue_when_busy, dedupe_key);
  } catch (const std::exception& ex) {
    return {Submitted::Kind::unavailable, "",
            fmt::format("the control database cannot take the run: {}", ex.what())};
  }
  switch (e.kind) {
    case control::Enqueued::Kind::busy:
      return {Submitted::Kind::busy, e.run.id,
              fmt::format("busy: run {} is {} on target {}{}", e.run.id, e.run.state,
                          request.target, e.run.daemon ? " (daemon " + *e.run.daemon + ")" : "")};
    case control::Enqueued::Kind::duplicate:
      spdlog::info("run {} was queued already by another daemon ({})", e.run.id, *dedupe_key);
      return {Submitted::Kind::queued, e.run.id, ""};
    default:
      spdlog::info("run {} queued in the control database: {} on {} ({})", e.run.id, e.run.job,
                   e.run.target, trigger);
      {
        std::lock_guard lk(mutex_);  // the loop checks the flag under the mutex
        poll_soon_ = true;
      }
      fleet_wake_.notify_all();
      return {Submitted::Kind::queued, e.run.id, ""};
  }
}

void RunManager::fleet_loop() {
  using clock = chr::steady_clock;
  const auto& settings = fleet_->settings();
  auto last_renewed = clock::now();
  auto next_beat = clock::now();
  auto next_poll = clock::now();
  std::unique_lock lk(mutex_);
  while (!stopping_) {
    lk.unlock();
    if (clock::now() >= next_beat) {
      fleet_heartbeat(last_renewed);
      next_beat = clock::now() + control::heartbeat_every(settings.lease_ttl);
    }
    if (poll_soon_.exchange(false) || clock::now() >= next_poll) {
      fleet_poll();
      next_poll = clock::now() + settings.poll_interval;
    }
    lk.lock();
    fleet_wake_.wait_until(lk, std::min(next_poll, next_beat),
                           [this] { return stopping_ || poll_soon_.load(); });
  }
}

void RunManager::fleet_heartbeat(chr::steady_clock::time_point& last_renewed) {
  auto lease_ttl = fleet_->settings().lease_ttl;
  try {
    auto held = fleet_->heartbeat();
    last_renewed = chr::steady_clock::now();
    stop_fleet_runs(&held);
  } catch (const std::exception& e) {
    spdlog::warn("control database: cannot renew this daemon's leases: {}", e.what());
    // Before another daemon may take the targets, give them up.
    if (control::renewal_overdue(last_renewed, chr::steady_clock::now(), lease_ttl))
      stop_fleet_runs(nullptr);
  }
}

// Stops the runs this daemon holds in the control database that are not in *keep
// (every one when keep is null).
void RunManager::stop_fleet_runs(const std::set<std::string>* keep) {
  std::lock_guard lk(mutex_);
  for (auto& [id, a] : active_) {
    auto it = runs_.find(id);
    if (it == runs_.end() || !held_here(it->second) || (keep && keep->count(id))) continue;
    if (a.stop->reason() != process::StopReason::none) continue;
    spdlog::error("run {}: its lease in the control database is lost; stopping it", id);
    a.stop->request(process::StopReason::lease_lost);
  }
}

void RunManager::fleet_poll() {
  try {
    for (auto& e : fleet_->expire())
      spdlog::warn(
          "run {} on {}: the lease of daemon {} expired at {}; run marked interrupted, target "
          "free",
          e.run_id, e.target, e.daemon, e.expired_at);
  } catch (const std::exception& e) {
    spdlog::warn("control database: cannot expire leases: {}", e.what());
  }
  advance_rollouts();
  auto max_runs = static_cast<std::size_t>(fleet_->settings().max_runs);
  for (;;) {
    // Free targets; those whose own maintenance window is open (or that have none) may
    // also take a rollout's stamp, which then ends with that window.
    std::vector<std::string> free, open;
    std::map<std::string, scheduler::sys_seconds> closes;
    const auto now = chr::floor<chr::seconds>(chr::system_clock::now());
    {
      std::lock_guard lk(mutex_);
      if (stopping_ || active_.size() >= max_runs) return;
      auto consider = [&](const config::Target& t) {
        if (busy_.count(t.name)) return;
        free.push_back(t.name);
        if (!t.window) {
          open.push_back(t.name);
        } else if (auto until = t.window->open_until(now)) {
          open.push_back(t.name);
          closes[t.name] = *until;
        }
      };
      for (auto& t : config_()->targets) consider(t);
      for (auto& [name, t] : template_targets_) consider(t);
    }
    std::optional<api::Run> claimed;
    try {
      claimed = fleet_->claim(free, open);
    } catch (const std::exception& e) {
      spdlog::warn("control database: cannot claim a run: {}", e.what());
      return;
    }
    if (!claimed) return;
    if (claimed->rollout && closes.count(claimed->target) && !claimed->window_end)
      claimed->window_end = util::format_utc_iso8601(closes[claimed->target]);
    spdlog::info("run {} claimed from the control database: {} on {}{}", claimed->id, claimed->job,
                 claimed->target,
                 claimed->window_end ? " until " + *claimed->window_end : std::string());
    bool prepared = prepare_rollout_run(*claimed);
    std::unique_lock lk(mutex_);
    next_seq_ = std::max(next_seq_, claimed->seq + 1);
    auto& stored = runs_[claimed->id] = *claimed;
    if (stopping_) {
      stored.state = api::kInterrupted;
      stored.finished_at = now_iso();
      stored.error = "interrupted: squashd stopped as it claimed the run";
      persist(stored);
      return;
    }
    if (!prepared) {
      stored.state = api::kFailed;
      stored.finished_at = now_iso();
      stored.error =
          "the rollout's snapshot could not be read from the control database or "
          "written to " +
          state_dir_ + "/rollouts";
      persist(stored);
      continue;
    }
    start_locked(stored, lk);
  }
}

void RunManager::advance_rollouts() {
  auto cfg = config_();
  auto expand = [](const config::TargetTemplate& tpl, const std::string& pattern) {
    db::ConnectOptions o;
    o.conninfo = tpl.conninfo;
    o.passfile = tpl.passfile;
    o.application_name = "squashd template";
    auto conn = db::Connection::open(o);
    std::vector<std::string> names;
    for (auto& r : conn.query(control::kTemplateDatabases, {tpl.pattern, pattern}).rows)
      if (r[0]) names.push_back(*r[0]);
    return names;
  };
  try {
    for (auto& e : rollouts_->advance(*cfg, expand)) spdlog::info("{}", e);
    std::vector<std::string> mine;
    for (auto& t : cfg->templates) mine.push_back(t.name);
    std::map<std::string, config::Target> found;
    for (auto& [name, where] : rollouts_->template_targets(mine)) {
      auto* tpl = cfg->find_template(where.first);
      if (cfg->find_target(name) || !tpl) continue;
      if (auto t = control::template_target(*tpl, where.second)) found.emplace(name, std::move(*t));
    }
    std::lock_guard lk(mutex_);
    template_targets_ = std::move(found);
  } catch (const std::exception& e) {
    spdlog::warn("control database: cannot advance the rollouts: {}", e.what());
  }
}

bool RunManager::prepare_rollout_run(api::Run& run) {
  if (!run.rollout) return true;
  try {
    auto document = rollouts_->snapshot(*run.rollout);
    if (!document) return false;
    // One file per rollout, written once: every stamp of the rollout reads the same bytes.
    auto dir = state_dir_ + "/rollouts";
    util::ensure_dir(dir);
    auto path = dir + "/" + *run.rollout + ".json";
    if (!std::filesystem::exists(path)) util::write_file_atomic(path, *document);
    run.params["expect_file"] = path;
    return true;
  } catch (const std::exception& e) {
    spdlog::error("run {}: rollout {}: {}", run.id, *run.rollout, e.what());
    return false;
  }
}

RunManager::CancelOutcome RunManager::cancel(const std::string& id, std::string* state) {
  std::unique_lock lk(mutex_);
  auto it = runs_.find(id);
  if (fleet_ && (it == runs_.end() || !active_.count(id))) {
    lk.unlock();
    std::optional<api::Run> found;
    if (auto cancelled = fleet_->cancel_queued(id, &found)) {
      if (state) *state = cancelled->state;
      return CancelOutcome::cancelled_queued;
    }
    if (!found) return CancelOutcome::not_found;
    if (state) *state = found->state;
    if (found->state == api::kRunning && found->daemon) {
      if (state) *state = *found->daemon;
      return CancelOutcome::elsewhere;
    }
    return CancelOutcome::already_finished;
  }
  if (it == runs_.end()) return CancelOutcome::not_found;
  auto& run = it->second;
  if (state) *state = run.state;
  if (run.state == api::kQueued) {
    run.state = api::kCancelled;
    run.finished_at = now_iso();
    run.error = "cancelled on request before it started";
    persist(run);
    if (state) *state = run.state;
    return CancelOutcome::cancelled_queued;
  }
  auto active = active_.find(id);
  if (run.state != api::kRunning || active == active_.end()) return CancelOutcome::already_finished;
  active->second.stop->request(process::StopReason::cancelled);
  spdlog::info("run {}: cancel requested", id);
  return CancelOutcome::requested;
}

std::optional<api::Run> RunManager::get(const std::string& id) const {
  {
    std::lock_guard lk(mutex_);
    auto it = runs_.find(id);
    // A run this daemon runs has its byte progress only here.
    if (it != runs_.end() && (!fleet_ || active_.count(id))) return it->second;
  }
  if (fleet_) {
    try {
      if (auto run = fleet_->get(id)) return run;
    } catch (const std::exception& e) {
      spdlog::warn("control database: cannot read run {}: {}", id, e.what());
    }
  }
  std::lock_guard lk(mutex_);
  auto it = runs_.find(id);
  if (it == runs_.end()) return std::nullopt;
  return it->second;
}

std::vector<api::Run> RunManager::list(std::size_t limit) const {
  std::vector<api::Run> out;
  if (fleet_) {
    try {
      out = fleet_->list(limit);
      std::lock_guard lk(mutex_);
      for (auto& r : out)
        if (active_.count(r.id)) r = runs_.at(r.id);
      return out;
    } catch (const std::exception& e) {
      spdlog::warn("control database: cannot list the fleet's runs ({}); this daemon's only",
                   e.what());
      out.clear();
    }
  }
  {
    std::lock_guard lk(mutex_);
    for (auto& [id, r] : runs_) out.push_back(r);
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.seq > b.seq; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

std::optional<double> RunManager::average_step_seconds(const std::string& target,
                                                       const std::string& step) const {
  std::vector<api::Run> runs;
  {
    std::lock_guard lk(mutex_);
    for (auto& [id, r] : runs_)
      if (r.target == target && r.finished()) runs.push_back(r);
  }
  std::sort(runs.begin(), runs.end(), [](auto& a, auto& b) { return a.seq < b.seq; });
  return journal::average_step_seconds(runs, target, step);
}

std::optional<api::Run> RunManager::last_scheduled(const std::string& target,
                                                   const std::string& job) const {
  std::lock_guard lk(mutex_);
  const api::Run* best = nullptr;
  for (auto& [id, r] : runs_)
    if (r.target == target && r.job == job && r.trigger == "schedule" &&
        (!best || r.seq > best->seq))
      best = &r;
  if (!best) return std::nullopt;
  return *best;
}

std::size_t RunManager::running_count() const {
  std::lock_guard lk(mutex_);
  return busy_.size();
}

std::string RunManager::metrics_text() const {
  std::vector<api::Run> runs;
  {
    std::lock_guard lk(mutex_);
    for (auto& [id, r] : runs_) runs.push_back(r);
  }
  double start =
      static_cast<double>(chr::duration_cast<chr::seconds>(started_at_.time_since_epoch()).count());
  auto text = render_metrics(runs, counters_.values(), start, std::string(kVersion));
  if (rollouts_) try {
      text += rollouts_->metrics_text();
    } catch (const std::exception& e) {
      spdlog::warn("control database: no rollout metrics: {}", e.what());
    }
  return text;
}

void RunManager::shutdown() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lk(mutex_);
    if (stopping_ && active_.empty() && !fleet_thread_.joinable()) return;
    stopping_ = true;
  }
  fleet_wake_.notify_all();
  if (fleet_thread_.joinable()) fleet_thread_.join();
  {
    std::lock_guard lk(mutex_);
    for (auto& [id, a] : active_) {
      spdlog::info("run {}: stopping (squashd is shutting down)", id);
      a.stop->request(process::StopReason::shutdown);
    }
    for (auto& [id, r] : runs_) {
      if (r.state != api::kQueued) continue;
      r.state = api::kInterrupted;
      r.finished_at = now_iso();
      r.error = "interrupted: squashd stopped before the queued run started";
      try {
        persist(r);
      } catch (const std::exception& e) {
        spdlog::error("run {}: {}", id, e.what());
      }
    }
    for (auto& [id, a] : active_) threads.push_back(std::move(a.thread));
    active_.clear();
  }
  for (auto& t : threads)
    if (t.joinable()) t.join();
  if (fleet_) {
    try {
      fleet_->sign_off();
    } catch (const std::exception& e) {
      spdlog::warn("control database: cannot sign off: {}", e.what());
    }
  }
}

}  // namespace squash::runs
