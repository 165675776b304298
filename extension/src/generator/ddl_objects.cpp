// From snapshot objects to creation steps: one step per object that DDL creates, with the
// statements that create it (and its comments, settings, owner and grants), the statements
// that drop it again, and the steps it needs first (see ddl_plan.hpp).
#include <algorithm>

#include "ddl_plan.hpp"
#include "pg_squash/model/identity.hpp"

namespace squash::generator {

namespace {

const std::string* attr(const model::Object& o, std::string_view key) {
  return o.get(key);
}

std::string last_part(const std::string& identity) {
  return std::string(model::split_last(identity).name);
}

std::string parent_part(const std::string& identity) {
  return std::string(model::split_last(identity).parent);
}

std::string first_part(const std::string& identity) {
  auto parts = model::split_identity(identity);
  return parts.empty() ? std::string() : std::string(parts.front());
}

// A storage parameter value as SQL accepts it in WITH (...).
std::string option_value(const std::string& v) {
  bool simple = !v.empty();
  for (char c : v)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
      simple = false;
  if (simple && v[0] >= 'a' && v[0] <= 'z') return v;  // a word: true, local, ...
  if (simple && v.find_first_not_of("0123456789.-") == std::string::npos) return v;
  return sql_literal(v);
}

// "fillfactor=70, autovacuum_enabled=false" -> "fillfactor=70, autovacuum_enabled=false",
// each value quoted where it has to be.
std::string with_options(const std::string& rendered) {
  std::string out;
  for (const std::string& item : split_list(rendered)) {
    if (!out.empty()) out += ", ";
    const size_t eq = item.find('=');
    if (eq == std::string::npos) {
      out += item;
    } else {
      out += item.substr(0, eq) + "=" + option_value(item.substr(eq + 1));
    }
  }
  return out;
}

// GRANT statements for rendered ACL lines ("grantee=arw*"), on `on` (e.g. "TABLE public.t"),
// optionally for one column; lines of the grantees in `skip` are left out.
void grants(std::vector<std::string>& out, const std::string& acl, const std::string& on,
            const std::string& column = {}, const std::vector<std::string>& skip = {}) {
  auto list = [&](const std::vector<std::string>& privileges) {
    std::string s;
    for (const std::string& p : privileges)
      s += (s.empty() ? "" : ", ") + p + (column.empty() ? "" : " (" + column + ")");
    return s;
  };
  for (const AclLine& l : parse_acl(acl)) {
    if (std::find(skip.begin(), skip.end(), l.grantee) != skip.end()) continue;
    if (!l.plain.empty())
      out.push_back("GRANT " + list(l.plain) + " ON " + on + " TO " + l.grantee);
    if (!l.with_option.empty())
      out.push_back("GRANT " + list(l.with_option) + " ON " + on + " TO " + l.grantee +
                    " WITH GRANT OPTION");
  }
}

// The identity sequence's options without "AS type" (the column's type decides it, and
// saying it twice is an error).
std::string identity_options(const std::string& text) {
  const size_t start = text.find(" START WITH ");
  if (start == std::string::npos) return text;
  const size_t as = text.rfind(" AS ", start);
  if (as == std::string::npos) return text;
  return text.substr(0, as) + text.substr(start);
}

// Settings whose value is a list the server stores with each element quoted as an
// identifier where needed (GUC_LIST_QUOTE).
bool quoted_list_setting(const std::string& name) {
  return name == "search_path" || name == "temp_tablespaces" || name == "local_preload_libraries" ||
         name == "session_preload_libraries" || name == "shared_preload_libraries" ||
         name == "unix_socket_directories";
}

// Such a list written back as one literal per element: written as identifiers, an empty
// element ("") is an error and a long one is truncated to NAMEDATALEN.
std::string quoted_list_value(const std::string& value) {
  std::vector<std::string> items;
  size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && (value[i] == ' ' || value[i] == ',')) i++;
    if (i >= value.size()) break;
    std::string item;
    if (value[i] == '"') {
      for (i++; i < value.size(); i++) {
        if (value[i] == '"') {
          if (i + 1 < value.size() && value[i + 1] == '"') {
            item += '"';
            i++;
          } else {
            i++;
            break;
          }
        } else {
          item += value[i];
        }
      }
    } else {
      while (i < value.size() && value[i] != ',') item += value[i++];
      while (!item.empty() && item.back() == ' ') item.pop_back();
    }
    items.push_back(sql_literal(item));
  }
  if (items.empty()) return "''";
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// Strips a suffix from text when present; returns whether it did.
bool strip_suffix(std::string& text, const std::string& suffix) {
  if (text.size() >= suffix.size() &&
      text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0) {
    text.resize(text.size() - suffix.size());
    return true;
  }
  return false;
}

}  // namespace

std::string attr_or(const model::Object& o, std::string_view key, const std::string& fallback) {
  const std::string* v = o.get(key);
  return v ? *v : fallback;
}

bool is_true(const model::Object& o, std::string_view key) {
  const std::string* v = o.get(key);
  return v && *v == "true";
}

std::string routine_name(const std::string& identity) {
  bool quoted = false;
  for (size_t i = 0; i < identity.size(); i++) {
    if (identity[i] == '"') quoted = !quoted;
    if (!quoted && identity[i] == '(') return identity.substr(0, i);
  }
  return identity;
}

std::string compact_signature(const std::string& identity) {
  const std::string name = routine_name(identity);
  std::string out = name;
  bool quoted = false;
  for (size_t i = name.size(); i < identity.size(); i++) {
    if (identity[i] == '"') quoted = !quoted;
    if (!quoted && identity[i] == ' ' && i > 0 && identity[i - 1] == ',') continue;
    out += identity[i];
  }
  return out;
}

std::string procedure_ref(const std::string& identity) {
  const std::string name = routine_name(identity);
  if (identity.size() <= name.size() + 2) return identity;  // no arguments
  return name + "(IN " + identity.substr(name.size() + 1);
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  bool quoted = false;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); i++) {
    const char c = text[i];
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    // A string literal ('Smith, John', quotes doubled inside) is one piece of an item.
    if (c == '\'') {
      for (i++; i < text.size(); i++)
        if (text[i] == '\'') {
          if (i + 1 < text.size() && text[i + 1] == '\'') {
            i++;
            continue;
          }
          break;
        }
      continue;
    }
    if (c == '(') depth++;
    if (c == ')' && depth > 0) depth--;
    if (depth == 0 && c == ',' && i + 1 < text.size() && text[i + 1] == ' ') {
      out.emplace_back(text.substr(start, i - start));
      start = i + 2;
      i++;
    }
  }
  out.emplace_back(text.substr(start));
  return out;
}

Plan::Plan(const model::Snapshot& snapshot, const CatalogFacts& facts, const Options& options)
    : snapshot_(snapshot), facts_(facts), options_(options) {}

const model::Object* Plan::find(std::string_view kind, std::string_view identity) const {
  auto lo =
      std::lower_bound(snapshot_.objects.begin(), snapshot_.objects.end(),
                       std::make_pair(kind, identity), [](const model::Object& o, const auto& key) {
                         if (o.kind != key.first) return o.kind < key.first;
                         return o.identity < key.second;
                       });
  if (lo == snapshot_.objects.end() || lo->kind != kind || lo->identity != identity) return nullptr;
  return &*lo;
}

size_t Plan::add_step(Phase phase, const model::Object& o) {
  Step s;
  s.phase = phase;
  s.label = o.kind + " " + o.identity;
  steps_.push_back(std::move(s));
  const size_t index = steps_.size() - 1;
  claim(o.kind, o.identity, index);
  return index;
}

void Plan::claim(const std::string& kind, const std::string& identity, size_t step) {
  claims_.emplace(ObjectKey{kind, identity}, step);
}

void Plan::need(size_t step, const std::string& kind, const std::string& identity) {
  needs_.push_back({step, kind, identity});
}

void Plan::need_schema(size_t step, const std::string& identity) {
  need(step, "schema", first_part(identity));
}

std::string Plan::role(const std::string& name) const {
  return options_.quote_ident ? options_.quote_ident(name) : name;
}

void Plan::owner_and_acl(Step& s, const model::Object& o, const std::string& object_word,
                         const std::string& target, const char* grant_word,
                         const std::string& grant_target) {
  const std::string on =
      grant_word ? std::string(grant_word) + " " + (grant_target.empty() ? target : grant_target)
                 : std::string();
  if (!options_.with_owners) {
    grants_to_others(s, o, on);
    return;
  }
  const std::string* owner = attr(o, "owner");
  if (owner) s.sql.push_back("ALTER " + object_word + " " + target + " OWNER TO " + role(*owner));
  const std::string* acl = attr(o, "acl");
  if (!acl || !grant_word) return;
  s.sql.push_back("REVOKE ALL ON " + on + " FROM PUBLIC");
  if (owner) s.sql.push_back("REVOKE ALL ON " + on + " FROM " + role(*owner));
  for (const std::string& g : default_grantees_)
    if (!owner || g != role(*owner)) s.sql.push_back("REVOKE ALL ON " + on + " FROM " + g);
  grants(s.sql, *acl, on);
}

// Without with_owners the objects belong to whoever runs the script and start with the
// default ACL: the grants to other roles are what makes them the source's. The owner's own
// line is left out, and so is PUBLIC's unless the default gives PUBLIC nothing (tables,
// views, sequences, columns): a changed owner or PUBLIC line needs with_owners (REVOKE ALL
// first). `on` is empty when the object takes no grants; `column` names one column of the
// relation `o`.
void Plan::grants_to_others(Step& s, const model::Object& o, const std::string& on,
                            const std::string& column, const model::Object* column_object) {
  const std::string* acl = attr(column_object ? *column_object : o, "acl");
  if (!acl || on.empty()) return;
  std::vector<std::string> skip;
  if (const std::string* owner = attr(o, "owner")) skip.push_back(role(*owner));
  // Foreign-data wrappers and servers too give PUBLIC nothing by default.
  if (!column_object && on.rfind("TABLE ", 0) != 0 && on.rfind("SEQUENCE ", 0) != 0 &&
      on.rfind("FOREIGN ", 0) != 0)
    skip.push_back("PUBLIC");
  grants(s.sql, *acl, on, column, skip);
}

void Plan::comment(Step& s, const model::Object& o, const std::string& target) {
  if (const std::string* c = attr(o, "comment"))
    s.sql.push_back("COMMENT ON " + target + " IS " + sql_literal(*c));
  // Security labels, on the kinds of object SECURITY LABEL takes. Applying them needs the
  // label provider loaded where the revision runs.
  static const char* const kLabelled[] = {"TABLE ",
                                          "COLUMN ",
                                          "AGGREGATE ",
                                          "DOMAIN ",
                                          "FUNCTION ",
                                          "PROCEDURE ",
                                          "SCHEMA ",
                                          "SEQUENCE ",
                                          "TYPE ",
                                          "VIEW ",
                                          "MATERIALIZED VIEW ",
                                          "FOREIGN TABLE ",
                                          "EVENT TRIGGER ",
                                          "LANGUAGE ",
                                          "PUBLICATION ",
                                          "SUBSCRIPTION "};
  bool labelled = false;
  for (const char* word : kLabelled) labelled = labelled || target.rfind(word, 0) == 0;
  if (!labelled) return;
  for (const model::Attribute& a : o.attrs)
    if (a.key.rfind("security label ", 0) == 0)
      s.sql.push_back("SECURITY LABEL FOR " + role(a.key.substr(15)) + " ON " + target + " IS " +
                      sql_literal(a.value));
}

// ---------------------------------------------------------------------------------------

void Plan::add_schema(const model::Object& o) {
  const size_t i = add_step(kSchemas, o);
  Step& s = steps_[i];
  const bool is_public = o.identity == "public";
  if (!is_public) {
    s.sql.push_back("CREATE SCHEMA " + o.identity);
    s.undo.push_back("DROP SCHEMA " + o.identity);
    comment(s, o, "SCHEMA " + o.identity);
  } else {
    // Every database has it, with initdb's comment.
    const std::string* c = attr(o, "comment");
    if (!c)
      s.sql.push_back("COMMENT ON SCHEMA public IS NULL");
    else if (*c != "standard public schema")
      s.sql.push_back("COMMENT ON SCHEMA public IS " + sql_literal(*c));
  }
  owner_and_acl(s, o, "SCHEMA", o.identity, "SCHEMA");
}

void Plan::add_extension(const model::Object& o) {
  const size_t i = add_step(kExtensions, o);
  Step& s = steps_[i];
  std::string sql = "CREATE EXTENSION IF NOT EXISTS " + o.identity;
  if (const std::string* schema = attr(o, "schema")) {
    sql += " WITH SCHEMA " + *schema;
    need(i, "schema", *schema);
  }
  if (const std::string* version = attr(o, "version")) sql += " VERSION " + sql_literal(*version);
  s.sql.push_back(std::move(sql));
  // plpgsql comes with every database.
  if (o.identity != "plpgsql") s.undo.push_back("DROP EXTENSION IF EXISTS " + o.identity);
}

void Plan::add_sequence(const model::Object& o) {
  const size_t i = add_step(kTypesAndRoutines, o);
  need_schema(i, o.identity);
  Step& s = steps_[i];
  std::string sql = "CREATE SEQUENCE " + o.identity;
  if (const std::string* t = attr(o, "type")) sql += " AS " + *t;
  sql += " START WITH " + attr_or(o, "start", "1");
  sql += " INCREMENT BY " + attr_or(o, "increment", "1");
  sql += " MINVALUE " + attr_or(o, "min", "1");
  sql += " MAXVALUE " + attr_or(o, "max", "9223372036854775807");
  sql += " CACHE " + attr_or(o, "cache", "1");
  sql += is_true(o, "cycle") ? " CYCLE" : " NO CYCLE";
  s.sql.push_back(std::move(sql));
  comment(s, o, "SEQUENCE " + o.identity);
  owner_and_acl(s, o, "SEQUENCE", o.identity, "SEQUENCE");
  const std::string* owned_by = attr(o, "owned_by");
  if (!owned_by) {
    s.undo.push_back("DROP SEQUENCE " + o.identity);
    return;
  }
  // An owned sequence goes with its table; ownership once the table exists.
  Step own;
  own.phase = kOwnership;
  own.label = "sequence ownership " + o.identity;
  own.sql.push_back("ALTER SEQUENCE " + o.identity + " OWNED BY " + *owned_by);
  own.after.push_back(i);
  steps_.push_back(std::move(own));
  need(steps_.size() - 1, "table", parent_part(*owned_by));
}

void Plan::add_enum(const model::Object& o) {
  const size_t i = add_step(kTypesAndRoutines, o);
  need_schema(i, o.identity);
  Step& s = steps_[i];
  s.sql.push_back("CREATE TYPE " + o.identity + " AS ENUM (" + attr_or(o, "labels", "") + ")");
  s.undo.push_back("DROP TYPE " + o.identity);
  comment(s, o, "TYPE " + o.identity);
  owner_and_acl(s, o, "TYPE", o.identity, "TYPE");
}

void Plan::add_range_type(const model::Object& o) {
  // A canonical function takes the range type itself (only C can write one): made against
  // a shell type first, as for a base type (link_base_types).
  const std::string* canonical = attr(o, "canonical");
  size_t shell_step = 0;
  if (canonical) {
    Step shell;
    shell.phase = kTypesAndRoutines;
    shell.label = "range type " + o.identity + " (shell)";
    shell.sql.push_back("CREATE TYPE " + o.identity);
    shell.undo.push_back("DROP TYPE IF EXISTS " + o.identity);  // gone with the type's CASCADE
    steps_.push_back(std::move(shell));
    shell_step = steps_.size() - 1;
    claim(kBaseTypeShell, o.identity, shell_step);
    need_schema(shell_step, o.identity);
  }
  const size_t i = add_step(kTypesAndRoutines, o);
  need_schema(i, o.identity);
  Step& s = steps_[i];
  std::string sql =
      "CREATE TYPE " + o.identity + " AS RANGE (SUBTYPE = " + attr_or(o, "subtype", "");
  if (const std::string* v = attr(o, "subtype_opclass")) sql += ", SUBTYPE_OPCLASS = " + *v;
  if (const std::string* v = attr(o, "collation")) sql += ", COLLATION = " + *v;
  if (canonical) sql += ", CANONICAL = " + *canonical;
  if (const std::string* v = attr(o, "subtype_diff")) sql += ", SUBTYPE_DIFF = " + *v;
  if (const std::string* v = attr(o, "multirange_type_name"))
    sql += ", MULTIRANGE_TYPE_NAME = " + *v;
  s.sql.push_back(sql + ")");
  // CASCADE: the canonical function depends on it as it depends on the function.
  s.undo.push_back("DROP TYPE " + o.identity + (canonical ? " CASCADE" : ""));
  if (canonical) {
    s.after.push_back(shell_step);
    base_types_.push_back({&o, shell_step, i});
  }
  comment(s, o, "TYPE " + o.identity);
  owner_and_acl(s, o, "TYPE", o.identity, "TYPE");
}

void Plan::add_domain(const model::Object& o) {
  const size_t i = add_step(kTypesAndRoutines, o);
  need_schema(i, o.identity);
  Step& s = steps_[i];
  std::string sql = "CREATE DOMAIN " + o.identity + " AS " + attr_or(o, "type", "text");
  if (const std::string* c = attr(o, "collation")) sql += " COLLATE " + *c;
  if (const std::string* d = attr(o, "default")) sql += " DEFAULT " + reparseable(*d);
  if (is_true(o, "not_null")) sql += " NOT NULL";
  std::vector<std::string> later;
  for (const model::Attribute& a : o.attrs) {
    if (a.key.rfind("constraint ", 0) != 0) continue;
    const std::string name = a.key.substr(11);
    std::string def = reparseable(a.value);
    // NOT VALID is only for ALTER DOMAIN.
    if (strip_suffix(def, " NOT VALID"))
      later.push_back("ALTER DOMAIN " + o.identity + " ADD CONSTRAINT " + name + " " + def +
                      " NOT VALID");
    else
      sql += " CONSTRAINT " + name + " " + def;
  }
  s.sql.push_back(std::move(sql));
  for (std::string& l : later) s.sql.push_back(std::move(l));
  s.undo.push_back("DROP DOMAIN " + o.identity);
  comment(s, o, "DOMAIN " + o.identity);
  owner_and_acl(s, o, "DOMAIN", o.identity, "DOMAIN");
}

void Plan::add_composite(const model::Object& o) {
  const size_t i = add_step(kTypesAndRoutines, o);
  need_schema(i, o.identity);
  Step& s = steps_[i];
  s.sql.push_back("CREATE TYPE " + o.identity + " AS (" + attr_or(o, "attributes", "") + ")");
  s.undo.push_back("DROP TYPE " + o.identity);
  comment(s, o, "TYPE " + o.identity);
  owner_and_acl(s, o, "TYPE", o.identity, "TYPE");
}

void Plan::add_routine(const model::Object& o) {
  const bool procedure = o.kind == "procedure";
  const bool sql_body = facts_.sql_body_routines.count(o.identity) != 0;
  const size_t i = add_step(sql_body ? kSqlBodyRoutines : kTypesAndRoutines, o);
  need_schema(i, o.identity);
  Step& s = steps_[i];
  const char* word = procedure ? "PROCEDURE" : "FUNCTION";
  std::string sql = std::string("CREATE ") + word + " " + routine_name(o.identity) + "(" +
                    attr_or(o, "arguments", "") + ")";
  if (!procedure) sql += " RETURNS " + attr_or(o, "returns", "void");
  const std::string language = attr_or(o, "language", "sql");
  sql += "\n    LANGUAGE " + language;
  if (is_true(o, "window")) sql += " WINDOW";
  if (!procedure) {
    const std::string volatility = attr_or(o, "volatility", "volatile");
    sql += volatility == "immutable" ? " IMMUTABLE" : volatility == "stable" ? " STABLE" : "";
    if (is_true(o, "strict")) sql += " STRICT";
    if (is_true(o, "leakproof")) sql += " LEAKPROOF";
    const std::string parallel = attr_or(o, "parallel", "unsafe");
    if (parallel == "safe") sql += " PARALLEL SAFE";
    if (parallel == "restricted") sql += " PARALLEL RESTRICTED";
    if (const std::string* cost = attr(o, "cost")) sql += " COST " + *cost;
    if (const std::string* rows = attr(o, "rows")) sql += " ROWS " + *rows;
    if (const std::string* support = attr(o, "support"))
      sql += " SUPPORT " + routine_name(*support);
  }
  if (is_true(o, "security_definer")) sql += " SECURITY DEFINER";
  if (const std::string* config = attr(o, "config")) {
    size_t start = 0;
    while (start <= config->size()) {
      size_t end = config->find('\n', start);
      if (end == std::string::npos) end = config->size();
      const std::string item = config->substr(start, end - start);
      start = end + 1;
      const size_t eq = item.find('=');
      if (eq == std::string::npos) continue;
      const std::string name = item.substr(0, eq), value = item.substr(eq + 1);
      sql += "\n    SET " + name + " TO ";
      sql += quoted_list_setting(name) ? quoted_list_value(value) : sql_literal(value);
    }
  }
  const std::string body = attr_or(o, "body", "");
  if (sql_body) {
    sql += "\n" + body;
  } else if (const std::string* library = attr(o, "library")) {
    sql += "\n    AS " + sql_literal(*library) + ", " + sql_literal(body);
  } else {
    sql += "\n    AS " + dollar_quote(body);
  }
  s.sql.push_back(std::move(sql));
  const std::string ref = procedure ? procedure_ref(o.identity) : o.identity;
  s.undo.push_back(std::string("DROP ") + word + " " + ref);
  comment(s, o, std::string(word) + " " + ref);
  owner_and_acl(s, o, word, ref, word);
}

std::vector<const model::Object*> Plan::table_columns(const std::string& t) {
  std::unordered_map<std::string, const model::Object*> by_name;
  for (const model::Object* c : columns_[t]) by_name[last_part(c->identity)] = c;
  std::vector<const model::Object*> columns;
  if (const model::Object* order = find("column order", t)) {
    for (const std::string& name : split_list(attr_or(*order, "columns", ""))) {
      auto it = by_name.find(name);
      if (it != by_name.end()) columns.push_back(it->second);
    }
  }
  if (columns.size() != by_name.size()) {  // no usable order: by name
    columns.clear();
    for (const model::Object* c : columns_[t]) columns.push_back(c);
  }
  return columns;
}

// INHERITS puts the parents' columns first. A child whose columns are all its own but in
// another order (made, then ALTER TABLE ... INHERIT) is made so again.
bool Plan::attaches_parents(const model::Object& o,
                            const std::vector<const model::Object*>& columns) const {
  const std::string* inherits = attr(o, "inherits");
  if (!inherits || attr(o, "of_type") || attr(o, "partition_of")) return false;
  bool all_local = true;
  for (const model::Object* c : columns)
    all_local = all_local && !(is_true(*c, "inherited") && !is_true(*c, "local"));
  if (!all_local) return false;
  std::vector<std::string> inherits_order;
  auto add_name = [&](const std::string& name) {
    if (std::find(inherits_order.begin(), inherits_order.end(), name) == inherits_order.end())
      inherits_order.push_back(name);
  };
  for (const std::string& p : split_list(*inherits)) {
    if (const model::Object* order = find("column order", p))
      for (const std::string& name : split_list(attr_or(*order, "columns", ""))) add_name(name);
  }
  for (const model::Object* c : columns) add_name(last_part(c->identity));
  bool same = inherits_order.size() == columns.size();
  for (size_t k = 0; same && k < columns.size(); k++)
    same = inherits_order[k] == last_part(columns[k]->identity);
  return !same;
}

std::string Plan::column_definition(const model::Object& c, bool with_default,
                                    bool inherits_generated) const {
  std::string d = last_part(c.identity) + " " + attr_or(c, "type", "text");
  if (const std::string* coll = attr(c, "collation")) d += " COLLATE " + *coll;
  // A parent's generated column gives the child its expression; PostgreSQL refuses one
  // written for the child too.
  if (const std::string* generated = attr(c, "generated"); generated && !inherits_generated)
    d += " GENERATED ALWAYS AS (" + reparseable(*generated) + ") STORED";
  if (const std::string* identity = attr(c, "identity")) {
    d += std::string(" GENERATED ") + (*identity == "always" ? "ALWAYS" : "BY DEFAULT") +
         " AS IDENTITY";
    if (const std::string* seq = attr(c, "identity_sequence"))
      d += " (" + identity_options(*seq) + ")";
  }
  const std::string* def = attr(c, "default");
  if (def && with_default && !deferred_defaults_.count(c.identity))
    d += " DEFAULT " + reparseable(*def);
  if (is_true(c, "not_null")) d += " NOT NULL";
  return d;
}

std::vector<std::string> Plan::column_differences(const std::string& table, const model::Object& c,
                                                  const model::Object* from) const {
  std::vector<std::string> out;
  const std::string alter = "ALTER TABLE ONLY " + table + " ALTER COLUMN " + last_part(c.identity);
  const std::string* def = attr(c, "default");
  if (def && deferred_defaults_.count(c.identity)) def = nullptr;  // a step of its own
  // A deferred default is not there yet when the column comes.
  const std::string* pdef =
      from && !deferred_defaults_.count(from->identity) ? attr(*from, "default") : nullptr;
  if (def && (!pdef || *pdef != *def)) out.push_back(alter + " SET DEFAULT " + reparseable(*def));
  if (!def && pdef && !deferred_defaults_.count(c.identity)) out.push_back(alter + " DROP DEFAULT");
  if (is_true(c, "not_null") && !(from && is_true(*from, "not_null")))
    out.push_back(alter + " SET NOT NULL");
  if (const std::string* identity = attr(c, "identity"))
    out.push_back(alter + " ADD GENERATED " + (*identity == "always" ? "ALWAYS" : "BY DEFAULT") +
                  " AS IDENTITY" +
                  (attr(c, "identity_sequence")
                       ? " (" + identity_options(*attr(c, "identity_sequence")) + ")"
                       : ""));
  return out;
}

std::vector<std::string> Plan::column_settings(const std::string& table,
                                               const model::Object& c) const {
  std::vector<std::string> out;
  const std::string alter = "ALTER TABLE ONLY " + table + " ALTER COLUMN " + last_part(c.identity);
  if (const std::string* v = attr(c, "storage")) out.push_back(alter + " SET STORAGE " + *v);
  if (const std::string* v = attr(c, "compression"))
    out.push_back(alter + " SET COMPRESSION " + *v);
  if (const std::string* v = attr(c, "statistics")) out.push_back(alter + " SET STATISTICS " + *v);
  if (const std::string* v = attr(c, "options"))
    out.push_back(alter + " SET (" + with_options(*v) + ")");
  return out;
}

void Plan::column_grants(Step& s, const model::Object& table, const model::Object& c) {
  if (!options_.with_owners)
    grants_to_others(s, table, "TABLE " + table.identity, last_part(c.identity), &c);
  else if (const std::string* acl = attr(c, "acl"))
    grants(s.sql, *acl, "TABLE " + table.identity, last_part(c.identity));
}

void Plan::add_table(const model::Object& o) {
  const size_t i = add_step(kTables, o);
  table_steps_.push_back(i);
  need_schema(i, o.identity);
  const std::string& t = o.identity;
  // Columns in their recorded order, less those added once the inheritance tree exists.
  std::vector<const model::Object*> columns = table_columns(t);
  const bool attach_parents = attaches_parents(o, columns);
  if (auto late = late_columns_.find(t); late != late_columns_.end())
    columns.erase(std::remove_if(columns.begin(), columns.end(),
                                 [&](const model::Object* c) {
                                   return late->second.count(last_part(c->identity)) != 0;
                                 }),
                  columns.end());

  const std::string* of_type = attr(o, "of_type");
  const std::string* inherits = attr(o, "inherits");
  const std::string* partition_of = attr(o, "partition_of");
  std::vector<std::string> parents;
  if (inherits) parents = split_list(*inherits);
  for (const std::string& p : parents) need(i, "table", p);
  if (partition_of) need(i, "table", *partition_of);
  if (of_type) need(i, "composite type", *of_type);

  // A column of a parent, for inherited columns the child does not define itself.
  auto parent_column = [&](const std::string& name) -> const model::Object* {
    for (const std::string& p : parents)
      if (const model::Object* c = find("column", p + "." + name)) return c;
    return nullptr;
  };

  std::vector<std::string> definitions, alters;
  std::vector<const model::Object*> deferred;
  for (const model::Object* cp : columns) {
    const model::Object& c = *cp;
    const std::string name = last_part(c.identity);
    const bool inherited_only = is_true(c, "inherited") && !is_true(c, "local");
    if (attr(c, "default")) {
      if (deferred_defaults_.count(c.identity))
        deferred.push_back(&c);  // a step of its own once this one is complete
      else
        claim("column default", c.identity, i);
    }
    if (of_type || inherited_only) {
      // The column comes from the type or the parent: only what differs is set.
      for (std::string& a : column_differences(t, c, of_type ? nullptr : parent_column(name)))
        alters.push_back(std::move(a));
    } else {
      const model::Object* pc =
          attr(c, "generated") && !attach_parents ? parent_column(name) : nullptr;
      definitions.push_back(column_definition(c, true, pc && attr(*pc, "generated")));
    }
    for (std::string& a : column_settings(t, c)) alters.push_back(std::move(a));
  }

  Step& s = steps_[i];
  std::string sql = "CREATE ";
  if (attr_or(o, "persistence", "permanent") == "unlogged") sql += "UNLOGGED ";
  sql += "TABLE " + t;
  if (of_type) {
    sql += " OF " + *of_type;
  } else {
    sql += " (";
    for (size_t k = 0; k < definitions.size(); k++)
      sql += (k ? ",\n    " : "\n    ") + definitions[k];
    sql += definitions.empty() ? ")" : "\n)";
  }
  if (inherits && !attach_parents) sql += " INHERITS (" + *inherits + ")";
  if (const std::string* key = attr(o, "partition_key")) sql += " PARTITION BY " + *key;
  if (const std::string* am = attr(o, "access_method")) sql += " USING " + *am;
  if (const std::string* opts = attr(o, "options"))
    if (!opts->empty()) sql += " WITH (" + with_options(*opts) + ")";
  s.sql.push_back(std::move(sql));
  if (attach_parents)
    for (const std::string& p : parents) s.sql.push_back("ALTER TABLE " + t + " INHERIT " + p);
  for (std::string& a : alters) s.sql.push_back(std::move(a));
  // A partition is built as a table of its own, then attached: its column order stays its
  // own, and the parent's indexes and constraints (added later) reach it as they do live.
  if (partition_of)
    s.sql.push_back("ALTER TABLE " + *partition_of + " ATTACH PARTITION " + t + " " +
                    attr_or(o, "partition_bound", "DEFAULT"));
  const std::string ri = attr_or(o, "replica_identity", "default");
  if (ri == "full" || ri == "nothing")
    s.sql.push_back("ALTER TABLE ONLY " + t + " REPLICA IDENTITY " +
                    (ri == "full" ? "FULL" : "NOTHING"));
  if (is_true(o, "rls_enabled")) s.sql.push_back("ALTER TABLE " + t + " ENABLE ROW LEVEL SECURITY");
  if (is_true(o, "rls_forced")) s.sql.push_back("ALTER TABLE " + t + " FORCE ROW LEVEL SECURITY");
  comment(s, o, "TABLE " + t);
  for (const model::Object* c : columns) comment(s, *c, "COLUMN " + c->identity);
  owner_and_acl(s, o, "TABLE", t, "TABLE");
  for (const model::Object* c : columns) column_grants(s, o, *c);
  s.undo.push_back("DROP TABLE " + t);
  for (const model::Object* c : deferred) add_deferred_default(i, *c);  // s is invalid now
}

void Plan::add_constraint(const model::Object& o) {
  const std::string table = parent_part(o.identity);
  const std::string name = last_part(o.identity);
  const std::string type = attr_or(o, "type", "");
  const model::Object* tab = find("table", table);
  if (!tab) tab = find("foreign table", table);
  // Derived copies come with the constraint they derive from: a CHECK inherited by a
  // partition or (not locally defined) by an inheritance child.
  if (type == "check" && tab) {
    if (const std::string* parent = attr(*tab, "partition_of"))
      if (find("constraint", *parent + "." + name)) return;
    if (is_true(o, "inherited") && !is_true(o, "local")) return;
  }
  const bool fk = type == "foreign key";
  const size_t i = add_step(fk ? kForeignKeys : kConstraints, o);
  need(i, "table", table);
  need(i, "foreign table", table);
  Step& s = steps_[i];
  std::string def = reparseable(attr_or(o, "definition", ""));
  // The index behind a primary key, unique or exclusion constraint has the constraint's name.
  const model::Object* index = (type == "primary key" || type == "unique" || type == "exclude")
                                   ? find("index", first_part(table) + "." + name)
                                   : nullptr;
  if (index) {
    claim("index", index->identity, i);
    // The parent's constraint attaches this one: this one first.
    if (const std::string* p = attr(*index, "partition_of"))
      needs_.push_back({i, "\x01index-parent", *p});
    const std::string* opts = attr(*index, "options");
    if (opts && !opts->empty() && type != "exclude") {
      std::string suffix;
      if (strip_suffix(def, " INITIALLY DEFERRED")) suffix = " INITIALLY DEFERRED" + suffix;
      if (strip_suffix(def, " DEFERRABLE")) suffix = " DEFERRABLE" + suffix;
      def += " WITH (" + with_options(*opts) + ")" + suffix;
    }
  }
  s.sql.push_back("ALTER TABLE " + table + " ADD CONSTRAINT " + name + " " + def);
  if (fk) {
    s.undo.push_back("ALTER TABLE " + table + " DROP CONSTRAINT " + name);
    if (const std::string* ref = attr(o, "references")) need(i, "table", *ref);
  }
  // A local CHECK that an inheritance parent also has: the child's first, so the parent's
  // merges with it.
  if (type == "check" && is_true(o, "inherited") && tab)
    if (const std::string* inh = attr(*tab, "inherits"))
      for (const std::string& p : split_list(*inh)) {
        needs_.push_back({i, "\x01constraint-parent", p + "." + name});
      }
  comment(s, o, "CONSTRAINT " + name + " ON " + table);
  if (index) {
    comment(s, *index, "INDEX " + index->identity);
    if (is_true(*index, "clustered"))
      s.sql.push_back("ALTER TABLE " + table + " CLUSTER ON " + name);
    if (is_true(*index, "replica_identity"))
      s.sql.push_back("ALTER TABLE ONLY " + table + " REPLICA IDENTITY USING INDEX " + name);
  }
  if (s.sql.size() == 1) s.alter_table = table;
}

void Plan::add_index(const model::Object& o) {
  if (attr(o, "constraint")) return;  // created with its constraint
  const size_t i = add_step(kConstraints, o);
  Step& s = steps_[i];
  const std::string table = attr_or(o, "table", "");
  const std::string name = last_part(o.identity);
  need(i, "table", table);
  need(i, "materialized view", table);
  // A partition without an index attached to this one means it was made ON ONLY (and is
  // invalid until each has one): made so again, with the partitions' indexes (made first)
  // attached one by one, instead of recursing into every partition.
  const auto children = index_partitions_.find(o.identity);
  bool only = false;
  if (auto parts = table_partitions_.find(table); parts != table_partitions_.end())
    for (const std::string& part : parts->second) {
      bool covered = false;
      if (children != index_partitions_.end())
        for (const model::Object* c : children->second)
          covered = covered || attr_or(*c, "table", "") == part;
      only = only || !covered;
    }
  std::string sql = "CREATE ";
  if (is_true(o, "unique")) sql += "UNIQUE ";
  sql += "INDEX " + name + " ON " + (only ? "ONLY " : "") + table + " USING " +
         attr_or(o, "method", "btree") + " (" + reparseable(attr_or(o, "columns", "")) + ")";
  if (const std::string* inc = attr(o, "include")) sql += " INCLUDE (" + *inc + ")";
  if (is_true(o, "nulls_not_distinct")) sql += " NULLS NOT DISTINCT";
  if (const std::string* opts = attr(o, "options"))
    if (!opts->empty()) sql += " WITH (" + with_options(*opts) + ")";
  if (const std::string* pred = attr(o, "predicate")) sql += " WHERE " + reparseable(*pred);
  s.sql.push_back(std::move(sql));
  if (only && children != index_partitions_.end())
    for (const model::Object* c : children->second)
      s.sql.push_back("ALTER INDEX " + o.identity + " ATTACH PARTITION " + c->identity);
  if (const std::string* p = attr(o, "partition_of")) needs_.push_back({i, "\x01index-parent", *p});
  comment(s, o, "INDEX " + o.identity);
  if (is_true(o, "clustered")) s.sql.push_back("ALTER TABLE " + table + " CLUSTER ON " + name);
  if (is_true(o, "replica_identity"))
    s.sql.push_back("ALTER TABLE ONLY " + table + " REPLICA IDENTITY USING INDEX " + name);
}

std::string Plan::view_options(const model::Object& v) {
  std::vector<std::string> opts;
  if (const std::string* c = v.get("check_option")) opts.push_back("check_option=" + *c);
  if (const std::string* b = v.get("security_barrier")) opts.push_back("security_barrier=" + *b);
  if (const std::string* b = v.get("security_invoker")) opts.push_back("security_invoker=" + *b);
  if (const std::string* rest = v.get("options"))
    for (std::string& item : split_list(*rest)) opts.push_back(std::move(item));
  std::string out;
  for (const std::string& item : opts) out += (out.empty() ? "" : ", ") + item;
  return out.empty() ? out : with_options(out);
}

std::string Plan::view_create(const model::Object& v) {
  const bool mv = v.kind == "materialized view";
  std::string sql = std::string("CREATE ") + (mv ? "MATERIALIZED VIEW " : "VIEW ") + v.identity;
  if (const std::string* am = v.get("access_method")) sql += " USING " + *am;
  const std::string opts = view_options(v);
  if (!opts.empty()) sql += " WITH (" + opts + ")";
  const std::string* def = v.get("definition");
  return sql + " AS\n" + (def ? reparseable(*def) : std::string("SELECT"));
}

std::string Plan::view_drop(const model::Object& v) {
  return std::string(v.kind == "materialized view" ? "DROP MATERIALIZED VIEW " : "DROP VIEW ") +
         v.identity;
}

void Plan::add_view(const model::Object& o) {
  const size_t i = add_step(kViews, o);
  need_schema(i, o.identity);
  Step& s = steps_[i];
  const bool mv = o.kind == "materialized view";
  s.view = &o;
  s.sql.push_back(view_create(o));
  s.undo.push_back(view_drop(o));
  const std::string word = mv ? "MATERIALIZED VIEW" : "VIEW";
  for (const model::Object* c : columns_[o.identity])
    if (const std::string* d = attr(*c, "default"))
      s.sql.push_back("ALTER VIEW " + o.identity + " ALTER COLUMN " + last_part(c->identity) +
                      " SET DEFAULT " + reparseable(*d));
  comment(s, o, word + " " + o.identity);
  for (const model::Object* c : columns_[o.identity]) comment(s, *c, "COLUMN " + c->identity);
  owner_and_acl(s, o, word, o.identity, "TABLE");
  for (const model::Object* c : columns_[o.identity]) {
    if (!options_.with_owners)
      grants_to_others(s, o, "TABLE " + o.identity, last_part(c->identity), c);
    else if (const std::string* acl = attr(*c, "acl"))
      grants(s.sql, *acl, "TABLE " + o.identity, last_part(c->identity));
  }
}

void Plan::add_trigger(const model::Object& o) {
  const size_t i = add_step(kAttachments, o);
  Step& s = steps_[i];
  const std::string table = attr_or(o, "table", parent_part(o.identity));
  const std::string name = last_part(o.identity);
  need(i, "table", table);
  need(i, "view", table);
  s.sql.push_back(reparseable(attr_or(o, "definition", "")));
  const std::string enabled = attr_or(o, "enabled", "origin");
  if (enabled == "disabled") s.sql.push_back("ALTER TABLE " + table + " DISABLE TRIGGER " + name);
  if (enabled == "replica")
    s.sql.push_back("ALTER TABLE " + table + " ENABLE REPLICA TRIGGER " + name);
  if (enabled == "always")
    s.sql.push_back("ALTER TABLE " + table + " ENABLE ALWAYS TRIGGER " + name);
  comment(s, o, "TRIGGER " + name + " ON " + table);
}

void Plan::add_policy(const model::Object& o) {
  const size_t i = add_step(kAttachments, o);
  Step& s = steps_[i];
  const std::string table = parent_part(o.identity);
  const std::string name = last_part(o.identity);
  need(i, "table", table);
  std::string sql = "CREATE POLICY " + name + " ON " + table + " AS " +
                    (attr_or(o, "permissive", "true") == "true" ? "PERMISSIVE" : "RESTRICTIVE") +
                    " FOR " + attr_or(o, "command", "ALL") + " TO " + attr_or(o, "roles", "PUBLIC");
  if (const std::string* u = attr(o, "using")) sql += " USING (" + reparseable(*u) + ")";
  if (const std::string* w = attr(o, "with_check")) sql += " WITH CHECK (" + reparseable(*w) + ")";
  s.sql.push_back(std::move(sql));
  comment(s, o, "POLICY " + name + " ON " + table);
}

void Plan::add_event_trigger(const model::Object& o) {
  const size_t i = add_step(kEventTriggers, o);
  Step& s = steps_[i];
  std::string sql =
      "CREATE EVENT TRIGGER " + o.identity + " ON " + attr_or(o, "event", "ddl_command_end");
  if (const std::string* tags = attr(o, "tags")) {
    std::string list;
    for (const std::string& t : split_list(*tags))
      list += (list.empty() ? "" : ", ") + sql_literal(t);
    sql += "\n    WHEN TAG IN (" + list + ")";
  }
  sql += "\n    EXECUTE FUNCTION " + attr_or(o, "function", "");
  s.sql.push_back(std::move(sql));
  const std::string enabled = attr_or(o, "enabled", "origin");
  if (enabled == "disabled") s.sql.push_back("ALTER EVENT TRIGGER " + o.identity + " DISABLE");
  if (enabled == "replica")
    s.sql.push_back("ALTER EVENT TRIGGER " + o.identity + " ENABLE REPLICA");
  if (enabled == "always") s.sql.push_back("ALTER EVENT TRIGGER " + o.identity + " ENABLE ALWAYS");
  comment(s, o, "EVENT TRIGGER " + o.identity);
  owner_and_acl(s, o, "EVENT TRIGGER", o.identity, nullptr);
  s.undo.push_back("DROP EVENT TRIGGER " + o.identity);
  // The function it runs, wherever the priorities put it.
  const std::string fn = attr_or(o, "function", "");
  need(i, "function", fn);
}

void Plan::add_seeds() {
  for (const auto& [table, rows] : facts_.seeds) {
    if (rows.statements.empty()) continue;
    Step s;
    s.phase = kSeeds;
    s.label = "rows of " + table;
    s.sql = rows.statements;
    // After every table: rows of a partitioned table need its partitions.
    s.after = table_steps_;
    steps_.push_back(std::move(s));
  }
}

void Plan::find_deferred_defaults() {
  // Most schemas have no default that calls anything but a sequence: no graph to build.
  auto candidate = [](const std::pair<ObjectKey, ObjectKey>& d) {
    return d.first.kind == "column default" && d.second.kind != "table" &&
           d.second.kind != "sequence";
  };
  if (std::none_of(facts_.depends.begin(), facts_.depends.end(), candidate)) return;
  std::map<ObjectKey, std::vector<const ObjectKey*>> refs;
  for (const auto& [dependent, referenced] : facts_.depends) refs[dependent].push_back(&referenced);
  // Tables each object reaches through pg_depend, memoized: defaults mostly call the same few
  // functions.
  std::map<ObjectKey, std::set<std::string>> reach;
  auto tables_reached = [&](const ObjectKey& start) -> const std::set<std::string>& {
    auto memo = reach.find(start);
    if (memo != reach.end()) return memo->second;
    std::set<std::string>& out = reach[start];
    std::set<ObjectKey> seen{start};
    std::vector<ObjectKey> todo{start};
    while (!todo.empty()) {
      const ObjectKey k = todo.back();
      todo.pop_back();
      if (k.kind == "table") out.insert(k.identity);
      // A default belongs to its table's step, not to what it calls.
      if (k.kind == "column default" && !(k == start)) continue;
      auto it = refs.find(k);
      if (it == refs.end()) continue;
      for (const ObjectKey* r : it->second)
        if (seen.insert(*r).second) todo.push_back(*r);
    }
    return out;
  };
  for (const auto& d : facts_.depends) {
    if (!candidate(d)) continue;
    const auto& [dependent, referenced] = d;
    const model::Object* column = find("column", dependent.identity);
    if (!column || !attr(*column, "default") || attr(*column, "generated")) continue;
    if (tables_reached(referenced).count(parent_part(dependent.identity)))
      deferred_defaults_.insert(dependent.identity);
  }
}

void Plan::add_deferred_default(size_t table_step, const model::Object& column) {
  const std::string table = parent_part(column.identity);
  Step s;
  s.phase = kConstraints;
  s.label = "column default " + column.identity;
  const std::string alter =
      "ALTER TABLE ONLY " + table + " ALTER COLUMN " + last_part(column.identity);
  s.sql.push_back(alter + " SET DEFAULT " + reparseable(*attr(column, "default")));
  // Before the downgrade drops what the default calls.
  s.undo.push_back(alter + " DROP DEFAULT");
  s.after.push_back(table_step);
  steps_.push_back(std::move(s));
  claim("column default", column.identity, steps_.size() - 1);
}

void Plan::add_catalog_dependencies() {
  for (const auto& [dependent, referenced] : facts_.depends) {
    auto a = claims_.find(dependent);
    auto b = claims_.find(referenced);
    if (a == claims_.end() || b == claims_.end() || a->second == b->second) continue;
    size_t first = b->second;
    if (referenced.kind == "base type" || referenced.kind == "range type") {
      auto io = io_shells_.find({dependent.identity, referenced.identity});
      if (io != io_shells_.end() && dependent.kind == "function") first = io->second;
    }
    if (first != a->second) steps_[a->second].after.push_back(first);
  }
}

void Plan::build() {
  for (const model::Object& o : snapshot_.objects) {
    if (o.kind == "column") columns_[parent_part(o.identity)].push_back(&o);
    const std::string* partition_of = attr(o, "partition_of");
    if (partition_of && o.kind == "table") table_partitions_[*partition_of].push_back(o.identity);
    if (partition_of && o.kind == "index") index_partitions_[*partition_of].push_back(&o);
    if (o.kind == "default privileges")
      if (const std::string* g = attr(o, "grants"))
        for (const AclLine& l : parse_acl(*g))
          if (l.grantee != "PUBLIC" && std::find(default_grantees_.begin(), default_grantees_.end(),
                                                 l.grantee) == default_grantees_.end())
            default_grantees_.push_back(l.grantee);
  }
  find_deferred_defaults();
  if (options_.replay_inheritance) plan_inheritance_history();

  for (const model::Object& o : snapshot_.objects) {
    const std::string& k = o.kind;
    if (k == "schema") {
      add_schema(o);
    } else if (k == "extension") {
      add_extension(o);
    } else if (k == "sequence") {
      add_sequence(o);
    } else if (k == "enum") {
      add_enum(o);
    } else if (k == "range type") {
      add_range_type(o);
    } else if (k == "base type") {
      add_base_type(o);
    } else if (k == "shell type") {
      add_shell_type(o);
    } else if (k == "domain") {
      add_domain(o);
    } else if (k == "composite type") {
      add_composite(o);
    } else if (k == "function" || k == "procedure") {
      add_routine(o);
    } else if (k == "table") {
      add_table(o);
    } else if (k == "constraint") {
      add_constraint(o);
    } else if (k == "index") {
      add_index(o);
    } else if (k == "view" || k == "materialized view") {
      add_view(o);
    } else if (k == "trigger") {
      add_trigger(o);
    } else if (k == "policy") {
      add_policy(o);
    } else if (k == "event trigger") {
      add_event_trigger(o);
    } else if (k == "aggregate") {
      add_aggregate(o);
    } else if (k == "operator") {
      add_operator(o);
    } else if (k == "cast") {
      add_cast(o);
    } else if (k == "collation") {
      add_collation(o);
    } else if (k == "access method") {
      add_access_method(o);
    } else if (k == "operator family") {
      add_operator_family(o);
    } else if (k == "operator class") {
      add_operator_class(o);
    } else if (k.rfind("text search ", 0) == 0) {
      add_text_search(o);
    } else if (k == "conversion") {
      add_conversion(o);
    } else if (k == "language") {
      add_language(o);
    } else if (k == "transform") {
      add_transform(o);
    } else if (k == "foreign-data wrapper") {
      add_foreign_data_wrapper(o);
    } else if (k == "foreign server") {
      add_foreign_server(o);
    } else if (k == "user mapping") {
      add_user_mapping(o);
    } else if (k == "foreign table") {
      add_foreign_table(o);
    } else if (k == "rule") {
      add_rule(o);
    } else if (k == "publication") {
      add_publication(o);
    } else if (k == "subscription") {
      add_subscription(o);
    } else if (k == "default privileges") {
      add_default_privileges(o);
    } else if (k == "statistics") {
      add_statistics(o);
    } else if (k == "column" || k == "column order") {
      // Part of their table or view.
    } else if (k == "unmodelled") {
      not_expressible_.push_back(o.identity + " (" + attr_or(o, "type", "unmodelled object") + ")");
    } else {
      not_expressible_.push_back(o.kind + " " + o.identity);
    }
  }
  add_seeds();
  add_late_columns();

  for (const Need& n : needs_) {
    if (n.kind == "\x01index-parent") {
      // n.step is a partition's index (or its constraint); the parent index's step waits.
      auto it = claims_.find(ObjectKey{"index", n.identity});
      if (it != claims_.end() && it->second != n.step) steps_[it->second].after.push_back(n.step);
      continue;
    }
    if (n.kind == "\x01constraint-parent") {
      auto it = claims_.find(ObjectKey{"constraint", n.identity});
      if (it != claims_.end() && it->second != n.step) steps_[it->second].after.push_back(n.step);
      continue;
    }
    auto it = claims_.find(ObjectKey{n.kind, n.identity});
    if (it != claims_.end() && it->second != n.step) steps_[n.step].after.push_back(it->second);
  }
  link_base_types();
  add_catalog_dependencies();
  wait_for_late_columns();
  add_role_check();
  std::sort(not_expressible_.begin(), not_expressible_.end());
}

}  // namespace squash::generator
