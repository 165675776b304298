#include "control/template_rules.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace squash::control {

std::string conninfo_with_dbname(const std::string& conninfo, const std::string& dbname) {
  std::string quoted = "'";
  for (char c : dbname) {
    if (c == '\'' || c == '\\') quoted += '\\';
    quoted += c;
  }
  quoted += '\'';
  return conninfo.empty() ? "dbname=" + quoted : conninfo + " dbname=" + quoted;
}

std::optional<config::Target> template_target(const config::TargetTemplate& tpl,
                                              const std::string& dbname) {
  bool valid = !dbname.empty() && dbname.size() <= 63 && dbname != "." && dbname != ".." &&
               std::all_of(dbname.begin(), dbname.end(), [](char c) {
                 return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
               });
  if (!valid) return std::nullopt;
  config::Target t;
  t.name = dbname;
  t.conninfo = conninfo_with_dbname(tpl.conninfo, dbname);
  t.passfile = tpl.passfile;
  t.backup_dir = tpl.backup_dir + (tpl.backup_dir.ends_with('/') ? "" : "/") + dbname;
  t.keep_last = tpl.keep_last;
  t.keep_days = tpl.keep_days;
  t.min_keep = tpl.min_keep;
  t.window = tpl.window;
  t.pos = tpl.pos;
  return t;
}

Expansion expand_databases(const config::Config& config, const config::TargetTemplate& tpl,
                           const std::vector<std::string>& databases) {
  Expansion e;
  for (auto& db : databases) {
    if (config.find_target(db)) {
      e.skipped.push_back(fmt::format("{}: a [[target]] of that name is configured", db));
      continue;
    }
    if (!template_target(tpl, db)) {
      e.skipped.push_back(
          fmt::format("{}: not a target name (1-63 letters, digits, '_', '-' or '.')", db));
      continue;
    }
    e.targets.push_back(db);
  }
  std::sort(e.targets.begin(), e.targets.end());
  return e;
}

}  // namespace squash::control
