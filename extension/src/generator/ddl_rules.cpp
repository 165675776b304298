// Creation steps for rules (other than a view's _RETURN rule).
#include "ddl_plan.hpp"
#include "pg_squash/model/identity.hpp"

namespace squash::generator {

void Plan::add_rule(const model::Object& o) {
  const size_t i = add_step(kAttachments, o);
  Step& s = steps_[i];
  const auto parts = model::split_last(o.identity);
  const std::string table(parts.parent), name(parts.name);
  need(i, "table", table);
  need(i, "view", table);
  need(i, "materialized view", table);
  need(i, "foreign table", table);
  s.sql.push_back(reparseable(attr_or(o, "definition", "")));
  const std::string enabled = attr_or(o, "enabled", "origin");
  if (enabled == "disabled") s.sql.push_back("ALTER TABLE " + table + " DISABLE RULE " + name);
  if (enabled == "replica")
    s.sql.push_back("ALTER TABLE " + table + " ENABLE REPLICA RULE " + name);
  if (enabled == "always") s.sql.push_back("ALTER TABLE " + table + " ENABLE ALWAYS RULE " + name);
  comment(s, o, "RULE " + name + " ON " + table);
  s.undo.push_back("DROP RULE " + name + " ON " + table);
}

}  // namespace squash::generator
