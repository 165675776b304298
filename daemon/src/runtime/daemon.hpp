// squashd's process: one Asio io_context event loop that owns the HTTP server, the
// signals (SIGTERM/SIGINT: stop cleanly; SIGHUP: reload the config, reopen the log) and
// the configuration in force. Later parts (scheduler, runs) hang off the same loop.
#pragma once

#include <memory>
#include <string>

#include "api/types.hpp"
#include "config/config.hpp"
#include "scheduler/time_zone.hpp"

namespace squash::runtime {

class Daemon {
 public:
  Daemon(config::Config config, std::shared_ptr<scheduler::TimeZoneDb> zones);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Runs until SIGTERM or SIGINT; returns the process's exit code (1: could not start).
  int run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// What GET /v1/status reports for this configuration at `now`.
api::Status make_status(const config::Config& config, scheduler::sys_seconds started_at,
                        scheduler::sys_seconds now);

}  // namespace squash::runtime
