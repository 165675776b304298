// squash_view_capture and squash_view_register: what squash.managed_views holds.
#include <nlohmann/json.hpp>  // before PostgreSQL headers (port.h macros)

#include <optional>
#include <string>
#include <vector>

#include "pg_squash/srf.hpp"
#include "pg_squash/views/view_sql.hpp"
#include "pg_squash/views/view_state.hpp"
#include "pg_squash/user_objects.hpp"

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

}  // namespace
}  // namespace squash::views

using namespace squash;
using namespace squash::views;

// squash_view_capture(schemas text[] DEFAULT NULL) -> integer
SQUASH_FUNCTION(squash_view_capture) {
  std::optional<std::vector<std::string>> schemas = text_array_arg(fcinfo, 0);
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

  Spi spi;
  lock_views(spi);
  // The name as the server reads it: quoted parts kept, unquoted ones folded to lower case.
  Value parts_json;
  try {
    parts_json = spi.scalar("SELECT to_jsonb(parse_ident($1))::text", {*view_name}, false);
  } catch (const PgError& e) {
    throw Error("pg_squash: invalid view name " + quote_literal(*view_name) + ": " + e.what(),
                ERRCODE_INVALID_PARAMETER_VALUE);
  }
  std::vector<std::string> parts =
      nlohmann::json::parse(parts_json.value_or("[]")).get<std::vector<std::string>>();
  if (parts.empty() || parts.size() > 2)
    throw Error("pg_squash: invalid view name " + quote_literal(*view_name) +
                    ": expected name or schema.name",
                ERRCODE_INVALID_PARAMETER_VALUE);
  // An unqualified name means public: the function runs with a pinned search_path, and a
  // registration must not depend on the session that made it.
  const std::string schema = parts.size() == 2 ? parts[0] : "public";
  const std::string name = parts.back();
  for (const std::string& part : {schema, name}) {
    if (part.empty())
      throw Error("pg_squash: invalid view name " + quote_literal(*view_name),
                  ERRCODE_INVALID_PARAMETER_VALUE);
    if (part.size() >= NAMEDATALEN)
      throw Error("pg_squash: name " + quote_ident(part) + " is longer than " +
                      std::to_string(NAMEDATALEN - 1) + " bytes",
                  ERRCODE_NAME_TOO_LONG);
  }
  if (reserved_schema(schema))
    throw Error("pg_squash: views in schema " + quote_ident(schema) + " cannot be managed",
                ERRCODE_RESERVED_NAME);
  const std::string identity = quote_ident(schema) + "." + quote_ident(name);

  ParsedDefinition parsed = parse_definition(*definition, "definition of " + identity);
  if (auto live = find_relation(spi, schema, name);
      live && live->relkind != 'v' && live->relkind != 'm')
    throw Error("pg_squash: " + identity + " exists and is not a view or materialized view",
                ERRCODE_WRONG_OBJECT_TYPE);

  // A new row takes owner, grants, comments, indexes, triggers from the live view of that
  // name when there is one (options and indexes only when the kind is the same); an existing
  // row keeps its own. The column list is known again after the next refresh.
  const std::string kind = materialized ? "materialized" : "view";
  std::string sql = std::string(R"SQL(
INSERT INTO squash.managed_views AS m
       (identity, schema_name, view_name, kind, definition, options, owner, indexes, comment,
        column_comments, grants, column_grants, extra_ddl, source, captured_at)
SELECT $1, $2, $3, $4, $5,
       CASE WHEN s.kind = $4 THEN s.options END, s.owner,
       CASE WHEN s.kind = $4 THEN s.indexes END, s.comment, s.column_comments, s.grants,
       s.column_grants, s.extra_ddl, 'register', now()
  FROM (SELECT 1) AS one
  LEFT JOIN ()SQL") +
                    kLiveStateQuery +
                    R"SQL( WHERE n.nspname = $2 AND c.relname = $3
                              AND c.relkind IN ('v', 'm')) AS s ON true
    ON CONFLICT (identity) DO UPDATE
   SET kind = excluded.kind, definition = excluded.definition, source = 'register',
       captured_at = now(),
       options = CASE WHEN m.kind = excluded.kind THEN m.options END,
       column_names = CASE WHEN m.kind = excluded.kind AND m.definition = excluded.definition
                           THEN m.column_names END,
       column_types = CASE WHEN m.kind = excluded.kind AND m.definition = excluded.definition
                           THEN m.column_types END
)SQL";
  spi.execute(sql, {identity, schema, name, kind, parsed.text});
  PG_RETURN_VOID();
}
