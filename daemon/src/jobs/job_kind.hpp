// The jobs squashd can run on a target (DESIGN.md "squashd and squashctl").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace squash::jobs {

enum class JobKind { backup, stamp, rebuild, validate, refresh_views, restore_drill };

// "backup", "stamp", "rebuild", "validate", "refresh-views", "restore-drill".
std::string_view to_string(JobKind kind);
std::optional<JobKind> parse_job_kind(std::string_view name);
const std::vector<std::string_view>& job_names();

}  // namespace squash::jobs
