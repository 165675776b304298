#include "config/loader.hpp"

#include "config/conninfo.hpp"
#include "scheduler/duration.hpp"

namespace squash::config {

void Loader::parse_control(const toml::table& t) {
  const std::string where = "[control]";
  check_keys(t, where, kControlKeys);
  ControlSettings c;
  c.pos = pos_of(t.source());
  if (auto* s = get_string(t, where, "conninfo", true)) {
    c.conninfo = s->get();
    if (auto problem = conninfo_problem(c.conninfo)) error(pos_of(s->source()), *problem);
  }
  if (auto p = get_path(t, where, "passfile", false)) c.passfile = *p;
  // Shorter leases expire under an ordinary pause (a slow fsync, a busy control server).
  auto duration = [&](std::string_view key, std::chrono::seconds min, std::chrono::seconds max,
                      std::chrono::seconds& out) {
    auto v = get_timeout(t, where, key, max);
    if (!v) return;
    if (*v < min) {
      error(pos_of(t.get(key)->source()),
            fmt::format("{} must be at least {} (got {})", key, scheduler::format_duration(min),
                        scheduler::format_duration(*v)));
      return;
    }
    out = *v;
  };
  duration("lease_ttl", std::chrono::seconds(5), std::chrono::minutes(10), c.lease_ttl);
  duration("poll_interval", std::chrono::seconds(1), std::chrono::minutes(5), c.poll_interval);
  if (auto* node = get_count(t, "max_runs", 1, c.max_runs); node && c.max_runs > 64)
    error(pos_of(node->source()),
          fmt::format("'max_runs' must be at most 64 (got {})", c.max_runs));
  if (c.poll_interval >= c.lease_ttl)
    error(pos_of(t.get("poll_interval") ? t.get("poll_interval")->source() : t.source()),
          fmt::format("poll_interval ({}) must be shorter than lease_ttl ({}): expired leases are "
                      "found at each poll",
                      scheduler::format_duration(c.poll_interval),
                      scheduler::format_duration(c.lease_ttl)));
  cfg_.control = std::move(c);
}

}  // namespace squash::config
