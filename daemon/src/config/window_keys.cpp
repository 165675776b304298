// The maintenance window keys of [[target]] and [[template]] (config.hpp, MaintenanceWindow).
#include "config/loader.hpp"
#include "scheduler/duration.hpp"

namespace squash::config {

std::optional<MaintenanceWindow> Loader::parse_maintenance_window(const toml::table& t,
                                                                  std::string_view where) {
  auto* cron_text = get_string(t, where, "window_cron", false);
  if (!cron_text) {
    for (const char* key : {"window", "timezone"})
      if (auto* node = t.get(key))
        error(pos_of(node->source()),
              fmt::format("'{}' needs 'window_cron' (when the maintenance window opens)", key));
    return std::nullopt;
  }
  MaintenanceWindow w;
  bool ok = true;
  auto parsed = scheduler::CronExpr::parse(cron_text->get());
  if (auto* err = std::get_if<scheduler::CronError>(&parsed)) {
    error(char_pos(*cron_text, err->offset),
          fmt::format("bad cron expression '{}': {}", cron_text->get(), err->message));
    ok = false;
  } else {
    w.cron = std::get<scheduler::CronExpr>(std::move(parsed));
  }
  ok = read_time_zone(t, where, w.timezone, w.zone) && ok;
  ok = read_window_length(t, where, w.length) && ok;
  if (!ok) return std::nullopt;
  return w;
}

bool Loader::read_time_zone(const toml::table& t, std::string_view where, std::string& zone_name,
                            std::shared_ptr<const scheduler::TimeZone>& zone) {
  if (auto* v = get_string(t, where, "timezone", false)) zone_name = v->get();
  std::string zone_error;
  zone = zones_.find(zone_name, &zone_error);
  if (zone) return true;
  auto* node = t.get("timezone");
  error(node ? pos_of(node->source()) : pos_of(t.source()), zone_error);
  return false;
}

bool Loader::read_window_length(const toml::table& t, std::string_view where,
                                std::chrono::seconds& length) {
  auto* v = get_string(t, where, "window", false);
  if (!v) return true;
  auto parsed = scheduler::parse_duration(v->get());
  if (auto* err = std::get_if<scheduler::DurationError>(&parsed)) {
    error(char_pos(*v, err->offset),
          fmt::format("bad window '{}': {}; write e.g. \"2h\", \"90m\", \"1h30m\"", v->get(),
                      err->message));
    return false;
  }
  length = std::get<std::chrono::seconds>(parsed);
  return true;
}

}  // namespace squash::config
