#include "config/config.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/loader.hpp"

namespace squash::config {

std::string_view to_string(LogLevel level) {
  return kLogLevels[static_cast<std::size_t>(level)];
}

std::string_view to_string(LogFormat format) {
  return kLogFormats[static_cast<std::size_t>(format)];
}

std::optional<scheduler::sys_seconds> MaintenanceWindow::open_until(
    scheduler::sys_seconds now) const {
  if (!zone) return std::nullopt;
  // Openings after now - length hold now; the latest of them closes last (windows that
  // overlap, a cron more frequent than the length, count as the later one).
  auto start = cron.next_after(now - length, *zone);
  if (!start || *start > now) return std::nullopt;
  for (int i = 0; i < 10000; i++) {
    auto next = cron.next_after(*start, *zone);
    if (!next || *next > now) break;
    start = next;
  }
  return *start + length;
}

const Target* Config::find_target(std::string_view name) const {
  for (auto& t : targets)
    if (t.name == name) return &t;
  return nullptr;
}

const TargetTemplate* Config::find_template(std::string_view name) const {
  for (auto& t : templates)
    if (t.name == name) return &t;
  return nullptr;
}

std::string Diagnostic::to_string() const {
  if (line == 0) return fmt::format("{}: error: {}", file, message);
  return fmt::format("{}:{}:{}: error: {}", file, line, column, message);
}

LoadResult parse_config(std::string_view text, const std::string& source_name,
                        scheduler::TimeZoneDb& zones) {
  return Loader(source_name, zones).run(text);
}

LoadResult load_config(const std::string& path, scheduler::TimeZoneDb& zones) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult r;
    r.errors.push_back({path, 0, 0, fmt::format("cannot read config: {}", std::strerror(errno))});
    return r;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path, zones);
}

}  // namespace squash::config
