#include "control/lease_rules.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "journal/journal.hpp"
#include "util/format.hpp"

namespace squash::control {

namespace chr = std::chrono;

std::string make_daemon_id(std::string_view host, long pid, chr::sys_seconds started) {
  auto iso = util::format_utc_iso8601(started);  // 2026-12-05T13:15:00Z
  std::string compact;
  for (char c : iso)
    if (c != '-' && c != ':') compact += c;
  return fmt::format("{}/{}/{}", host.empty() ? "localhost" : host, pid, compact);
}

chr::milliseconds heartbeat_every(chr::seconds lease_ttl) {
  return chr::duration_cast<chr::milliseconds>(lease_ttl) / 3;
}

bool renewal_overdue(chr::steady_clock::time_point last_renewed, chr::steady_clock::time_point now,
                     chr::seconds lease_ttl) {
  return (now - last_renewed) * 3 >= lease_ttl * 2;
}

std::string interval_text(chr::seconds d) {
  return fmt::format("{} seconds", d.count());
}

bool mark_lease_expired(api::Run& run, const std::string& daemon, const std::string& expired_at,
                        const std::string& now) {
  std::string step;
  for (auto& s : run.steps)
    if (s.state == api::kRunning) step = s.name;
  if (!journal::reconcile(run, now)) return false;
  for (auto& s : run.steps)
    if (s.name == step && s.state == api::kInterrupted)
      s.error = fmt::format("the lease of daemon {} expired during this step", daemon);
  run.error = fmt::format(
      "interrupted: the lease of daemon {} expired at {} (the daemon died or lost the control "
      "database){}",
      daemon, expired_at, step.empty() ? std::string() : " during step " + step);
  return true;
}

std::string schedule_key(std::string_view target, std::string_view job, chr::sys_seconds at) {
  return fmt::format("schedule {} {} {}", target, job, util::format_utc_iso8601(at));
}

std::string json_names(const std::vector<std::string>& names) {
  return nlohmann::json(names).dump();
}

}  // namespace squash::control
