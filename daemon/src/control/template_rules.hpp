// The pure rules of [[template]] targets (docs/squashd.md, "Rollouts"): which database
// names become targets and what each target is. The databases themselves are read with
// kTemplateDatabases, the pattern passed as a parameter. No database here; unit-tested.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace squash::control {

// $1: the template's pattern, $2: the stage's pattern (both LIKE, both parameters).
inline constexpr char kTemplateDatabases[] =
    "SELECT datname FROM pg_catalog.pg_database "
    "WHERE datallowconn AND NOT datistemplate AND datname LIKE $1 AND datname LIKE $2 "
    "ORDER BY datname";

// conninfo with dbname set to `dbname`, quoted as libpq reads it ('...' with \' and \\):
// the last dbname of a conninfo string wins.
std::string conninfo_with_dbname(const std::string& conninfo, const std::string& dbname);

// The target a database of the template is: named after the database, backups in
// backup_dir/<database>, the template's passfile and retention. nullopt when the name
// cannot be a target's (squashd's file names and run ids carry it).
std::optional<config::Target> template_target(const config::TargetTemplate& tpl,
                                              const std::string& dbname);

struct Expansion {
  std::vector<std::string> targets;  // in name order
  std::vector<std::string> skipped;  // "name: why"
};

// The databases found, as targets: names a configured [[target]] already has are skipped
// (the configured one is not replaced behind the operator's back), as are names that
// cannot be targets.
Expansion expand_databases(const config::Config& config, const config::TargetTemplate& tpl,
                           const std::vector<std::string>& databases);

}  // namespace squash::control
