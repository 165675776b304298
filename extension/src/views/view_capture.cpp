// squash_view_capture and squash_view_register: what squash.managed_views holds.
#include <nlohmann/json.hpp>  // before PostgreSQL headers (port.h macros)

#include <optional>
#include <string>
#include <vector>

#include "pg_squash/pg/privileges.hpp"
#include "pg_squash/pg/srf.hpp"
#include "pg_squash/views/view_sql.hpp"
#include "pg_squash/views/view_state.hpp"
#include "pg_squash/catalog/user_objects.hpp"

namespace squash::views {
namespace {

// The application's views (user_objects.hpp).
const std::string kUserViews = std::string(" WHERE c.relkind IN ('v', 'm') AND") + kUserRelationSql;

std::vector<std::string> split_columns(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    size_t b = list.find_first_not_of(' ', start);
    out.push_back(list.substr(b, comma - b));
    start = comma + 1;
  }
  return out;
}

// INSERT ... ON CONFLICT that writes every state column from `source` (a SELECT producing
// kStateColumns) and keeps refreshed_at.
std::string upsert(const std::string& source) {
  std::string set, values;
  for (const std::string& col : split_columns(kStateColumns)) {
    if (col == "identity") continue;
    set += (set.empty() ? "" : ", ") + col;
    values += (values.empty() ? "" : ", ") + ("excluded." + col);
  }
  return std::string("INSERT INTO squash.managed_views AS m (") + kStateColumns +
         ", source, captured_at) SELECT " + kStateColumns + ", 'capture', now() FROM (" + source +
         ") s ON CONFLICT (identity) DO UPDATE SET (" + set + ", source, captured_at) = ROW(" +
         values + ", 'capture', now())";
}

bool reserved_schema(const std::string& schema) {
  return is_system_schema(schema);
}

struct ManagedName {
  std::string schema, name;
};

// A view name as the server reads it (quoted parts kept, unquoted ones folded to lower case).
// An unqualified name means public: the functions run with a pinned search_path, and a
// registration must not depend on the session that made it.
ManagedName managed_view_name(const std::string& text) {
  QualifiedName q;
  try {
    q = parse_qualified_name(text, "view_name");
  } catch (const Error& e) {
    throw Error(
        "pg_squash: invalid view name " + quote_literal(text) + ": expected name or schema.name",
        ERRCODE_INVALID_PARAMETER_VALUE, e.detail().empty() ? e.what() : e.detail());
  }
  return {q.schema.empty() ? "public" : q.schema, q.name};
}

}  // namespace
}  // namespace squash::views

using namespace squash;
using namespace squash::views;

// squash_view_capture(schemas text[] DEFAULT NULL) -> integer
SQUASH_FUNCTION(squash_view_capture) {
  std::optional<std::vector<std::string>> schemas = text_array_arg(fcinfo, 0);
  require_admin("capturing views");
  Spi spi;
  lock_views(spi);
  Value scope;
  if (schemas) {
    for (const std::string& schema : *schemas) {
      if (spi.scalar("SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1)::text", {schema},
                     false) != std::string("true"))
        throw Error("pg_squash: schema " + quote_ident(schema) + " does not exist",
                    ERRCODE_UNDEFINED_SCHEMA);
    }
    scope = nlohmann::json(*schemas).dump();
  }
  std::string source = std::string(kLiveStateQuery) + kUserViews +
                       " AND ($1::jsonb IS NULL OR n.nspname::text IN"
                       " (SELECT jsonb_array_elements_text($1::jsonb)))";
  StateWriter state;
  uint64 n = spi.execute(upsert(source), {scope});
  PG_RETURN_INT32(static_cast<int32>(n));
}

// squash_view_register(view_name text, definition text, materialized boolean DEFAULT false)
SQUASH_FUNCTION(squash_view_register) {
  std::optional<std::string> view_name = text_arg(fcinfo, 0);
  std::optional<std::string> definition = text_arg(fcinfo, 1);
  const bool materialized = PG_NARGS() > 2 && !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);
  if (!view_name)
    throw Error("pg_squash: view_name must not be NULL", ERRCODE_NULL_VALUE_NOT_ALLOWED);
  if (!definition)
    throw Error("pg_squash: definition must not be NULL", ERRCODE_NULL_VALUE_NOT_ALLOWED);

  require_admin("registering a view");
  Spi spi;
  lock_views(spi);
  const ManagedName managed = managed_view_name(*view_name);
  const std::string& schema = managed.schema;
  const std::string& name = managed.name;
  if (reserved_schema(schema))
    throw Error("pg_squash: views in schema " + quote_ident(schema) + " cannot be managed",
                ERRCODE_RESERVED_NAME);
  const std::string identity = quote_ident(schema) + "." + quote_ident(name);

  ParsedDefinition parsed = parse_definition(*definition, "definition of " + identity);
  if (auto live = find_relation(spi, schema, name);
      live && live->relkind != 'v' && live->relkind != 'm')
    throw Error("pg_squash: " + identity + " exists and is not a view or materialized view",
                ERRCODE_WRONG_OBJECT_TYPE);

  // The definition will run as the view's owner: only that owner (or a member of it) may
  // register it. The owner is the live view's, else the one already recorded, else the
  // caller's.
  const std::string caller = current_role_name();
  std::string owner = caller;
  if (std::optional<CatalogRelation> live = squash::find_relation(schema, name)) {
    owner =
        spi.scalar("SELECT pg_get_userbyid($1::oid)::text", {std::to_string(live->owner)}, false)
            .value_or(caller);
  } else if (Value recorded = spi.scalar(
                 "SELECT owner FROM squash.managed_views WHERE identity = $1", {identity}, false)) {
    owner = *recorded;
  }
  if (spi.scalar("SELECT pg_has_role(current_user, $1::name, 'USAGE')::text", {owner}, false) !=
      std::string("true"))
    throw Error("pg_squash: permission denied: " + identity + " is owned by " + quote_ident(owner) +
                    "; only its owner may register its definition",
                ERRCODE_INSUFFICIENT_PRIVILEGE, {},
                "Run squash_view_register as that role (or a member of it).");

  // A new row takes grants, comments, indexes, triggers from the live view of that name when
  // there is one (options and indexes only when the kind is the same); an existing row keeps
  // its own. The column list is known again after the next refresh.
  const std::string kind = materialized ? "materialized" : "view";
  std::string sql = std::string(R"SQL(
INSERT INTO squash.managed_views AS m
       (identity, schema_name, view_name, kind, definition, options, owner, indexes, comment,
        column_comments, grants, column_grants, extra_ddl, source, captured_at)
SELECT $1, $2, $3, $4, $5,
       CASE WHEN s.kind = $4 THEN s.options END, $6,
       CASE WHEN s.kind = $4 THEN s.indexes END, s.comment, s.column_comments, s.grants,
       s.column_grants, s.extra_ddl, 'register', now()
  FROM (SELECT 1) AS one
  LEFT JOIN ()SQL") +
                    kLiveStateQuery +
                    R"SQL( WHERE n.nspname = $2 AND c.relname = $3
                              AND c.relkind IN ('v', 'm')) AS s ON true
    ON CONFLICT (identity) DO UPDATE
   SET kind = excluded.kind, definition = excluded.definition, source = 'register',
       captured_at = now(), owner = excluded.owner,
       options = CASE WHEN m.kind = excluded.kind THEN m.options END,
       column_names = CASE WHEN m.kind = excluded.kind AND m.definition = excluded.definition
                           THEN m.column_names END,
       column_types = CASE WHEN m.kind = excluded.kind AND m.definition = excluded.definition
                           THEN m.column_types END
)SQL";
  StateWriter state;
  spi.execute(sql, {identity, schema, name, kind, parsed.text, owner});
  PG_RETURN_VOID();
}

// squash_view_unregister(view_name text) -> boolean: removes a view from the managed set
// (the view itself is left alone); false when it was not managed.
SQUASH_FUNCTION(squash_view_unregister) {
  std::optional<std::string> view_name = text_arg(fcinfo, 0);
  if (!view_name)
    throw Error("pg_squash: view_name must not be NULL", ERRCODE_NULL_VALUE_NOT_ALLOWED);
  require_admin("unregistering a view");
  const ManagedName managed = managed_view_name(*view_name);
  Spi spi;
  lock_views(spi);
  StateWriter state;
  PG_RETURN_BOOL(spi.execute("DELETE FROM squash.managed_views"
                             " WHERE schema_name = $1 AND view_name = $2",
                             {managed.schema, managed.name}) > 0);
}
