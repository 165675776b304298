// The jobs squashd can run on a target (docs/squashd.md).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace squash::jobs {

// probe runs only the target's application probes (squashctl probe TARGET).
enum class JobKind { backup, stamp, rebuild, validate, refresh_views, restore_drill, probe };

// "backup", "stamp", "rebuild", "validate", "refresh-views", "restore-drill", "probe".
std::string_view to_string(JobKind kind);
std::optional<JobKind> parse_job_kind(std::string_view name);
const std::vector<std::string_view>& job_names();

}  // namespace squash::jobs
