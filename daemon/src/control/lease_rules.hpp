// The pure parts of the lease protocol (docs/design.md, "Several daemons"): who a daemon
// is, when it renews, when it must give up its runs, and what an expired lease makes of
// its run's record. No database here; unit-tested.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "api/types.hpp"

namespace squash::control {

// "host/pid/20261205T131500Z": unique per process, so a restarted daemon never renews
// the leases of the process it replaced.
std::string make_daemon_id(std::string_view host, long pid, std::chrono::sys_seconds started);

// How often leases are renewed: three chances before one expires.
std::chrono::milliseconds heartbeat_every(std::chrono::seconds lease_ttl);

// A daemon that has not renewed its leases for two thirds of their life stops its runs,
// before another daemon may take their targets.
bool renewal_overdue(std::chrono::steady_clock::time_point last_renewed,
                     std::chrono::steady_clock::time_point now, std::chrono::seconds lease_ttl);

// The lease's life as a PostgreSQL interval ("30 seconds"), passed as a parameter.
std::string interval_text(std::chrono::seconds d);

// A record whose daemon's lease expired: interrupted (never success), its running step
// too, naming the daemon and when the lease ran out. Returns false when it had finished.
bool mark_lease_expired(api::Run& run, const std::string& daemon, const std::string& expired_at,
                        const std::string& now);

// One scheduled time of one schedule: several daemons with the same schedule queue it
// once.
std::string schedule_key(std::string_view target, std::string_view job,
                         std::chrono::sys_seconds at);

// The names as a JSON array (a statement parameter, never SQL text).
std::string json_names(const std::vector<std::string>& names);

}  // namespace squash::control
