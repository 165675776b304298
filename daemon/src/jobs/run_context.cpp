#include "jobs/run_context.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "config/conninfo.hpp"
#include "scheduler/time_zone.hpp"
#include "scheduler/window.hpp"
#include "util/format.hpp"

namespace squash::jobs {

namespace chr = std::chrono;

RunContext::RunContext(api::Run run, RunSettings settings, process::Stop& stop, RunHooks hooks)
    : run_(std::move(run)),
      log_scope_({run_.id, run_.target, run_.job, {}}),
      settings_(std::move(settings)),
      stop_(stop),
      hooks_(std::move(hooks)) {
  if (auto* job = find_job(run_.job)) params_.emplace(*job, run_.params);
  if (settings_.target.passfile)
    passfile_ = std::make_unique<process::PrivatePassfile>(*settings_.target.passfile,
                                                           settings_.state_dir + "/run", run_.id);
}

RunContext::~RunContext() = default;

const JobParams& RunContext::params() const {
  if (!params_) throw StepFailed(fmt::format("unknown job {}", run_.job));
  return *params_;
}

void RunContext::persist() {
  if (hooks_.persist) hooks_.persist(run_);
}

void RunContext::publish() {
  if (hooks_.publish) hooks_.publish(run_);
}

void RunContext::check_stop() {
  auto& st = stop();
  if (st.poll(hooks_.now()) != process::StopReason::none) throw db::Stopped(st.reason());
}

void RunContext::begin_step(const std::string& name) {
  check_stop();
  auto avg = hooks_.average_step_seconds ? hooks_.average_step_seconds(name) : std::nullopt;
  if (auto refusal = scheduler::step_refusal("step " + name, avg, hooks_.now(), stop().deadline()))
    throw StepFailed(*refusal);
  api::Step s;
  s.name = name;
  s.state = api::kRunning;
  s.started_at = util::format_utc_iso8601(hooks_.now());
  run_.steps.push_back(std::move(s));
  current_ = run_.steps.size() - 1;
  step_started_ = chr::steady_clock::now();
  rate_bytes_ = 0;
  rate_at_ = step_started_;
  previous_.reset();
  previous_looked_up_ = false;
  logging::set_run_step(name);
  spdlog::info("run {}: step {} started", run_.id, name);
  persist();  // the "started" record is on disk before the step does anything
}

void RunContext::end_step(const std::exception* error) {
  if (!current_) return;
  struct Between {  // the step's own lines (finished, failed) still name it
    ~Between() { logging::set_run_step(""); }
  } between;
  auto& s = run_.steps[*current_];
  s.finished_at = util::format_utc_iso8601(hooks_.now());
  s.seconds = chr::duration<double>(chr::steady_clock::now() - step_started_).count();
  if (s.progress && *s.seconds > 0)  // the whole step's average rate
    s.progress->bytes_per_second = static_cast<double>(s.progress->bytes) / *s.seconds;
  if (s.progress) {
    s.progress->elapsed_seconds = *s.seconds;
    s.progress->eta_seconds.reset();
    if (!error && s.progress->expected_bytes) s.progress->percent = 100.0;
  }
  if (!error) {
    s.state = api::kSucceeded;
  } else if (auto* stopped = dynamic_cast<const db::Stopped*>(error)) {
    auto why = stopped->reason();
    s.state = why == process::StopReason::cancelled ? api::kCancelled
              : why == process::StopReason::shutdown || why == process::StopReason::lease_lost
                  ? api::kInterrupted
                  : api::kFailed;
    s.error = error->what();
  } else {
    s.state = api::kFailed;
    s.error = error->what();
  }
  spdlog::log(error ? spdlog::level::warn : spdlog::level::info, "run {}: step {} {} in {:.1f}s{}",
              run_.id, s.name, s.state, *s.seconds,
              error ? std::string(": ") + error->what() : std::string());
  current_.reset();
  try {
    persist();
  } catch (const std::exception& e) {
    spdlog::error("run {}: cannot journal the end of a step: {}", run_.id, e.what());
    if (!error) throw;
  }
}

void RunContext::require_time_for(const std::vector<std::string>& steps, const std::string& what) {
  check_stop();
  if (!hooks_.average_step_seconds) return;
  double total = 0;
  bool any = false;
  for (auto& s : steps)
    if (auto avg = hooks_.average_step_seconds(s)) {
      total += *avg;
      any = true;
    }
  if (auto refusal = scheduler::step_refusal(
          what, any ? std::optional<double>(total) : std::nullopt, hooks_.now(), stop().deadline()))
    throw StepFailed(*refusal);
}

void RunContext::detail(std::string text) {
  if (current_) run_.steps[*current_].detail = std::move(text);
  publish();
}

void RunContext::note(std::string text) {
  spdlog::info("run {}: {}", run_.id, text);
  run_.notes.push_back(std::move(text));
  publish();
}

void RunContext::set_partial_dir(std::optional<std::string> dir) {
  run_.partial_dir = std::move(dir);
  persist();
}

void RunContext::set_backup(std::string dir, std::optional<std::uint64_t> bytes) {
  run_.backup = std::move(dir);
  run_.backup_bytes = bytes;
  persist();
}

void RunContext::set_unreadable_backups(std::uint64_t count) {
  run_.unreadable_backups = count;
  persist();
}

void RunContext::progress(std::uint64_t bytes) {
  if (!current_) return;
  auto now = chr::steady_clock::now();
  auto& s = run_.steps[*current_];
  api::Progress p = s.progress.value_or(api::Progress{});
  double since = chr::duration<double>(now - rate_at_).count();
  if (since >= 0.5) {
    double rate = static_cast<double>(bytes - std::min(bytes, rate_bytes_)) / since;
    p.bytes_per_second = p.bytes_per_second == 0 ? rate : 0.5 * p.bytes_per_second + 0.5 * rate;
    rate_bytes_ = bytes;
    rate_at_ = now;
  }
  if (!previous_looked_up_ && hooks_.previous_step) previous_ = hooks_.previous_step(s.name);
  previous_looked_up_ = true;
  double elapsed = chr::duration<double>(now - step_started_).count();
  s.progress = estimate_progress(bytes, elapsed, p.bytes_per_second, previous_);
  publish();
}

void RunContext::add_probe_result(api::ProbeResult result) {
  run_.probes.push_back(std::move(result));
  publish();
}

std::optional<std::string> RunContext::passfile() const {
  if (!passfile_) return std::nullopt;
  return passfile_->path();
}

std::string RunContext::application_name() const {
  return "squashd " + run_.job;
}

std::string RunContext::conninfo(std::optional<std::string> dbname) const {
  auto target = hooks_.current_target ? hooks_.current_target() : std::nullopt;
  const std::string& base = target ? target->conninfo : settings_.target.conninfo;
  // The config refuses secrets; this keeps one from argv and the log whatever the source.
  if (auto secrets = config::secret_keys_in(base); !secrets.empty())
    throw StepFailed(fmt::format("the conninfo of target {} contains a secret ({}); refused",
                                 settings_.target.name, fmt::join(secrets, ", ")));
  return dbname ? db::with_dbname(base, *dbname) : base;
}

process::ChildResult RunContext::run_tool(const std::string& name, std::vector<std::string> argv,
                                          std::optional<std::string> stdout_file,
                                          std::optional<std::string> stdin_file,
                                          bool with_progress) {
  check_stop();
  process::ChildSpec spec;
  spec.argv = std::move(argv);
  spec.env = process::pg_env(settings_.tools, passfile(), application_name());
  spec.stdout_file = std::move(stdout_file);
  spec.stdin_file = std::move(stdin_file);
  std::string shown = spec.argv[0];
  for (std::size_t i = 1; i < spec.argv.size(); ++i) shown += " " + spec.argv[i];
  spdlog::debug("run {}: running {}", run_.id, shown);
  auto result =
      process::run_child(spec, stop(),
                         with_progress ? process::Progress([this](std::uint64_t b) { progress(b); })
                                       : process::Progress());
  if (result.stopped != process::StopReason::none) throw db::Stopped(result.stopped);
  if (!result.ok()) throw StepFailed(result.describe(name));
  return result;
}

db::Connection RunContext::connect(std::optional<std::string> dbname) {
  db::ConnectOptions o;
  o.passfile = passfile();
  o.application_name = application_name();
  try {
    return db::connect_with_retry(
        [&] {
          o.conninfo = conninfo();
          o.dbname = dbname;
          return db::Connection::open(o);
        },
        settings_.retry, stop(),
        [&](int attempt, chr::milliseconds delay, const std::string& error) {
          spdlog::warn(
              "run {}: cannot connect to target {} (attempt {} of {}): {}; retrying in {} ms",
              run_.id, settings_.target.name, attempt, settings_.retry.attempts, error,
              delay.count());
          if (current_)
            run_.steps[*current_].detail =
                fmt::format("connect attempt {} failed: {}; retrying", attempt, error);
          publish();
        });
  } catch (const db::PgError& e) {
    throw StepFailed(
        fmt::format("target {} is not reachable: {}", settings_.target.name, e.what()));
  }
}

}  // namespace squash::jobs
