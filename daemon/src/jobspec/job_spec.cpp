#include "jobspec/job_spec.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "util/names.hpp"

namespace squash::jobs {

namespace {

constexpr std::string_view kRevisionWhat = "the squashed revision id, e.g. 000_squashed_complete";

const std::vector<JobSpec> kJobs = {
    {JobKind::backup, "backup", {}},
    {JobKind::stamp,
     "stamp",
     {{"revision", ParamType::revision, true, kRevisionWhat},
      {"expect", ParamType::string, false, "a snapshot label or fingerprint"},
      {"expect_file", ParamType::path, false,
       "the absolute path of an exported snapshot (squashctl snapshot export): stored in the "
       "target and stamped against, checked by the fingerprint it declares"}}},
    {JobKind::rebuild,
     "rebuild",
     {{"revision", ParamType::revision, true, kRevisionWhat},
      {"squashed_sql", ParamType::path, true,
       "the absolute path of the squashed revision as SQL: "
       "squash_generate_migration(revision, 'sql')"}}},
    {JobKind::validate,
     "validate",
     {{"expect", ParamType::string, false, "a snapshot label or fingerprint"}}},
    {JobKind::refresh_views,
     "refresh-views",
     {{"concurrently", ParamType::boolean, false, "refresh concurrently (default true)"}}},
    {JobKind::restore_drill, "restore-drill", {}},
    {JobKind::probe, "probe", {}},
};

bool valid_revision(const std::string& r) {
  if (r.empty() || r.size() > 128) return false;
  return std::none_of(r.begin(), r.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

}  // namespace

const ParamSpec* JobSpec::find(std::string_view param) const {
  for (auto& p : params)
    if (p.name == param) return &p;
  return nullptr;
}

std::vector<std::string_view> JobSpec::param_names() const {
  std::vector<std::string_view> names;
  for (auto& p : params) names.push_back(p.name);
  return names;
}

std::string JobSpec::unknown_hint(std::string_view param) const {
  if (params.empty()) return fmt::format(" (job '{}' takes none)", name);
  return util::hint(param, param_names());
}

const std::vector<JobSpec>& job_specs() {
  return kJobs;
}

const JobSpec& spec_of(JobKind kind) {
  return kJobs[static_cast<std::size_t>(kind)];
}

const JobSpec* find_job(std::string_view name) {
  for (auto& j : kJobs)
    if (j.name == name) return &j;
  return nullptr;
}

std::string_view to_string(JobKind kind) {
  auto i = static_cast<std::size_t>(kind);
  return i < kJobs.size() ? kJobs[i].name : "unknown";
}

std::optional<JobKind> parse_job_kind(std::string_view name) {
  if (auto* j = find_job(name)) return j->kind;
  return std::nullopt;
}

const std::vector<std::string_view>& job_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (auto& j : kJobs) v.push_back(j.name);
    return v;
  }();
  return names;
}

std::string_view expected(ParamType type) {
  switch (type) {
    case ParamType::string:
      return "a string";
    case ParamType::revision:
      return "a revision id";
    case ParamType::path:
      return "an absolute path";
    case ParamType::boolean:
      return "a boolean";
  }
  return "a string";
}

std::string_view json_type_name(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return "an integer";
    case nlohmann::json::value_t::number_float:
      return "a float";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::object:
      return "an object";
    default:
      return "null";
  }
}

std::optional<std::string> param_problem(const ParamSpec& param, const nlohmann::json& value,
                                         std::string_view got) {
  if (param.type == ParamType::boolean) {
    if (value.is_boolean()) return std::nullopt;
    return fmt::format("params.{} must be a boolean, not {}", param.name, got);
  }
  if (!value.is_string()) return fmt::format("params.{} must be a string, not {}", param.name, got);
  const auto& s = value.get_ref<const std::string&>();
  if (param.type == ParamType::path && (s.empty() || s[0] != '/'))
    return fmt::format("params.{} must be an absolute path, not the relative path '{}'", param.name,
                       s);
  if (param.type == ParamType::revision && !valid_revision(s))
    return fmt::format(
        "params.{} '{}' is not a revision id (1-128 characters, no whitespace or control "
        "characters)",
        param.name, s);
  return std::nullopt;
}

std::string missing_message(const ParamSpec& param) {
  return fmt::format("params.{} is required ({})", param.name, param.what);
}

std::vector<const ParamSpec*> missing_params(const JobSpec& job,
                                             const std::vector<std::string_view>& given) {
  std::vector<const ParamSpec*> missing;
  for (auto& p : job.params) {
    if (!p.required) continue;
    bool near = std::any_of(given.begin(), given.end(), [&](std::string_view g) {
      return g == p.name || (!job.find(g) && util::edit_distance(g, p.name) < 3);
    });
    if (!near) missing.push_back(&p);
  }
  return missing;
}

std::vector<ParamProblem> check_params(const JobSpec& job, const nlohmann::json& params) {
  std::vector<ParamProblem> problems;
  std::vector<std::string_view> given;
  for (auto& [name, value] : params.items()) {
    given.push_back(name);
    auto* spec = job.find(name);
    if (!spec) {
      problems.push_back({name, fmt::format("unknown param '{}'{}", name, job.unknown_hint(name))});
      continue;
    }
    if (auto problem = param_problem(*spec, value, json_type_name(value)))
      problems.push_back({name, *problem});
  }
  for (auto* p : missing_params(job, given))
    problems.push_back({std::string(p->name), missing_message(*p)});
  return problems;
}

JobParams::JobParams(const JobSpec& job, nlohmann::json values)
    : job_(&job), values_(std::move(values)) {}

const nlohmann::json* JobParams::value(std::string_view name, bool want_bool) const {
  auto* spec = job_->find(name);
  if (!spec || (spec->type == ParamType::boolean) != want_bool)
    throw std::logic_error(fmt::format("job {} reads params.{}, which its spec does not list as {}",
                                       job_->name, name, want_bool ? "a boolean" : "text"));
  if (!values_.is_object()) return nullptr;
  auto it = values_.find(std::string(name));
  if (it == values_.end()) return nullptr;
  if (auto problem = param_problem(*spec, *it, json_type_name(*it)))
    throw std::invalid_argument(*problem);
  return &*it;
}

std::optional<std::string> JobParams::text(std::string_view name) const {
  if (auto* v = value(name, false)) return v->get<std::string>();
  return std::nullopt;
}

std::optional<bool> JobParams::flag(std::string_view name) const {
  if (auto* v = value(name, true)) return v->get<bool>();
  return std::nullopt;
}

}  // namespace squash::jobs
