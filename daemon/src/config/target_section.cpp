#include "config/loader.hpp"

#include "config/conninfo.hpp"

namespace squash::config {

void Loader::parse_target(const toml::table& t, int index) {
  std::string where = fmt::format("[[target]] #{}", index);
  check_keys(t, where, kTargetKeys);
  Target target;
  target.pos = pos_of(t.source());
  bool ok = true;
  if (auto* s = get_string(t, where, "name", true)) {
    target.name = s->get();
    if (!valid_target_name(target.name)) {
      error(pos_of(s->source()),
            fmt::format("target name '{}' must be 1-63 letters, digits, '_', '-' or '.'",
                        target.name));
      ok = false;
    } else if (auto it = target_lines_.find(target.name); it != target_lines_.end()) {
      error(pos_of(s->source()),
            fmt::format("duplicate target name '{}' (first defined at line {})", target.name,
                        it->second));
      ok = false;
    } else {
      target_lines_.emplace(target.name, s->source().begin.line);
    }
  } else {
    ok = false;
  }
  if (auto* s = get_string(t, where, "conninfo", true)) {
    target.conninfo = s->get();
    if (auto problem = conninfo_problem(target.conninfo)) error(pos_of(s->source()), *problem);
  }
  if (auto p = get_path(t, where, "passfile", false)) target.passfile = *p;
  if (auto p = get_path(t, where, "backup_dir", true)) {
    target.backup_dir = *p;
    // A target refused already for its name is not compared (one error is enough).
    if (ok) check_backup_dir(target.name, *p, pos_of(t.get("backup_dir")->source()));
  }
  get_count(t, "keep_last", 1, target.keep_last);
  get_count(t, "keep_days", 0, target.keep_days);
  if (auto* node = get_count(t, "min_keep", 1, target.min_keep);
      node && target.min_keep > target.keep_last)
    error(pos_of(node->source()), fmt::format("min_keep ({}) is greater than keep_last ({})",
                                              target.min_keep, target.keep_last));
  parse_array(t, "probe", [&](const toml::table& p, int i) {
    if (auto spec = parse_probe(
            p, fmt::format("[[target.probe]] #{} of target '{}'", i, target.name), target.probes))
      target.probes.push_back(std::move(*spec));
  });
  target.window = parse_maintenance_window(t, where);
  if (ok) cfg_.targets.push_back(std::move(target));
}

void Loader::check_backup_dir(const std::string& target, const std::string& dir, SourcePos pos) {
  std::error_code ec;
  fs::path path = fs::weakly_canonical(dir, ec);
  if (ec) path = fs::path(dir).lexically_normal();
  if (!path.has_filename() && path.has_relative_path()) path = path.parent_path();
  auto within = [](const fs::path& inner, const fs::path& outer) {
    return std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end()).first ==
           outer.end();
  };
  for (const auto& other : backup_dirs_) {
    std::string relation = path == other.path         ? "is the same folder as"
                           : within(path, other.path) ? "is inside"
                           : within(other.path, path) ? "contains"
                                                      : "";
    if (relation.empty()) continue;
    error(pos, fmt::format("backup_dir '{}' {} the backup_dir '{}' of target '{}' (line {}): each "
                           "target needs a folder of its own, or one target's retention would "
                           "count and delete the other's backups",
                           dir, relation, other.dir, other.target, other.line));
    return;
  }
  backup_dirs_.push_back({path, dir, target, pos.line});
}

}  // namespace squash::config
