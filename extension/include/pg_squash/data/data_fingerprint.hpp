// Data fingerprints: an order-independent hash of every row of a table, computed over the
// heap in C++, equal on a pg_dump/pg_restore copy and different after any change of any
// value.
//
// Per row, XXH3-128 over the row's encoding: for every non-dropped column, in order,
//   index (uint16 LE, counting non-dropped columns only), then
//   0x00 for NULL, or 0x01 + length (uint32 LE) + value bytes, or 0x02 + array form.
// A table's hash is XXH3-128 over (row count uint64 LE, wrapping 128-bit sum of the row
// hashes as two uint64 LE, low half first): the sum makes it independent of row order.
//
// Value bytes are chosen per column, once, by type (domains by their base type):
//  - built-in fixed-width types (int, bigint, bool, float, timestamp[tz], date, uuid,
//    interval, money, ...): the value's bytes;
//  - built-in varlena types (text, varchar, bpchar, bytea, numeric, jsonb, json, xml,
//    inet, bit, tsvector, ...): the detoasted payload, whatever its header or compression;
//  - arrays of such types: dimensions, lower bounds, then each element (NULL flag, length,
//    bytes), never the array header (it holds the element type's OID);
//  - everything whose binary form depends on the database: enums (an OID), composite
//    types and records, ranges and multiranges, reg* types, aclitem, arrays of any of
//    those, and types that are not built in (extensions, user base types): the output
//    function's text, under pinned DateStyle, IntervalStyle, TimeZone,
//    extra_float_digits, bytea_output, lc_monetary and search_path.
//
// A large table is scanned by parallel workers with the leader (see docs/sql.md); the sum
// of the row hashes does not depend on who hashed which row.
//
// Every table is locked with AccessShareLock (as SELECT does) before one MVCC snapshot
// is taken and registered for the whole call. The caller needs SELECT on each table;
// a table whose row-level security applies to the caller is refused.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pg_squash/pg/spi.hpp"

namespace squash::data {

struct TableFingerprint {
  std::string relation;  // schema-qualified, each part quoted as quote_ident would
  int64 row_count = 0;
  std::string hash;  // 32 lowercase hex digits
};

// Fingerprints of tables, sorted by relation. nullopt: every ordinary table (partitions
// are reported as their leaves) in user schemas, except the pg_squash schema, tables
// that belong to an extension and the Alembic version table (alembic_version and
// whatever pg_squash.version_table names). Otherwise exactly these relations: a
// partitioned table stands for its leaf partitions; a materialized view is allowed.
std::vector<TableFingerprint> fingerprint_tables(Spi& spi,
                                                 const std::optional<std::vector<Oid>>& tables);

}  // namespace squash::data
