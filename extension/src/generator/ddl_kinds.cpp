// Creation steps for aggregates, operators (shell operators too), casts and collations.
// Each kind follows the pattern of ddl_objects.cpp: one step per object with its CREATE,
// comment, owner and grants, its DROP for the downgrade, and the objects it needs first
// (the rest of the order comes from pg_depend, see generate_functions.cpp).
#include "ddl_plan.hpp"
#include "pg_squash/model/identity.hpp"

namespace squash::generator {

namespace {

// An operator as regoperator prints it ("public.===(integer,integer)", "=(text,text)" for a
// visible pg_catalog one) as CREATE OPERATOR and SORTOP take it: OPERATOR(schema.name).
std::string operator_ref(const std::string& regoperator) {
  const std::string name = routine_name(regoperator);
  if (model::split_last(name).parent.empty()) return "OPERATOR(pg_catalog." + name + ")";
  return "OPERATOR(" + name + ")";
}

// "s.op(integer, text)" -> {"integer", "text"}
std::vector<std::string> operator_args(const std::string& identity) {
  const std::string name = routine_name(identity);
  if (identity.size() < name.size() + 2) return {};
  return split_list(
      std::string_view(identity).substr(name.size() + 1, identity.size() - name.size() - 2));
}

const char* modify_keyword(const std::string& v) {
  return v == "shareable" ? "SHAREABLE" : v == "read_write" ? "READ_WRITE" : "READ_ONLY";
}

}  // namespace

void Plan::add_aggregate(const model::Object& o) {
  const size_t i = add_step(kTypesAndRoutines, o);
  need_schema(i, o.identity);
  Step& s = steps_[i];
  const std::string args = attr_or(o, "arguments", "");
  const std::string signature = routine_name(o.identity) + "(" + (args.empty() ? "*" : args) + ")";
  std::vector<std::string> opts;
  auto func = [&](const char* option, const char* key) {
    if (const std::string* v = o.get(key)) opts.push_back(option + (" = " + routine_name(*v)));
  };
  auto word = [&](const char* option, const char* key) {
    if (const std::string* v = o.get(key)) opts.push_back(option + (" = " + *v));
  };
  auto literal = [&](const char* option, const char* key) {
    if (const std::string* v = o.get(key)) opts.push_back(option + (" = " + sql_literal(*v)));
  };
  auto flag = [&](const char* option, const char* key) {
    if (is_true(o, key)) opts.push_back(option);
  };
  func("SFUNC", "sfunc");
  word("STYPE", "stype");
  word("SSPACE", "sspace");
  func("FINALFUNC", "finalfunc");
  flag("FINALFUNC_EXTRA", "finalfunc_extra");
  if (const std::string* m = o.get("finalfunc_modify"))
    opts.push_back(std::string("FINALFUNC_MODIFY = ") + modify_keyword(*m));
  func("COMBINEFUNC", "combinefunc");
  func("SERIALFUNC", "serialfunc");
  func("DESERIALFUNC", "deserialfunc");
  literal("INITCOND", "initcond");
  func("MSFUNC", "msfunc");
  func("MINVFUNC", "minvfunc");
  word("MSTYPE", "mstype");
  word("MSSPACE", "msspace");
  func("MFINALFUNC", "mfinalfunc");
  flag("MFINALFUNC_EXTRA", "mfinalfunc_extra");
  if (o.get("msfunc"))
    if (const std::string* m = o.get("mfinalfunc_modify"))
      opts.push_back(std::string("MFINALFUNC_MODIFY = ") + modify_keyword(*m));
  literal("MINITCOND", "minitcond");
  if (const std::string* op = o.get("sortop")) opts.push_back("SORTOP = " + operator_ref(*op));
  const std::string parallel = attr_or(o, "parallel", "unsafe");
  if (parallel == "safe") opts.push_back("PARALLEL = SAFE");
  if (parallel == "restricted") opts.push_back("PARALLEL = RESTRICTED");
  if (attr_or(o, "kind", "normal") == "hypothetical-set") opts.push_back("HYPOTHETICAL");
  std::string sql = "CREATE AGGREGATE " + signature + " (";
  for (size_t k = 0; k < opts.size(); k++) sql += (k ? ",\n    " : "\n    ") + opts[k];
  s.sql.push_back(sql + "\n)");
  s.undo.push_back("DROP AGGREGATE " + signature);
  comment(s, o, "AGGREGATE " + signature);
  owner_and_acl(s, o, "AGGREGATE", signature, "FUNCTION", o.identity);
}

void Plan::add_operator(const model::Object& o) {
  const size_t i = add_step(kTypesAndRoutines, o);
  need_schema(i, o.identity);
  Step& s = steps_[i];
  const std::string name = routine_name(o.identity);
  const std::vector<std::string> args = operator_args(o.identity);
  const std::string left = args.size() == 2 ? args[0] : "NONE";
  const std::string right = args.size() == 2 ? args[1] : "NONE";
  std::string types;
  if (left != "NONE") types += "LEFTARG = " + left + ", ";
  types += "RIGHTARG = " + right;
  if (is_true(o, "shell")) {
    // A shell exists once another operator names it as COMMUTATOR or NEGATOR. When one in
    // the snapshot does, creating that one makes this; otherwise a throwaway operator in
    // pg_temp names it as its NEGATOR.
    const std::string compact = compact_signature(o.identity);
    const model::Object* by = nullptr;
    for (const model::Object& other : snapshot_.objects) {
      if (other.kind != "operator") continue;
      const std::string* c = other.get("commutator");
      const std::string* n = other.get("negator");
      if ((c && *c == compact) || (n && *n == compact)) {
        by = &other;
        break;
      }
    }
    if (by) {
      need(i, "operator", by->identity);
    } else {
      std::string params = left == "NONE" ? right : left + ", " + right;
      const std::string helper = "pg_temp.pg_squash_shell_maker(" + params + ")";
      const std::string temp_op = "pg_temp." + std::string(model::split_last(name).name);
      s.sql.push_back("CREATE FUNCTION " + helper +
                      " RETURNS boolean LANGUAGE sql AS 'SELECT NULL::boolean'");
      s.sql.push_back("CREATE OPERATOR " + temp_op +
                      " (FUNCTION = pg_temp.pg_squash_shell_maker, " + types +
                      ", NEGATOR = OPERATOR(" + name + "))");
      s.sql.push_back("DROP OPERATOR " + temp_op + "(" + left + ", " + right + ")");
      s.sql.push_back("DROP FUNCTION " + helper);
    }
  } else {
    std::string sql = "CREATE OPERATOR " + name +
                      " (\n    FUNCTION = " + routine_name(attr_or(o, "function", "")) + ",\n    " +
                      types;
    if (const std::string* c = o.get("commutator"))
      sql += ",\n    COMMUTATOR = " + operator_ref(*c);
    if (const std::string* n = o.get("negator")) sql += ",\n    NEGATOR = " + operator_ref(*n);
    if (const std::string* r = o.get("restrict")) sql += ",\n    RESTRICT = " + routine_name(*r);
    if (const std::string* j = o.get("join")) sql += ",\n    JOIN = " + routine_name(*j);
    if (is_true(o, "hashes")) sql += ",\n    HASHES";
    if (is_true(o, "merges")) sql += ",\n    MERGES";
    s.sql.push_back(sql + "\n)");
  }
  // A shell this one made may be dropped already (with the operator naming it).
  s.undo.push_back(std::string("DROP OPERATOR ") + (is_true(o, "shell") ? "IF EXISTS " : "") +
                   o.identity);
  comment(s, o, "OPERATOR " + o.identity);
  owner_and_acl(s, o, "OPERATOR", o.identity, nullptr);
}

void Plan::add_cast(const model::Object& o) {
  const size_t i = add_step(kTypesAndRoutines, o);
  Step& s = steps_[i];
  std::string sql = "CREATE CAST " + o.identity;
  const std::string method = attr_or(o, "method", "function");
  if (method == "binary")
    sql += " WITHOUT FUNCTION";
  else if (method == "inout")
    sql += " WITH INOUT";
  else
    sql += " WITH FUNCTION " + attr_or(o, "function", "");
  const std::string context = attr_or(o, "context", "explicit");
  if (context == "implicit") sql += " AS IMPLICIT";
  if (context == "assignment") sql += " AS ASSIGNMENT";
  s.sql.push_back(std::move(sql));
  s.undo.push_back("DROP CAST " + o.identity);
  comment(s, o, "CAST " + o.identity);
}

void Plan::add_collation(const model::Object& o) {
  const size_t i = add_step(kCollations, o);
  need_schema(i, o.identity);
  Step& s = steps_[i];
  std::string sql =
      "CREATE COLLATION " + o.identity + " (provider = " + attr_or(o, "provider", "libc");
  if (const std::string* v = o.get("locale")) sql += ", locale = " + sql_literal(*v);
  if (const std::string* v = o.get("lc_collate")) sql += ", lc_collate = " + sql_literal(*v);
  if (const std::string* v = o.get("lc_ctype")) sql += ", lc_ctype = " + sql_literal(*v);
  if (attr_or(o, "deterministic", "true") == "false") sql += ", deterministic = false";
  s.sql.push_back(sql + ")");
  s.undo.push_back("DROP COLLATION " + o.identity);
  comment(s, o, "COLLATION " + o.identity);
  owner_and_acl(s, o, "COLLATION", o.identity, nullptr);
}

}  // namespace squash::generator
