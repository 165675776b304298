#include "config/loader.hpp"

#include "jobspec/job_spec.hpp"

namespace squash::config {

void Loader::parse_schedule(const toml::table& t, int index) {
  std::string where = fmt::format("[[schedule]] #{}", index);
  check_keys(t, where, kScheduleKeys);
  Schedule s;
  s.pos = pos_of(t.source());
  if (auto* v = get_string(t, where, "target", true)) {
    s.target = v->get();
    if (!target_lines_.count(s.target)) {
      Names known;
      for (auto& [name, line] : target_lines_) known.push_back(name);
      error(pos_of(v->source()),
            fmt::format(
                "schedule names target '{}', which is not defined{}", s.target,
                known.empty() ? std::string(" (there is no [[target]])") : hint(s.target, known)));
    }
  }
  bool job_known = false;
  if (auto* v = get_string(t, where, "job", true)) {
    if (auto kind = jobs::parse_job_kind(v->get())) {
      s.job = *kind;
      job_known = true;
    } else
      error(pos_of(v->source()),
            fmt::format("unknown job '{}'{}", v->get(), hint(v->get(), jobs::job_names())));
  }
  if (auto* v = get_string(t, where, "cron", true)) {
    auto parsed = scheduler::CronExpr::parse(v->get());
    if (auto* err = std::get_if<scheduler::CronError>(&parsed))
      error(char_pos(*v, err->offset),
            fmt::format("bad cron expression '{}': {}", v->get(), err->message));
    else
      s.cron = std::get<scheduler::CronExpr>(std::move(parsed));
  }
  read_time_zone(t, where, s.timezone, s.zone);
  read_window_length(t, where, s.window);
  auto* params = t.get("params");
  if (params && !params->is_table())
    error(pos_of(params->source()),
          fmt::format("'params' must be a table, not {}", type_name(*params)));
  if (job_known) parse_params(t, params, jobs::spec_of(s.job), s);
  cfg_.schedules.push_back(std::move(s));
}

void Loader::parse_params(const toml::table& schedule, const toml::node* params,
                          const jobs::JobSpec& job, Schedule& s) {
  const toml::table empty;
  const toml::table& t = params && params->is_table() ? *params->as_table() : empty;
  std::vector<std::string_view> given;
  for (auto&& [key, node] : t) given.push_back(key.str());
  for (auto* p : jobs::missing_params(job, given))
    error(params ? pos_of(params->source()) : pos_of(schedule.source()),
          fmt::format("job '{}': {}", job.name, jobs::missing_message(*p)));
  for (auto&& [key, node] : t) {
    auto name = key.str();
    auto* spec = job.find(name);
    if (!spec) {
      error(pos_of(key.source()),
            fmt::format("unknown key '{}' in params{}", name, job.unknown_hint(name)));
      continue;
    }
    nlohmann::json value;  // null for the TOML types no parameter takes
    if (auto* b = node.as_boolean())
      value = b->get();
    else if (auto* str = node.as_string())
      value = str->get();
    if (auto problem = jobs::param_problem(*spec, value, type_name(node)))
      error(pos_of(node.source()), *problem);
    else
      s.params[std::string(name)] = std::move(value);
  }
}

}  // namespace squash::config
