// squashd's logging: spdlog as text or JSON lines, to a file or stderr, at a level.
// Installing again (SIGHUP) reopens the log file, so logrotate can move it away.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace squash::logging {

struct LogSettings {
  config::LogLevel level = config::LogLevel::info;
  config::LogFormat format = config::LogFormat::text;
  std::optional<std::string> file;  // absent: stderr

  static LogSettings from(const config::DaemonSettings& d) {
    return {d.log_level, d.log_format, d.log_file};
  }
};

// Builds a logger for the settings and makes it spdlog's default. Throws
// std::runtime_error when the log file cannot be opened; the previous logger then stays.
void install_logger(const LogSettings& settings);

// What a run's log lines say about it: in JSON mode each line its thread logs carries
// "run", "target", "job" and, inside a step, "step".
struct RunFields {
  std::string run_id, target, job, step;
};

// While alive, the calling thread's log lines carry these fields (one run per thread).
class RunLogScope {
 public:
  explicit RunLogScope(RunFields fields);
  ~RunLogScope();
  RunLogScope(const RunLogScope&) = delete;
  RunLogScope& operator=(const RunLogScope&) = delete;

 private:
  RunFields fields_;
  RunFields* previous_;
};

// The step the calling thread's run is in ("" between steps); nothing outside a scope.
void set_run_step(std::string_view step);

// One log line as JSON: {"ts":"...Z","level":"info","msg":"...", "run":..., ...} (exposed
// for tests); the run fields only when given.
std::string json_line(std::string_view level, std::string_view message,
                      std::chrono::system_clock::time_point when,
                      const RunFields* fields = nullptr);

}  // namespace squash::logging
