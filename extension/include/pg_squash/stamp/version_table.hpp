// The Alembic version table: where it is, its rows, and what a revision id may be.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pg_squash/pg/spi.hpp"

namespace squash {

struct VersionTable {
  std::string schema;
  std::string name;
  bool exists = false;
  int width = 32;          // version_num's varchar length; Alembic's default for a new table
  Oid oid = InvalidOid;    // once it exists
  Oid owner = InvalidOid;  // its rows are read and written as this role (privileges.hpp)

  std::string qualified() const { return quote_ident(schema) + "." + quote_ident(name); }
};

// Resolves pg_squash.version_table (optionally schema-qualified; quoted parts allowed).
// An unqualified name is looked up in caller_schemas in order (the caller's search_path);
// when it exists nowhere, it belongs in the first of them, as Alembic would create it.
VersionTable resolve_version_table(Spi& spi, const std::string& setting,
                                   const std::vector<std::string>& caller_schemas);

// Creates the table exactly as Alembic does: version_num varchar(32) NOT NULL, primary
// key named <table>_pkc.
void create_version_table(Spi& spi, VersionTable& table);

// The table's rows, sorted (Alembic allows several heads). Read as the table's owner,
// after checking that the caller may SELECT from it.
std::vector<std::string> read_revisions(Spi& spi, const VersionTable& table);

// Replaces the table's rows with `revisions`, as its owner, after checking that the caller
// may read, delete and insert there. Throws for a missing privilege.
void write_revisions(Spi& spi, const VersionTable& table,
                     const std::vector<std::string>& revisions);

// The version table a stored "schema.name" (squash.stamp_history) names now, or nullopt.
std::optional<VersionTable> stored_version_table(const std::string& stored);

// 1..width characters, none of them whitespace or control characters. Throws otherwise.
void check_revision(const std::optional<std::string>& revision, int width);

}  // namespace squash
