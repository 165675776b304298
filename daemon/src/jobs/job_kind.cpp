#include "jobs/job_kind.hpp"

#include <array>
#include <utility>

namespace squash::jobs {

namespace {
constexpr std::array<std::pair<JobKind, std::string_view>, 7> kJobs = {{
    {JobKind::backup, "backup"},
    {JobKind::stamp, "stamp"},
    {JobKind::rebuild, "rebuild"},
    {JobKind::validate, "validate"},
    {JobKind::refresh_views, "refresh-views"},
    {JobKind::restore_drill, "restore-drill"},
    {JobKind::probe, "probe"},
}};
}  // namespace

std::string_view to_string(JobKind kind) {
  for (auto& [k, name] : kJobs)
    if (k == kind) return name;
  return "unknown";
}

std::optional<JobKind> parse_job_kind(std::string_view name) {
  for (auto& [k, n] : kJobs)
    if (n == name) return k;
  return std::nullopt;
}

const std::vector<std::string_view>& job_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (auto& [k, n] : kJobs) v.push_back(n);
    return v;
  }();
  return names;
}

}  // namespace squash::jobs
