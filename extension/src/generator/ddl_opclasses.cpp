// Creation steps for access methods, operator families and operator classes. A family is
// created on its own, then its loose members (the ones ALTER OPERATOR FAMILY ... ADD
// made) are added; a class names its family explicitly, so the family made first is the
// one it joins. The order against the operators and functions they list comes from
// pg_depend (a member stands for its family or class, see generate_functions.cpp).
#include "ddl_plan.hpp"

namespace squash::generator {

namespace {

// "s.c USING btree" -> {"s.c", "btree"}
std::pair<std::string, std::string> name_and_method(const std::string& identity) {
  const size_t at = identity.rfind(" USING ");
  if (at == std::string::npos) return {identity, ""};
  return {identity.substr(0, at), identity.substr(at + 7)};
}

// The members of a family or class (attributes "operator N (l, r)" and "function N (l, r)")
// as the items of CREATE OPERATOR CLASS ... AS and ALTER OPERATOR FAMILY ... ADD:
// "OPERATOR 1 s.<(integer,integer)", "FUNCTION 1 (integer, integer) s.cmp(integer,integer)".
std::vector<std::string> member_items(const model::Object& o) {
  std::vector<std::string> items;
  for (const model::Attribute& a : o.attrs) {
    if (a.key.rfind("operator ", 0) == 0) {
      const size_t number_end = a.key.find(' ', 9);
      items.push_back("OPERATOR " + a.key.substr(9, number_end - 9) + " " + a.value);
    } else if (a.key.rfind("function ", 0) == 0) {
      items.push_back("FUNCTION " + a.key.substr(9) + " " + a.value);
    }
  }
  return items;
}

std::string item_list(const std::vector<std::string>& items) {
  std::string out;
  for (size_t k = 0; k < items.size(); k++) out += (k ? ",\n    " : "\n    ") + items[k];
  return out;
}

}  // namespace

void Plan::add_access_method(const model::Object& o) {
  const size_t i = add_step(kTypesAndRoutines, o);
  Step& s = steps_[i];
  s.sql.push_back("CREATE ACCESS METHOD " + o.identity + " TYPE " +
                  (attr_or(o, "type", "index") == "table" ? "TABLE" : "INDEX") + " HANDLER " +
                  routine_name(attr_or(o, "handler", "")));
  s.undo.push_back("DROP ACCESS METHOD " + o.identity);
  comment(s, o, "ACCESS METHOD " + o.identity);
}

void Plan::add_operator_family(const model::Object& o) {
  const size_t i = add_step(kTypesAndRoutines, o);
  need_schema(i, o.identity);
  need(i, "access method", name_and_method(o.identity).second);
  Step& s = steps_[i];
  s.sql.push_back("CREATE OPERATOR FAMILY " + o.identity);
  const std::vector<std::string> items = member_items(o);
  if (!items.empty())
    s.sql.push_back("ALTER OPERATOR FAMILY " + o.identity + " ADD" + item_list(items));
  s.undo.push_back("DROP OPERATOR FAMILY " + o.identity);
  comment(s, o, "OPERATOR FAMILY " + o.identity);
  owner_and_acl(s, o, "OPERATOR FAMILY", o.identity, nullptr);
}

void Plan::add_operator_class(const model::Object& o) {
  const size_t i = add_step(kTypesAndRoutines, o);
  need_schema(i, o.identity);
  const auto [name, method] = name_and_method(o.identity);
  need(i, "access method", method);
  Step& s = steps_[i];
  std::vector<std::string> items = member_items(o);
  if (const std::string* storage = o.get("storage")) items.push_back("STORAGE " + *storage);
  // Every member may be the family's (a method moves cross-type ones there); the grammar
  // wants an item, and a STORAGE equal to the input type is dropped as no storage type.
  if (items.empty()) items.push_back("STORAGE " + attr_or(o, "type", ""));
  std::string sql = "CREATE OPERATOR CLASS " + name;
  if (is_true(o, "default")) sql += " DEFAULT";
  sql += " FOR TYPE " + attr_or(o, "type", "") + " USING " + method;
  if (const std::string* family = o.get("family")) {
    sql += " FAMILY " + *family;
    need(i, "operator family", *family + " USING " + method);
  }
  s.sql.push_back(sql + " AS" + item_list(items));
  s.undo.push_back("DROP OPERATOR CLASS " + o.identity);
  comment(s, o, "OPERATOR CLASS " + o.identity);
  owner_and_acl(s, o, "OPERATOR CLASS", o.identity, nullptr);
}

}  // namespace squash::generator
