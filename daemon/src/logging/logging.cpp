#include "logging/logging.hpp"

#include <memory>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/formatter.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "scheduler/time_zone.hpp"
#include "util/format.hpp"

namespace squash::logging {

namespace {

constexpr char kTextPattern[] = "%Y-%m-%dT%H:%M:%S.%eZ %l %v";

// "2025-01-02T03:04:05.678Z"
std::string utc_timestamp(std::chrono::system_clock::time_point when) {
  using namespace std::chrono;
  auto secs = floor<seconds>(when);
  auto text = util::format_utc_iso8601(secs);
  text.insert(text.size() - 1, fmt::format(".{:03}", (floor<milliseconds>(when) - secs).count()));
  return text;
}

// The names log_level uses.
std::string_view level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
      return "critical";
    default:
      return "off";
  }
}

// The logger is synchronous: a line is formatted on the thread that logs it.
thread_local RunFields* current_run = nullptr;

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto line =
        json_line(level_name(msg.level), std::string_view(msg.payload.data(), msg.payload.size()),
                  msg.time, current_run);
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

spdlog::level::level_enum to_spdlog(config::LogLevel level) {
  switch (level) {
    case config::LogLevel::trace:
      return spdlog::level::trace;
    case config::LogLevel::debug:
      return spdlog::level::debug;
    case config::LogLevel::info:
      return spdlog::level::info;
    case config::LogLevel::warn:
      return spdlog::level::warn;
    case config::LogLevel::error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

}  // namespace

RunLogScope::RunLogScope(RunFields fields) : fields_(std::move(fields)), previous_(current_run) {
  current_run = &fields_;
}

RunLogScope::~RunLogScope() {
  current_run = previous_;
}

void set_run_step(std::string_view step) {
  if (current_run) current_run->step = std::string(step);
}

std::string json_line(std::string_view level, std::string_view message,
                      std::chrono::system_clock::time_point when, const RunFields* fields) {
  nlohmann::ordered_json j = {{"ts", utc_timestamp(when)}, {"level", level}, {"msg", message}};
  if (fields) {
    j["run"] = fields->run_id;
    j["target"] = fields->target;
    j["job"] = fields->job;
    if (!fields->step.empty()) j["step"] = fields->step;
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void install_logger(const LogSettings& settings) {
  spdlog::sink_ptr sink;
  if (settings.file) {
    try {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(*settings.file, false);
    } catch (const spdlog::spdlog_ex& e) {
      throw std::runtime_error(
          fmt::format("cannot open log file {}: {}", *settings.file, e.what()));
    }
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  }
  if (settings.format == config::LogFormat::json)
    sink->set_formatter(std::make_unique<JsonFormatter>());
  else
    sink->set_formatter(
        std::make_unique<spdlog::pattern_formatter>(kTextPattern, spdlog::pattern_time_type::utc));
  auto logger = std::make_shared<spdlog::logger>("squashd", std::move(sink));
  logger->set_level(to_spdlog(settings.level));
  logger->flush_on(spdlog::level::trace);  // every line reaches the file at once
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace squash::logging
