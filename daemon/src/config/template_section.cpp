#include "config/loader.hpp"

#include "config/conninfo.hpp"

namespace squash::config {

void Loader::parse_template(const toml::table& t, int index) {
  std::string where = fmt::format("[[template]] #{}", index);
  check_keys(t, where, kTemplateKeys);
  if (!cfg_.control)
    error(pos_of(t.source()),
          "[[template]] needs [control]: its targets exist only for rollouts of the fleet");
  TargetTemplate tpl;
  tpl.pos = pos_of(t.source());
  bool ok = true;
  if (auto* s = get_string(t, where, "name", true)) {
    tpl.name = s->get();
    if (!valid_target_name(tpl.name)) {
      error(pos_of(s->source()),
            fmt::format("template name '{}' must be 1-63 letters, digits, '_', '-' or '.'",
                        tpl.name));
      ok = false;
    } else if (cfg_.find_template(tpl.name)) {
      error(pos_of(s->source()), fmt::format("duplicate template name '{}'", tpl.name));
      ok = false;
    }
  } else {
    ok = false;
  }
  if (auto* s = get_string(t, where, "conninfo", true)) {
    tpl.conninfo = s->get();
    if (auto problem = conninfo_problem(tpl.conninfo)) error(pos_of(s->source()), *problem);
  }
  if (auto p = get_path(t, where, "passfile", false)) tpl.passfile = *p;
  if (auto* s = get_string(t, where, "pattern", false)) {
    tpl.pattern = s->get();
    if (tpl.pattern.empty() || tpl.pattern.size() > 128)
      error(pos_of(s->source()), "'pattern' must be a LIKE pattern of 1-128 characters");
  }
  if (auto p = get_path(t, where, "backup_dir", true)) {
    tpl.backup_dir = *p;
    if (ok) check_backup_dir("template " + tpl.name, *p, pos_of(t.get("backup_dir")->source()));
  }
  get_count(t, "keep_last", 1, tpl.keep_last);
  get_count(t, "keep_days", 0, tpl.keep_days);
  if (auto* node = get_count(t, "min_keep", 1, tpl.min_keep); node && tpl.min_keep > tpl.keep_last)
    error(pos_of(node->source()),
          fmt::format("min_keep ({}) is greater than keep_last ({})", tpl.min_keep, tpl.keep_last));
  tpl.window = parse_maintenance_window(t, where);
  if (ok) cfg_.templates.push_back(std::move(tpl));
}

}  // namespace squash::config
