// The jobs squashd runs and each job's parameters (docs/squashd.md): the one list that
// the config loader (schedule params), the HTTP API (POST /v1/runs) and the jobs read.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace squash::jobs {

// probe runs only the target's application probes (squashctl probe TARGET).
enum class JobKind { backup, stamp, rebuild, validate, refresh_views, restore_drill, probe };

// revision: 1-128 characters, no whitespace or control characters; path: absolute.
enum class ParamType { string, revision, path, boolean };

struct ParamSpec {
  std::string_view name;
  ParamType type = ParamType::string;
  bool required = false;
  std::string_view what;  // what the value is, for the "is required" message
};

struct JobSpec {
  JobKind kind;
  std::string_view name;
  std::vector<ParamSpec> params;

  const ParamSpec* find(std::string_view param) const;
  std::vector<std::string_view> param_names() const;
  // " (did you mean 'revision'?)", " (expected one of: ...)" or " (job 'backup' takes none)".
  std::string unknown_hint(std::string_view param) const;
};

const std::vector<JobSpec>& job_specs();
const JobSpec& spec_of(JobKind kind);
const JobSpec* find_job(std::string_view name);

// "backup", "stamp", "rebuild", "validate", "refresh-views", "restore-drill", "probe".
std::string_view to_string(JobKind kind);
std::optional<JobKind> parse_job_kind(std::string_view name);
const std::vector<std::string_view>& job_names();

// "a string", "a revision id", "an absolute path", "a boolean".
std::string_view expected(ParamType type);

// Why value does not fit param ("params.concurrently must be a boolean, not a string");
// nullopt when it fits. got names value's type in the caller's words (TOML or JSON).
std::optional<std::string> param_problem(const ParamSpec& param, const nlohmann::json& value,
                                         std::string_view got);
// "a string", "an integer", ... for a JSON value.
std::string_view json_type_name(const nlohmann::json& value);

struct ParamProblem {
  std::string param;
  std::string message;  // names the parameter, not the job
};
// Unknown names (with a hint), values that do not fit and missing required parameters,
// in that order. params must be a JSON object.
std::vector<ParamProblem> check_params(const JobSpec& job, const nlohmann::json& params);
// The required parameters not among the given names; one a given unknown name is a near
// miss of is left out (its "did you mean" says it already).
std::vector<const ParamSpec*> missing_params(const JobSpec& job,
                                             const std::vector<std::string_view>& given);
std::string missing_message(const ParamSpec& param);

// A run's parameters, checked when it was submitted, read by name and type. Reading a
// name the job's spec does not list is a bug (std::logic_error).
class JobParams {
 public:
  JobParams(const JobSpec& job, nlohmann::json values);

  const JobSpec& job() const { return *job_; }
  // A string, revision or path parameter.
  std::optional<std::string> text(std::string_view name) const;
  std::optional<bool> flag(std::string_view name) const;

 private:
  const nlohmann::json* value(std::string_view name, bool want_bool) const;

  const JobSpec* job_;
  nlohmann::json values_;
};

}  // namespace squash::jobs
