// The Alembic version table as squashd reads and writes it: found through the catalogs,
// never through a search_path an application role can put a view in front of.
//
// The name is pg_squash.version_table when the database or squashd's role sets it (the
// extension's setting, "table" or "schema.table", parsed with parse_ident), else
// alembic_version. A qualified name is looked up in its schema. An unqualified one is
// looked for in every schema but the system's: exactly one plain or partitioned table
// of that name is the version table; other relations of that name (a view, a
// materialized or foreign table) are listed and never read; two tables, or none but a
// relation that is not a table, fail with a clear error. The table must have a
// version_num column of type varchar or text (no user type's cast or output runs).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/connection.hpp"

namespace squash::jobs {

struct VersionTable {
  std::string schema;  // as in the catalog; "public" when it does not exist and is unqualified
  std::string name;    // as in the catalog, e.g. alembic_version
  bool exists = false;
  bool partitioned = false;
  std::size_t width = 32;            // version_num's length limit (varchar(n)); text: large
  std::vector<std::string> ignored;  // "evil.alembic_version (a view)": never read

  // "schema"."name", quoted by libpq.
  std::string qualified(const db::Connection& conn) const;
};

// Throws StepFailed (why, never reading anything but the catalogs) or PgError.
VersionTable find_version_table(db::Connection& conn, process::Stop* stop);

// Its version_num values, sorted; empty when the table does not exist.
std::vector<std::string> read_revisions(db::Connection& conn, const VersionTable& table,
                                        process::Stop* stop);
// The values joined with ',', or "(no alembic_version table)" when it does not exist.
std::string joined_revisions(db::Connection& conn, process::Stop* stop);

// A superuser writes the table (rebuild): StepFailed unless writing it runs no code of
// its owner — no trigger, rule, default, generated or other column, CHECK constraint,
// index expression or predicate, child or partition. Nothing to check when it does not
// exist.
void require_plain_table(db::Connection& conn, const VersionTable& table, process::Stop* stop);

// Replaces its rows by revision (creating it in table.schema when it does not exist), in
// the caller's transaction, after require_plain_table.
void write_revision(db::Connection& conn, VersionTable& table, const std::string& revision,
                    process::Stop* stop);

}  // namespace squash::jobs
