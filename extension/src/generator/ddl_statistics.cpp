// Creation steps for extended statistics.
#include "ddl_plan.hpp"

namespace squash::generator {

void Plan::add_statistics(const model::Object& o) {
  const size_t i = add_step(kAttachments, o);
  need_schema(i, o.identity);
  Step& s = steps_[i];
  const std::string table = attr_or(o, "table", "");
  need(i, "table", table);
  need(i, "materialized view", table);
  need(i, "foreign table", table);
  std::string sql = "CREATE STATISTICS " + o.identity;
  if (const std::string* k = o.get("kinds")) sql += " (" + *k + ")";
  sql += " ON " + reparseable(attr_or(o, "columns", "")) + " FROM " + table;
  s.sql.push_back(std::move(sql));
  if (const std::string* n = o.get("statistics"))
    s.sql.push_back("ALTER STATISTICS " + o.identity + " SET STATISTICS " + *n);
  s.undo.push_back("DROP STATISTICS " + o.identity);
  comment(s, o, "STATISTICS " + o.identity);
  owner_and_acl(s, o, "STATISTICS", o.identity, nullptr);
}

}  // namespace squash::generator
