#include "client/status_view.hpp"
#include "util/format.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>

namespace squash::client {

namespace chr = std::chrono;

std::string human_duration(std::int64_t s) {
  if (s < 0) s = 0;
  const std::int64_t units[] = {86400, 3600, 60, 1};
  const char* names[] = {"d", "h", "m", "s"};
  std::string out;
  int shown = 0;
  for (int i = 0; i < 4 && shown < 2; ++i) {
    auto n = s / units[i];
    s %= units[i];
    if (n == 0 && shown == 0) continue;
    if (n != 0) out += fmt::format("{}{}{}", out.empty() ? "" : " ", n, names[i]);
    ++shown;
  }
  return out.empty() ? "0s" : out;
}

std::string format_status(const api::Health& health, const api::Status& status,
                          const std::string& url, chr::sys_seconds now) {
  std::string out = fmt::format("squashd {} at {}: {}\n", status.version, url, health.status);
  out += fmt::format("  pid {}, up {} (since {})\n", status.pid,
                     human_duration(status.uptime_seconds), status.started_at);
  out += fmt::format("  config {}\n", status.config_path);
  if (status.targets.empty()) {
    out += "targets: none\n";
  } else {
    out += fmt::format("targets ({}):", status.targets.size());
    for (const auto& t : status.targets) out += " " + t;
    out += "\n";
  }
  if (status.schedules.empty()) return out + "schedules: none\n";

  std::vector<std::vector<std::string>> rows = {
      {"TARGET", "JOB", "CRON", "TIMEZONE", "WINDOW", "NEXT RUN"}};
  for (const auto& s : status.schedules) {
    std::string next = "never";
    if (s.next_run_local) {
      next = *s.next_run_local;
      if (auto at = s.next_run ? util::parse_utc_iso8601(*s.next_run) : std::nullopt)
        next += fmt::format(" (in {})", human_duration((*at - now).count()));
    }
    rows.push_back({s.target, s.job, s.cron, s.timezone, s.window, next});
  }
  std::vector<std::size_t> widths(rows[0].size(), 0);
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size(); ++i) widths[i] = std::max(widths[i], r[i].size());
  out += fmt::format("schedules ({}):\n", status.schedules.size());
  for (const auto& r : rows) {
    std::string line = " ";
    for (std::size_t i = 0; i < r.size(); ++i)
      line += i + 1 < r.size() ? fmt::format(" {:<{}}", r[i], widths[i]) : " " + r[i];
    out += line + "\n";
  }
  return out;
}

}  // namespace squash::client
