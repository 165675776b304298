// Creation steps for procedural languages, transforms and conversions: each names the
// functions it calls, which pg_depend orders before it.
#include "ddl_plan.hpp"

namespace squash::generator {

void Plan::add_language(const model::Object& o) {
  const size_t i = add_step(kTypesAndRoutines, o);
  Step& s = steps_[i];
  const bool trusted = is_true(o, "trusted");
  std::string sql = std::string("CREATE ") + (trusted ? "TRUSTED " : "") + "LANGUAGE " +
                    o.identity + " HANDLER " + routine_name(attr_or(o, "handler", ""));
  if (const std::string* v = o.get("inline")) sql += " INLINE " + routine_name(*v);
  if (const std::string* v = o.get("validator")) sql += " VALIDATOR " + routine_name(*v);
  s.sql.push_back(std::move(sql));
  s.undo.push_back("DROP LANGUAGE " + o.identity);
  comment(s, o, "LANGUAGE " + o.identity);
  // GRANT and REVOKE refuse an untrusted language (only superusers use one).
  owner_and_acl(s, o, "LANGUAGE", o.identity, trusted ? "LANGUAGE" : nullptr);
}

void Plan::add_transform(const model::Object& o) {
  const size_t i = add_step(kTypesAndRoutines, o);
  Step& s = steps_[i];
  std::vector<std::string> parts;
  if (const std::string* v = o.get("from_sql")) parts.push_back("FROM SQL WITH FUNCTION " + *v);
  if (const std::string* v = o.get("to_sql")) parts.push_back("TO SQL WITH FUNCTION " + *v);
  std::string sql = "CREATE TRANSFORM " + o.identity + " (";
  for (size_t k = 0; k < parts.size(); k++) sql += (k ? ",\n    " : "\n    ") + parts[k];
  s.sql.push_back(sql + "\n)");
  s.undo.push_back("DROP TRANSFORM " + o.identity);
  comment(s, o, "TRANSFORM " + o.identity);
}

void Plan::add_conversion(const model::Object& o) {
  const size_t i = add_step(kTypesAndRoutines, o);
  need_schema(i, o.identity);
  Step& s = steps_[i];
  s.sql.push_back(std::string("CREATE ") + (is_true(o, "default") ? "DEFAULT " : "") +
                  "CONVERSION " + o.identity + " FOR " + sql_literal(attr_or(o, "source", "")) +
                  " TO " + sql_literal(attr_or(o, "target", "")) + " FROM " +
                  routine_name(attr_or(o, "function", "")));
  s.undo.push_back("DROP CONVERSION " + o.identity);
  comment(s, o, "CONVERSION " + o.identity);
  owner_and_acl(s, o, "CONVERSION", o.identity, nullptr);
}

}  // namespace squash::generator
