// What counts as the application's own objects — the one definition the snapshot, the data
// fingerprint, view capture and validation share: not in a system schema (pg_*,
// information_schema), not in pg_squash's own schema, and not owned by an extension
// (the object itself or its schema).
#pragma once

#include <string_view>

#include "pg_squash/pg/extension_schema.hpp"

namespace squash {

// pg_catalog, information_schema, pg_toast, temporary schemas (pg_temp_N, pg_toast_temp_N),
// and squash. User schemas cannot start with "pg_" (PostgreSQL reserves the prefix).
inline bool is_system_schema(std::string_view name) {
  return name.substr(0, 3) == "pg_" || name == "information_schema" || name == kSquashSchema;
}

// The Alembic version table is bookkeeping, not the application's: a table named
// alembic_version in any schema, or the configured one (schema empty: in any schema).
inline bool is_version_table(std::string_view schema, std::string_view name,
                             std::string_view configured_schema, std::string_view configured_name) {
  return name == "alembic_version" ||
         (name == configured_name && (configured_schema.empty() || configured_schema == schema));
}

// A SQL condition over `c` (pg_class) joined to `n` (pg_namespace): the relation is a
// user relation in the sense above.
inline constexpr const char* kUserRelationSql =
    " n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'squash')"
    " AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d"
    "   WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
    "     AND d.objid = c.oid AND d.deptype = 'e')"
    " AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d"
    "   WHERE d.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass"
    "     AND d.objid = n.oid AND d.deptype = 'e') ";

}  // namespace squash
