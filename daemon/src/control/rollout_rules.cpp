#include "control/rollout_rules.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "api/types.hpp"
#include "scheduler/duration.hpp"

namespace squash::control {

using nlohmann::json;

namespace {

constexpr int kMaxParallel = 64;

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 63) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

std::optional<std::string> text_at(const json& o, const char* key, const std::string& path,
                                   bool required, std::vector<std::string>& problems) {
  auto it = o.find(key);
  if (it == o.end()) {
    if (required) problems.push_back(fmt::format("{}.{} is required", path, key));
    return std::nullopt;
  }
  if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
    problems.push_back(fmt::format("{}.{} must be a non-empty string", path, key));
    return std::nullopt;
  }
  return it->get<std::string>();
}

void parse_stage(const json& s, const std::string& path, StageSpec& out,
                 std::vector<std::string>& problems) {
  static const std::set<std::string> keys = {"name", "targets", "match", "parallel", "soak"};
  if (!s.is_object()) {
    problems.push_back(path + " must be an object");
    return;
  }
  for (auto& [k, v] : s.items())
    if (!keys.count(k)) problems.push_back(fmt::format("{}: unknown key '{}'", path, k));
  if (auto n = text_at(s, "name", path, true, problems)) {
    if (!valid_name(*n))
      problems.push_back(path + ".name must be 1-63 letters, digits, '_', '-' or '.'");
    out.name = *n;
  }
  if (auto it = s.find("targets"); it != s.end()) {
    if (!it->is_array())
      problems.push_back(path + ".targets must be an array of target names");
    else
      for (std::size_t i = 0; i < it->size(); ++i) {
        auto& t = (*it)[i];
        if (!t.is_string() || !valid_name(t.get<std::string>()))
          problems.push_back(fmt::format("{}.targets[{}] must be a target name", path, i));
        else
          out.targets.push_back(t.get<std::string>());
      }
  }
  if (auto it = s.find("match"); it != s.end()) {
    if (!it->is_array())
      problems.push_back(path + ".match must be an array");
    else
      for (std::size_t i = 0; i < it->size(); ++i) {
        auto mpath = fmt::format("{}.match[{}]", path, i);
        auto& m = (*it)[i];
        if (!m.is_object()) {
          problems.push_back(mpath + " must be an object {\"template\", \"pattern\"}");
          continue;
        }
        for (auto& [k, v] : m.items())
          if (k != "template" && k != "pattern")
            problems.push_back(fmt::format("{}: unknown key '{}'", mpath, k));
        StageMatch sm;
        if (auto t = text_at(m, "template", mpath, true, problems)) sm.template_name = *t;
        if (auto p = text_at(m, "pattern", mpath, false, problems)) sm.pattern = *p;
        out.match.push_back(std::move(sm));
      }
  }
  if (out.targets.empty() && out.match.empty())
    problems.push_back(path + " names no targets: give targets, match, or both");
  if (auto it = s.find("parallel"); it != s.end()) {
    if (!it->is_number_integer() || it->get<long long>() < 1 || it->get<long long>() > kMaxParallel)
      problems.push_back(
          fmt::format("{}.parallel must be an integer from 1 to {}", path, kMaxParallel));
    else
      out.parallel = it->get<int>();
  }
  if (auto it = s.find("soak"); it != s.end()) {
    if (!it->is_string()) {
      problems.push_back(path + ".soak must be a duration such as \"10m\"");
    } else if (it->get_ref<const std::string&>() != "0s") {
      auto d = scheduler::parse_duration(it->get<std::string>());
      if (auto* e = std::get_if<scheduler::DurationError>(&d))
        problems.push_back(fmt::format("{}.soak: {}", path, e->message));
      else
        out.soak = std::get<std::chrono::seconds>(d);
    }
  }
}

}  // namespace

std::optional<RolloutSpec> parse_rollout(const json& body, std::vector<std::string>* problems) {
  std::vector<std::string> found;
  RolloutSpec spec;
  if (!body.is_object()) {
    found.push_back("the rollout must be a JSON object");
  } else {
    static const std::set<std::string> keys = {"name", "revision", "snapshot_file", "fingerprint",
                                               "stages"};
    for (auto& [k, v] : body.items())
      if (!keys.count(k)) found.push_back(fmt::format("unknown key '{}'", k));
    if (auto n = text_at(body, "name", "rollout", true, found)) {
      if (!valid_name(*n))
        found.push_back("rollout.name must be 1-63 letters, digits, '_', '-' or '.'");
      spec.name = *n;
    }
    if (auto r = text_at(body, "revision", "rollout", true, found)) spec.revision = *r;
    if (auto f = text_at(body, "snapshot_file", "rollout", true, found)) {
      if ((*f)[0] != '/')
        found.push_back(
            "rollout.snapshot_file must be an absolute path (squashctl snapshot export)");
      spec.snapshot_file = *f;
    }
    if (auto f = text_at(body, "fingerprint", "rollout", false, found)) spec.fingerprint = *f;
    auto stages = body.find("stages");
    if (stages == body.end() || !stages->is_array() || stages->empty()) {
      found.push_back("rollout.stages must be a non-empty array");
    } else {
      std::set<std::string> names;
      for (std::size_t i = 0; i < stages->size(); ++i) {
        StageSpec s;
        parse_stage((*stages)[i], fmt::format("rollout.stages[{}]", i), s, found);
        if (!s.name.empty() && !names.insert(s.name).second)
          found.push_back(fmt::format("rollout.stages[{}]: stage name '{}' repeats", i, s.name));
        spec.stages.push_back(std::move(s));
      }
    }
  }
  if (problems) *problems = found;
  if (!found.empty()) return std::nullopt;
  return spec;
}

std::optional<std::string> snapshot_fingerprint(const std::string& document,
                                                const std::string& expected, std::string* problem) {
  json doc = json::parse(document, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("fingerprint") ||
      !doc["fingerprint"].is_string()) {
    *problem = "not an exported snapshot (JSON with its fingerprint)";
    return std::nullopt;
  }
  auto declared = doc["fingerprint"].get<std::string>();
  if (!expected.empty() && declared != expected) {
    *problem = fmt::format("it declares fingerprint {}, not the rollout's {}", declared, expected);
    return std::nullopt;
  }
  return declared;
}

json stages_json(const std::vector<StageSpec>& stages) {
  json out = json::array();
  for (auto& s : stages) {
    json m = json::array();
    for (auto& x : s.match) m.push_back({{"template", x.template_name}, {"pattern", x.pattern}});
    out.push_back({{"name", s.name},
                   {"targets", s.targets},
                   {"match", m},
                   {"parallel", s.parallel},
                   {"soak", s.soak.count() ? scheduler::format_duration(s.soak) : "0s"}});
  }
  return out;
}

std::vector<StageSpec> stages_from_json(const json& stages) {
  std::vector<std::string> problems;
  json body = {{"name", "x"}, {"revision", "x"}, {"snapshot_file", "/x"}, {"stages", stages}};
  auto spec = parse_rollout(body, &problems);
  if (!spec) throw std::runtime_error("a stored rollout's stages are unreadable: " + problems[0]);
  return spec->stages;
}

std::string target_state_after_run(std::string_view run_state, std::string_view error) {
  if (run_state == api::kQueued || run_state == api::kRunning) return kTargetQueued;
  if (run_state == api::kSucceeded) return kTargetStamped;
  if (run_state == api::kInterrupted) return kTargetPending;
  if (run_state == api::kFailed &&
      (error.rfind(api::kWindowEndedError, 0) == 0 || error.rfind(api::kWindowClosedError, 0) == 0))
    return kTargetPending;  // the stamp rolled back; the next window tries again
  return kTargetFailed;
}

StagePlan plan_stage(const std::vector<StageTarget>& targets, int parallel) {
  StagePlan plan;
  std::vector<std::string> pending;
  int in_flight = 0;
  bool all_stamped = true;
  for (auto& t : targets) {
    if (t.state == kTargetFailed) plan.failed.push_back(t.target);
    if (t.state == kTargetQueued) ++in_flight;
    if (t.state == kTargetPending) pending.push_back(t.target);
    if (t.state != kTargetStamped) all_stamped = false;
  }
  std::sort(plan.failed.begin(), plan.failed.end());
  if (!plan.failed.empty()) {
    plan.gate = StagePlan::Gate::failed;
    return plan;
  }
  if (all_stamped) {
    plan.gate = StagePlan::Gate::passed;
    return plan;
  }
  std::sort(pending.begin(), pending.end());
  for (auto& p : pending) {
    if (in_flight >= parallel) break;
    plan.to_queue.push_back(p);
    ++in_flight;
  }
  return plan;
}

bool soak_over(std::chrono::sys_seconds passed_at, std::chrono::seconds soak,
               std::chrono::sys_seconds now) {
  return now >= passed_at + soak;
}

std::vector<std::string> guard_differences(std::string_view error) {
  std::vector<std::string> out;
  if (error.find("refusing to stamp: the live schema differs") == std::string_view::npos)
    return out;
  auto detail = error.find("DETAIL:");
  if (detail == std::string_view::npos) return out;
  auto rest = error.substr(detail);
  bool header = true;
  while (!rest.empty()) {
    auto nl = rest.find('\n');
    auto line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (header) {  // "DETAIL:  3 differences between snapshot ... and the live schema:"
      header = false;
      continue;
    }
    if (line.starts_with("HINT:") || line.starts_with("CONTEXT:")) break;
    // The job's own words after the server's message ("; unstamped") end the list too.
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (!line.empty()) out.emplace_back(line);
  }
  return out;
}

}  // namespace squash::control
