#include "runtime/daemon.hpp"

#include <csignal>
#include <iostream>
#include <optional>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include "http/api_routes.hpp"
#include "api/token_file.hpp"
#include "http/server.hpp"
#include "logging/logging.hpp"
#include "runtime/state_lock.hpp"
#include "scheduler/duration.hpp"
#include "version.hpp"

namespace squash::runtime {

namespace asio = boost::asio;
namespace chr = std::chrono;

namespace {
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
}  // namespace

api::Status make_status(const config::Config& config, scheduler::sys_seconds started_at,
                        scheduler::sys_seconds now) {
  api::Status s;
  s.version = std::string(kVersion);
  s.pid = ::getpid();
  s.started_at = scheduler::format_utc_iso8601(started_at);
  s.uptime_seconds = (now - started_at).count();
  s.config_path = config.path;
  for (const auto& t : config.targets) s.targets.push_back(t.name);
  for (const auto& sch : config.schedules) {
    api::ScheduleStatus out{sch.target,   std::string(jobs::to_string(sch.job)),  sch.cron.text(),
                            sch.timezone, scheduler::format_duration(sch.window), std::nullopt,
                            std::nullopt};
    if (auto next = sch.next_run(now)) {
      out.next_run = scheduler::format_utc_iso8601(*next);
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
        signals(io, SIGINT, SIGTERM, SIGHUP),
        router(http::make_api_router(
            {[this] { return make_status(config, started_at, now_seconds()); }})),
        server(io, [this](const http::Request& r) { return router.handle(r, token); }) {}

  int run() {
    try {
      std::string warning;
      token = api::read_token_file(config.daemon.token_file, &warning);
      if (!warning.empty()) spdlog::warn("{}", warning);
      lock.emplace(StateLock::acquire(config.daemon.state_dir));
      server.listen(config.daemon.listen_address, config.daemon.listen_port);
    } catch (const std::exception& e) {
      spdlog::critical("squashd cannot start: {}", e.what());
      if (config.daemon.log_file) std::cerr << "squashd: cannot start: " << e.what() << '\n';
      return 1;
    }
    wait_for_signal();
    spdlog::info("squashd {} started: pid {}, listening on http://{}, config {}", kVersion,
                 ::getpid(), config.daemon.listen, config.path);
    log_schedules();
    io.run();
    spdlog::info("squashd stopped");
    spdlog::default_logger()->flush();
    return 0;
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
    server.stop();
    boost::system::error_code ec;
    signals.cancel(ec);
  }

  void reload() {
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
  asio::io_context io;
  asio::signal_set signals;
  std::string token;
  std::optional<StateLock> lock;
  http::Router router;
  http::Server server;
};

Daemon::Daemon(config::Config config, std::shared_ptr<scheduler::TimeZoneDb> zones)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(zones))) {}

Daemon::~Daemon() = default;

int Daemon::run() {
  return impl_->run();
}

}  // namespace squash::runtime
