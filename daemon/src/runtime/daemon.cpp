#include "runtime/daemon.hpp"

#include <algorithm>
#include <csignal>
#include <mutex>
#include <iostream>
#include <optional>
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include "control/fleet.hpp"
#include "control/lease_rules.hpp"
#include "control/schema.hpp"
#include "http/api_routes.hpp"
#include "api/token_file.hpp"
#include "http/server.hpp"
#include "jobs/manifest.hpp"
#include "jobs/schema_diff.hpp"
#include "logging/logging.hpp"
#include "process/pg_tools.hpp"
#include "runs/manager.hpp"
#include "runtime/fleet_api.hpp"
#include "runtime/state_lock.hpp"
#include "runtime/systemd_notify.hpp"
#include "scheduler/duration.hpp"
#include "runtime/planner.hpp"
#include "scheduler/window.hpp"
#include "api/version.hpp"
#include "util/format.hpp"

namespace squash::runtime {

namespace asio = boost::asio;
namespace chr = std::chrono;

namespace {

// GET /v1/targets/{name}/diff, on an HTTP worker thread.
http::Response diff_response(const config::Target& target, const std::string& state_dir,
                             const api::DiffRequest& request, process::Stop& stop) {
  using Kind = jobs::DiffFailed::Kind;
  try {
    return http::json_response(200, jobs::diff_target(target, state_dir, request, stop));
  } catch (const jobs::DiffFailed& e) {
    switch (e.kind()) {
      case Kind::unreachable:
        return http::error_response(502, "target_unreachable", e.what());
      case Kind::no_extension:
        return http::error_response(409, "no_extension", e.what());
      case Kind::stopped:
        return http::error_response(503, "stopping", e.what());
      default:
        return http::error_response(422, "refused", e.what());
    }
  }
}

scheduler::sys_seconds now_seconds() {
  return chr::floor<chr::seconds>(chr::system_clock::now());
}

const char* signal_name(int sig) {
  switch (sig) {
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "a signal";
  }
}

// The HTTP limits of the configuration, the cap kept well below the open-file limit so
// that runs still open their files, pipes and connections during a flood.
http::Limits http_limits(const config::DaemonSettings& d) {
  http::Limits limits;
  limits.header_timeout = d.header_timeout;
  limits.request_timeout = d.request_timeout;
  auto wanted = static_cast<std::size_t>(d.max_connections);
  limits.max_connections = wanted;
  rlimit nofile{};
  if (::getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY) {
    limits.max_connections = http::connection_cap(wanted, nofile.rlim_cur);
    if (limits.max_connections < wanted)
      spdlog::warn(
          "max_connections {} is more than a quarter of the open-file limit ({}, ulimit -n); "
          "using {} so that runs keep descriptors for their files",
          wanted, static_cast<std::uint64_t>(nofile.rlim_cur), limits.max_connections);
  }
  return limits;
}
}  // namespace

api::Status make_status(const config::Config& config, scheduler::sys_seconds started_at,
                        scheduler::sys_seconds now) {
  api::Status s;
  s.version = std::string(kVersion);
  s.pid = ::getpid();
  s.started_at = util::format_utc_iso8601(started_at);
  s.uptime_seconds = (now - started_at).count();
  s.config_path = config.path;
  for (const auto& t : config.targets) s.targets.push_back(t.name);
  for (const auto& sch : config.schedules) {
    api::ScheduleStatus out{sch.target,   std::string(jobs::to_string(sch.job)),  sch.cron.text(),
                            sch.timezone, scheduler::format_duration(sch.window), std::nullopt,
                            std::nullopt};
    if (auto next = sch.next_run(now)) {
      out.next_run = util::format_utc_iso8601(*next);
      out.next_run_local = scheduler::format_local_iso8601(*next, *sch.zone);
    }
    s.schedules.push_back(std::move(out));
  }
  return s;
}

struct Daemon::Impl {
  Impl(config::Config cfg, std::shared_ptr<scheduler::TimeZoneDb> zones)
      : config(std::move(cfg)),
        zones(std::move(zones)),
        shared_config(std::make_shared<const config::Config>(config)),
        signals(io, SIGINT, SIGTERM, SIGHUP),
        timer(io),
        watchdog(io),
        router(http::make_api_router(api_sources())),
        server(io, [this](const http::Request& r) { return router.dispatch(r, token); }) {}

  http::ApiSources api_sources() {
    http::ApiSources s;
    s.status = [this] { return make_status(config, started_at, now_seconds()); };
    s.runs = [this] { return runs ? runs->list() : std::vector<api::Run>{}; };
    s.run = [this](const std::string& id) {
      return runs ? runs->get(id) : std::optional<api::Run>{};
    };
    s.submit = [this](const api::RunRequest& request) {
      using Kind = runs::Submitted::Kind;
      auto r = runs->submit(request, "api", std::nullopt, false);
      switch (r.kind) {
        case Kind::accepted:
          return http::SubmitAnswer{202, r.id, api::kRunning, "", ""};
        case Kind::queued:
          return http::SubmitAnswer{202, r.id, api::kQueued, "", ""};
        case Kind::busy:
          return http::SubmitAnswer{409, r.id, "", "busy", r.message};
        case Kind::unknown_target:
          return http::SubmitAnswer{404, "", "", "not_found", r.message};
        case Kind::invalid:
          return http::SubmitAnswer{400, "", "", "bad_request", r.message};
        case Kind::unavailable:
          return http::SubmitAnswer{503, "", "", "control_unavailable", r.message};
        default:
          return http::SubmitAnswer{503, "", "", "stopping", r.message};
      }
    };
    s.cancel = [this](const std::string& id) {
      using O = runs::RunManager::CancelOutcome;
      std::string state;
      switch (runs->cancel(id, &state)) {
        case O::requested:
          return http::SubmitAnswer{202, id, "cancelling", "", ""};
        case O::cancelled_queued:
          return http::SubmitAnswer{200, id, api::kCancelled, "", ""};
        case O::not_found:
          return http::SubmitAnswer{404, id, "", "not_found", fmt::format("no run with id {}", id)};
        case O::elsewhere:
          return http::SubmitAnswer{
              409, id, api::kRunning, "elsewhere",
              fmt::format("run {} is running on daemon {}: cancel it through that daemon", id,
                          state)};
        default:
          return http::SubmitAnswer{409, id, state, "finished",
                                    fmt::format("run {} has already finished ({})", id, state)};
      }
    };
    s.backups = [this](const std::string& name) -> std::optional<std::vector<api::Backup>> {
      const auto* t = config.find_target(name);
      if (!t) return std::nullopt;
      std::vector<api::Backup> out;
      for (auto& b : jobs::scan_backups(t->backup_dir, t->name, false)) {
        if (!b.verified) continue;
        api::Backup a;
        a.id = b.manifest->run_id;
        a.directory = b.path;
        a.completed_at = b.manifest->completed_at;
        a.size_bytes = b.size_bytes;
        a.pinned = b.pinned;
        a.revisions = b.manifest->revisions;
        for (auto& f : b.manifest->files) a.files.push_back({f.name, f.size, f.sha256});
        out.push_back(std::move(a));
      }
      std::sort(out.begin(), out.end(),
                [](auto& x, auto& y) { return x.completed_at > y.completed_at; });
      return out;
    };
    s.metrics = [this] { return runs ? runs->metrics_text() : std::string(); };
    s.diff = [this](const std::string& name,
                    const api::DiffRequest& request) -> std::optional<http::Reply> {
      const auto* t = config.find_target(name);
      if (!t) return std::nullopt;
      return http::Reply::later(
          [target = *t, state_dir = config.daemon.state_dir, request, stop = &api_stop]() {
            return diff_response(target, state_dir, request, *stop);
          });
    };
    add_fleet_sources(
        s, [this] { return runs.get(); }, config.daemon.state_dir, &api_stop);
    return s;
  }

  std::shared_ptr<const config::Config> current_config() {
    std::lock_guard lk(config_mutex);
    return shared_config;
  }

  // The scheduler: start what is due, skip (and log once) what was missed, sleep until
  // the next time but never more than 30 s (wall-clock jumps are noticed).
  void schedule_tick() {
    if (stopping) return;
    auto now = now_seconds();
    std::vector<Planner::Missed> missed;
    auto due = planner.due(config, now, &missed);
    for (auto& m : missed) {
      auto& s = config.schedules[m.schedule];
      spdlog::warn(
          "schedule {} {}: skipped {} run(s) due {} .. {} (their window had closed); no "
          "catch-up",
          s.target, jobs::to_string(s.job), m.count,
          scheduler::format_local_iso8601(m.first, *s.zone),
          scheduler::format_local_iso8601(m.last, *s.zone));
    }
    for (auto& d : due) {
      auto& s = config.schedules[d.schedule];
      api::RunRequest request{s.target, std::string(jobs::to_string(s.job)), s.params};
      auto r = runs->submit(request, "schedule", d.window_end, true,
                            control::schedule_key(s.target, request.job, d.at));
      spdlog::info("schedule {} {} due at {}: run {} {} (window until {})", s.target, request.job,
                   scheduler::format_local_iso8601(d.at, *s.zone), r.id,
                   r.kind == runs::Submitted::Kind::queued ? "queued" : "started",
                   scheduler::format_local_iso8601(d.window_end, *s.zone));
    }
    auto wait = chr::seconds(30);
    if (auto next = planner.next_wakeup())
      wait = std::clamp(*next - now_seconds(), chr::seconds(0), wait);
    timer.expires_after(wait + chr::milliseconds(50));
    timer.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) schedule_tick();
    });
  }

  // Logs, once per schedule, the times missed while squashd was not running.
  void log_missed_at_boot() {
    auto now = now_seconds();
    for (std::size_t i = 0; i < config.schedules.size(); ++i) {
      auto& s = config.schedules[i];
      auto last = runs->last_scheduled(s.target, std::string(jobs::to_string(s.job)));
      if (!last) continue;
      auto since = util::parse_utc_iso8601(last->queued_at);
      if (!since) continue;
      auto m = count_missed(s, i, *since, now);
      if (m.count > 0)
        spdlog::warn(
            "schedule {} {}: {} run(s) due {} .. {} were missed while squashd was down; "
            "skipped, no catch-up",
            s.target, jobs::to_string(s.job), m.count,
            scheduler::format_local_iso8601(m.first, *s.zone),
            scheduler::format_local_iso8601(m.last, *s.zone));
    }
  }

  int run() {
    try {
      std::string warning;
      token = api::read_token_file(config.daemon.token_file, &warning);
      if (!warning.empty()) spdlog::warn("{}", warning);
      lock.emplace(StateLock::acquire(config.daemon.state_dir));
      runs = std::make_unique<runs::RunManager>(
          config.daemon.state_dir,
          [this](std::function<void()> f) { asio::post(io, std::move(f)); },
          [this] { return current_config(); }, process::PgTools::discover());
      auto reconciled = runs->recover();
      if (!reconciled.empty())
        spdlog::warn("{} run(s) found unfinished at start and marked interrupted",
                     reconciled.size());
      if (config.control) attach_fleet(*config.control);
      server.set_limits(http_limits(config.daemon));
      server.listen(config.daemon.listen_address, config.daemon.listen_port);
    } catch (const std::exception& e) {
      spdlog::critical("squashd cannot start: {}", e.what());
      if (config.daemon.log_file) std::cerr << "squashd: cannot start: " << e.what() << '\n';
      return 1;
    }
    wait_for_signal();
    spdlog::info("squashd {} started: pid {}, listening on http://{}, config {}", kVersion,
                 ::getpid(), config.daemon.listen, config.path);
    notify_ready("listening on http://" + config.daemon.listen);
    if (auto every = watchdog_interval()) watchdog_tick(*every);
    log_schedules();
    log_missed_at_boot();
    planner.reset(config, now_seconds());
    schedule_tick();
    io.run();
    spdlog::info("squashd stopped");
    spdlog::default_logger()->flush();
    return 0;
  }

  // Fleet mode: the control database is reached, migrated and this daemon registered
  // before the API listens; any problem stops the start.
  void attach_fleet(const config::ControlSettings& settings) {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
    control::Identity me;
    me.host = host;
    me.pid = static_cast<long>(::getpid());
    me.id = control::make_daemon_id(me.host, me.pid, started_at);
    me.listen = config.daemon.listen;
    me.version = std::string(kVersion);
    std::vector<std::string> targets;
    for (auto& t : config.targets) targets.push_back(t.name);
    auto fleet = std::make_shared<control::Fleet>(settings, me, targets);
    spdlog::info(
        "fleet mode: daemon {}, control schema squashd_control version {} (found {}), lease "
        "{}, poll {}, at most {} run(s) at once",
        me.id, control::known_schema_version(), fleet->schema_version_before(),
        scheduler::format_duration(settings.lease_ttl),
        scheduler::format_duration(settings.poll_interval), settings.max_runs);
    runs->attach_fleet(std::move(fleet));
  }

  void wait_for_signal() {
    signals.async_wait([this](const boost::system::error_code& ec, int sig) {
      if (ec) return;  // cancelled at shutdown
      if (sig == SIGHUP) {
        reload();
        wait_for_signal();
        return;
      }
      spdlog::info("received {}, shutting down", signal_name(sig));
      shutdown();
    });
  }

  // Ends the event loop once every piece has stopped its work.
  void shutdown() {
    notify_stopping();
    stopping = true;
    api_stop.request(process::StopReason::shutdown);  // cancels a diff's query
    timer.cancel();
    watchdog.cancel();
    if (runs) runs->shutdown();
    server.stop();
    boost::system::error_code ec;
    signals.cancel(ec);
  }

  void reload() {
    notify_reloading();
    reload_config();
    notify_ready("listening on http://" + config.daemon.listen);
  }

  // WATCHDOG=1 from the event loop itself: a loop that hangs stops sending it.
  void watchdog_tick(std::chrono::microseconds every) {
    notify_watchdog();
    watchdog.expires_after(every);
    watchdog.async_wait([this, every](const boost::system::error_code& ec) {
      if (!ec && !stopping) watchdog_tick(every);
    });
  }

  void reload_config() {
    spdlog::info("received SIGHUP: reloading {} and reopening the log", config.path);
    auto result = config::load_config(config.path, *zones);
    if (!result.config) {
      reopen_log(config.daemon);
      for (const auto& e : result.errors) spdlog::error("config reload: {}", e.to_string());
      spdlog::error("config reload failed with {} error(s); keeping the previous configuration",
                    result.errors.size());
      return;
    }
    config::Config next = std::move(*result.config);
    reopen_log(next.daemon);
    if (next.daemon.listen != config.daemon.listen) {
      spdlog::warn("listen changed from {} to {}: takes effect at restart", config.daemon.listen,
                   next.daemon.listen);
      next.daemon.listen = config.daemon.listen;
      next.daemon.listen_address = config.daemon.listen_address;
      next.daemon.listen_port = config.daemon.listen_port;
    }
    auto control_key = [](const std::optional<config::ControlSettings>& c) {
      if (!c) return std::string();
      return fmt::format("{}|{}|{}|{}|{}", c->conninfo, c->passfile.value_or(""),
                         c->lease_ttl.count(), c->poll_interval.count(), c->max_runs);
    };
    if (control_key(next.control) != control_key(config.control)) {
      spdlog::warn("[control] changed: takes effect at restart");
      next.control = config.control;
    }
    if (next.daemon.state_dir != config.daemon.state_dir) {
      spdlog::warn("state_dir changed from {} to {}: takes effect at restart",
                   config.daemon.state_dir, next.daemon.state_dir);
      next.daemon.state_dir = config.daemon.state_dir;
    }
    try {
      std::string warning;
      token = api::read_token_file(next.daemon.token_file, &warning);
      if (!warning.empty()) spdlog::warn("{}", warning);
    } catch (const std::exception& e) {
      spdlog::error("{}; keeping the previous API token", e.what());
    }
    config = std::move(next);
    {
      std::lock_guard lk(config_mutex);
      shared_config = std::make_shared<const config::Config>(config);
    }
    server.set_limits(http_limits(config.daemon));
    planner.reset(config, now_seconds());
    spdlog::info("configuration reloaded: {} target(s), {} schedule(s)", config.targets.size(),
                 config.schedules.size());
    log_schedules();
  }

  void reopen_log(const config::DaemonSettings& settings) {
    try {
      logging::install_logger(logging::LogSettings::from(settings));
    } catch (const std::exception& e) {
      spdlog::error("{}; logging stays where it was", e.what());
    }
  }

  void log_schedules() {
    auto now = now_seconds();
    for (const auto& s : config.schedules) {
      auto next = s.next_run(now);
      spdlog::info("schedule {} {} '{}' ({}, window {}): next run {}", s.target,
                   jobs::to_string(s.job), s.cron.text(), s.timezone,
                   scheduler::format_duration(s.window),
                   next ? scheduler::format_local_iso8601(*next, *s.zone) : "never");
    }
  }

  config::Config config;
  std::shared_ptr<scheduler::TimeZoneDb> zones;
  scheduler::sys_seconds started_at = now_seconds();
  std::mutex config_mutex;
  std::shared_ptr<const config::Config> shared_config;  // what run threads read
  asio::io_context io;
  asio::signal_set signals;
  asio::steady_timer timer;
  asio::steady_timer watchdog;
  Planner planner;
  bool stopping = false;
  std::string token;
  std::optional<StateLock> lock;
  process::Stop api_stop;  // fired at shutdown; outlives the server's worker threads
  http::Router router;
  http::Server server;
  std::unique_ptr<runs::RunManager> runs;  // destroyed first: joins run threads
};

Daemon::Daemon(config::Config config, std::shared_ptr<scheduler::TimeZoneDb> zones)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(zones))) {}

Daemon::~Daemon() = default;

int Daemon::run() {
  return impl_->run();
}

}  // namespace squash::runtime
