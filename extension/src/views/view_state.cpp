// Views as pg_squash keeps them, and the DDL that puts them back (see view_state.hpp).
#include <nlohmann/json.hpp>  // before PostgreSQL headers (port.h macros)

#include <string>
#include <vector>

#include "pg_squash/model/printable.hpp"
#include "pg_squash/pg/guc_scope.hpp"
#include "pg_squash/views/view_sql.hpp"
#include "pg_squash/views/view_state.hpp"

namespace squash::views {

// Role names come back through pg_get_userbyid; a dropped role reads "unknown (OID=n)" and
// is reported, never granted to.
const char* const kLiveStateQuery = R"SQL(
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS identity,
       n.nspname::text AS schema_name,
       c.relname::text AS view_name,
       CASE c.relkind WHEN 'm' THEN 'materialized' ELSE 'view' END AS kind,
       regexp_replace(pg_get_viewdef(c.oid, true), '^[[:space:]]+|[[:space:];]+$', '', 'g')
         AS definition,
       ARRAY(SELECT a.attname::text FROM pg_attribute a
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
              ORDER BY a.attnum) AS column_names,
       ARRAY(SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
              ORDER BY a.attnum) AS column_types,
       c.reloptions::text[] AS options,
       pg_get_userbyid(c.relowner)::text AS owner,
       (SELECT jsonb_agg(jsonb_build_object('name', i.relname::text,
                                            'definition', pg_get_indexdef(i.oid))
                         ORDER BY i.relname)
          FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
         WHERE x.indrelid = c.oid) AS indexes,
       obj_description(c.oid, 'pg_class') AS comment,
       (SELECT jsonb_object_agg(a.attname::text, d.description)
          FROM pg_description d
          JOIN pg_attribute a ON a.attrelid = d.objoid AND a.attnum = d.objsubid
         WHERE d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid > 0
           AND NOT a.attisdropped) AS column_comments,
       CASE WHEN c.relacl IS NOT NULL THEN coalesce(
         (SELECT jsonb_agg(jsonb_build_object(
                   'grantee', CASE WHEN e.grantee = 0 THEN NULL
                                   ELSE pg_get_userbyid(e.grantee)::text END,
                   'privilege', e.privilege_type, 'grantable', e.is_grantable,
                   'grantor', pg_get_userbyid(e.grantor)::text) ORDER BY e.ord)
            FROM aclexplode(c.relacl) WITH ORDINALITY
                 AS e(grantor, grantee, privilege_type, is_grantable, ord)),
         '[]'::jsonb) END AS grants,
       (SELECT jsonb_agg(jsonb_build_object(
                 'column', a.attname::text,
                 'grantee', CASE WHEN e.grantee = 0 THEN NULL
                                 ELSE pg_get_userbyid(e.grantee)::text END,
                 'privilege', e.privilege_type, 'grantable', e.is_grantable,
                 'grantor', pg_get_userbyid(e.grantor)::text) ORDER BY a.attnum, e.ord)
          FROM pg_attribute a,
               aclexplode(a.attacl) WITH ORDINALITY
                 AS e(grantor, grantee, privilege_type, is_grantable, ord)
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS column_grants,
       ARRAY(SELECT x.ddl FROM (
               SELECT 1 AS k, t.tgname::text AS nm, pg_get_triggerdef(t.oid) AS ddl
                 FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal
               UNION ALL
               SELECT 2, r.rulename::text,
                      regexp_replace(pg_get_ruledef(r.oid), '[[:space:];]+$', '')
                 FROM pg_rewrite r WHERE r.ev_class = c.oid AND r.rulename <> '_RETURN'
               UNION ALL
               SELECT 3, a.attname::text,
                      format('ALTER VIEW %s ALTER COLUMN %s SET DEFAULT %s',
                             quote_ident(n.nspname) || '.' || quote_ident(c.relname),
                             quote_ident(a.attname), pg_get_expr(d.adbin, d.adrelid))
                 FROM pg_attrdef d
                 JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
                WHERE d.adrelid = c.oid AND NOT a.attisdropped) x
             ORDER BY x.k, x.nm) AS extra_ddl
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
)SQL";

const char* const kStateColumns =
    "identity, schema_name, view_name, kind, definition, column_names, column_types, options, "
    "owner, indexes, comment, column_comments, grants, column_grants, extra_ddl";

const char* const kStateAsText =
    "identity, schema_name, view_name, kind, definition, to_jsonb(column_names)::text, "
    "to_jsonb(column_types)::text, to_jsonb(options)::text, owner, indexes::text, comment, "
    "column_comments::text, grants::text, column_grants::text, to_jsonb(extra_ddl)::text";

namespace {

using nlohmann::json;

json parse_json(const Value& v) {
  if (!v) return json();
  return json::parse(*v);
}

std::vector<std::string> strings(const Value& v) {
  std::vector<std::string> out;
  json j = parse_json(v);
  if (!j.is_array()) return out;
  for (const auto& e : j)
    if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

std::string text_field(const json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<Grant> grants(const json& j) {
  std::vector<Grant> out;
  if (!j.is_array()) return out;
  for (const auto& o : j) {
    if (!o.is_object()) continue;
    Grant g;
    g.column = text_field(o, "column");
    auto grantee = o.find("grantee");
    if (grantee != o.end() && grantee->is_string()) g.grantee = grantee->get<std::string>();
    g.privilege = text_field(o, "privilege");
    auto grantable = o.find("grantable");
    g.grantable = grantable != o.end() && grantable->is_boolean() && grantable->get<bool>();
    g.grantor = text_field(o, "grantor");
    out.push_back(std::move(g));
  }
  return out;
}

bool role_exists(Spi& spi, const std::string& role) {
  return spi.scalar("SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1)::text", {role},
                    false) == std::string("true");
}

using model::join;

// " WITH (name = 'value', ...)" from reloptions; option names are checked, values quoted.
std::string with_options(const ViewState& state) {
  if (state.options.empty()) return {};
  std::vector<std::string> items;
  for (const std::string& option : state.options) {
    size_t eq = option.find('=');
    std::string name = option.substr(0, eq);
    bool ok = !name.empty() && eq != std::string::npos;
    for (char ch : name)
      if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.'))
        ok = false;
    if (!ok)
      throw Error("pg_squash: " + state.identity + " has a malformed option: " + option,
                  ERRCODE_INVALID_PARAMETER_VALUE);
    items.push_back(name + " = " + quote_literal(option.substr(eq + 1)));
  }
  return " WITH (" + join(items, ", ") + ")";
}

bool known_privilege(const std::string& p) {
  static const char* const kKnown[] = {"SELECT",   "INSERT",     "UPDATE",  "DELETE",
                                       "TRUNCATE", "REFERENCES", "TRIGGER", "MAINTAIN"};
  for (const char* k : kKnown)
    if (p == k) return true;
  return false;
}

std::vector<std::string> column_names(Spi& spi, const std::string& identity) {
  QueryResult r = spi.query(
      "SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = $1::regclass"
      " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
      {identity}, false);
  std::vector<std::string> out;
  for (const Row& row : r.rows) out.push_back(row[0].value_or(""));
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  for (const auto& e : v)
    if (e == s) return true;
  return false;
}

void apply_grant(Spi& spi, const ViewState& state, const Grant& g, const std::string& owner,
                 const std::vector<std::string>& columns) {
  if (!known_privilege(g.privilege)) {
    warn("pg_squash: " + state.identity + ": privilege " + g.privilege + " not restored");
    return;
  }
  if (!g.column.empty() && !contains(columns, g.column)) {
    warn("pg_squash: " + state.identity + ": " + g.privilege + " on column " +
         quote_ident(g.column) + " not restored: the column no longer exists");
    return;
  }
  if (g.grantee && !role_exists(spi, *g.grantee)) {
    warn("pg_squash: " + state.identity + ": " + g.privilege + " for role " + *g.grantee +
         " not restored: the role does not exist");
    return;
  }
  std::string sql = "GRANT " + g.privilege +
                    (g.column.empty() ? "" : " (" + quote_ident(g.column) + ")") + " ON TABLE " +
                    state.identity + " TO " + (g.grantee ? quote_ident(*g.grantee) : "PUBLIC") +
                    (g.grantable ? " WITH GRANT OPTION" : "");
  // A grant made by someone else than the owner (through a grant option) is made as that
  // role again, so the grantor is kept; the owner's grants need no role change.
  // (It needs USAGE on the schema to name the view; without it the owner grants instead.)
  if (!g.grantor.empty() && g.grantor != owner && role_exists(spi, g.grantor)) {
    if (spi.scalar("SELECT has_schema_privilege($1, $2, 'USAGE')::text", {g.grantor, state.schema},
                   false) != std::string("true")) {
      warn("pg_squash: " + state.identity + ": " + g.privilege + " granted by " + g.grantor +
           " is granted by the owner instead: " + g.grantor + " cannot use schema " +
           quote_ident(state.schema));
      spi.execute(sql);
      return;
    }
    GucScope as_grantor;
    as_grantor.set("role", g.grantor);
    spi.execute(sql);
    return;
  }
  spi.execute(sql);
}

}  // namespace

ViewState state_from_row(const Row& row, size_t offset) {
  auto at = [&](size_t i) -> const Value& { return row.at(offset + i); };
  ViewState s;
  s.schema = at(1).value_or("");
  s.name = at(2).value_or("");
  // The identity is rebuilt rather than trusted: it is pasted into DDL.
  s.identity = quote_ident(s.schema) + "." + quote_ident(s.name);
  s.materialized = at(3).value_or("") == "materialized";
  s.definition = at(4).value_or("");
  s.column_names = strings(at(5));
  s.column_types = strings(at(6));
  s.options = strings(at(7));
  s.owner = at(8);
  json indexes = parse_json(at(9));
  if (indexes.is_array())
    for (const auto& o : indexes)
      if (o.is_object()) s.indexes.emplace_back(text_field(o, "name"), text_field(o, "definition"));
  s.comment = at(10);
  json comments = parse_json(at(11));
  if (comments.is_object())
    for (auto it = comments.begin(); it != comments.end(); ++it)
      if (it->is_string()) s.column_comments.emplace_back(it.key(), it->get<std::string>());
  if (at(12)) s.grants = grants(parse_json(at(12)));
  s.column_grants = grants(parse_json(at(13)));
  s.extra_ddl = strings(at(14));
  return s;
}

ViewState live_state(Spi& spi, const std::string& oid) {
  QueryResult r = spi.query(std::string("SELECT ") + kStateAsText + " FROM (" + kLiveStateQuery +
                                " WHERE c.oid = $1::oid) s",
                            {oid}, false);
  if (r.rows.empty()) throw Error("pg_squash: relation " + oid + " disappeared");
  return state_from_row(r.rows[0]);
}

std::optional<LiveRelation> find_relation(Spi& spi, const std::string& schema,
                                          const std::string& name) {
  QueryResult r = spi.query(
      "SELECT c.oid::text, c.relkind::text FROM pg_class c"
      " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
      {schema, name}, false);
  if (r.rows.empty()) return std::nullopt;
  return LiveRelation{r.rows[0][0].value_or(""), r.rows[0][1].value_or(" ")[0]};
}

std::string definition_search_path(const std::string& schema) {
  std::string path = quote_ident(schema);
  if (schema != "public") path += ", public";
  return path + ", pg_temp";
}

void create_relation(Spi& spi, const ViewState& state) {
  // The newline before WITH NO DATA ends a trailing line comment of the definition. A
  // materialized view is populated by restore_attachments once its owner is set: the query
  // runs with the owner's rights, never the caller's.
  std::string sql = "CREATE " + std::string(state.sql_kind()) + " " + state.identity +
                    with_options(state) + " AS\n" + state.definition + "\n" +
                    (state.materialized ? "WITH NO DATA" : "");
  check_statement(sql, state.materialized ? StatementKind::kMaterializedView : StatementKind::kView,
                  "the statement creating " + state.identity);
  GucScope path;
  path.set("search_path", definition_search_path(state.schema));
  spi.execute(sql);
}

void replace_view(Spi& spi, const ViewState& state) {
  std::string sql = "CREATE OR REPLACE VIEW " + state.identity + with_options(state) + " AS\n" +
                    state.definition + "\n";
  check_statement(sql, StatementKind::kView, "the statement replacing " + state.identity);
  GucScope path;
  path.set("search_path", definition_search_path(state.schema));
  spi.execute(sql);
}

void drop_relation(Spi& spi, const std::string& identity, bool materialized) {
  // No CASCADE: a dependent pg_squash does not re-create (a function, a rule elsewhere) stops
  // the drop with PostgreSQL's own message.
  spi.execute(std::string("DROP ") + (materialized ? "MATERIALIZED VIEW " : "VIEW ") + identity);
}

void restore_attachments(Spi& spi, const ViewState& state) {
  // The owner first: index expressions and the query of a materialized view then run as it.
  std::string current = spi.scalar("SELECT current_user::text", {}, false).value_or("");
  std::string owner = current;
  if (state.owner && *state.owner != current) {
    if (role_exists(spi, *state.owner)) {
      spi.execute("ALTER " + std::string(state.sql_kind()) + " " + state.identity + " OWNER TO " +
                  quote_ident(*state.owner));
      owner = *state.owner;
    } else {
      warn("pg_squash: " + state.identity + ": owner " + *state.owner +
           " does not exist; left owned by " + current);
    }
  }
  if (state.materialized) {
    for (const auto& [name, definition] : state.indexes) {
      check_statement(definition, StatementKind::kIndex, "index " + quote_ident(name));
      spi.execute(definition);
    }
    spi.execute("REFRESH MATERIALIZED VIEW " + state.identity);
  }

  std::vector<std::string> columns = column_names(spi, state.identity);
  if (state.comment)
    spi.execute("COMMENT ON " + std::string(state.sql_kind()) + " " + state.identity + " IS " +
                quote_literal(*state.comment));
  for (const auto& [column, comment] : state.column_comments) {
    if (!contains(columns, column)) {
      warn("pg_squash: " + state.identity + ": comment on column " + quote_ident(column) +
           " not restored: the column no longer exists");
      continue;
    }
    spi.execute("COMMENT ON COLUMN " + state.identity + "." + quote_ident(column) + " IS " +
                quote_literal(comment));
  }

  if (state.grants) {
    // Start from nothing, as the recorded ACL does: it lists the owner's own privileges too.
    spi.execute("REVOKE ALL ON TABLE " + state.identity + " FROM " + quote_ident(owner));
    for (const Grant& g : *state.grants) apply_grant(spi, state, g, owner, columns);
  }
  for (const Grant& g : state.column_grants) apply_grant(spi, state, g, owner, columns);

  for (const std::string& ddl : state.extra_ddl) {
    check_statement(ddl, StatementKind::kAttachment,
                    "a trigger, rule or default of " + state.identity);
    spi.execute(ddl);
  }
}

void lock_views(Spi& spi) {
  if (spi.scalar("SELECT pg_try_advisory_xact_lock(7420771, 40)::text", {}, false) !=
      std::string("true"))
    throw Error(
        "pg_squash: another view capture, registration or refresh is running in this "
        "database",
        ERRCODE_LOCK_NOT_AVAILABLE, {}, "Wait for it to finish, then try again.");
}

void warn(const std::string& message) {
  pg_call([&] { ereport(WARNING, (errmsg("%s", message.c_str()))); });
}

}  // namespace squash::views
