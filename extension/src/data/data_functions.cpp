// SQL functions over data fingerprints: compute, store under a label, expect row counts.
#include <optional>
#include <string>
#include <vector>

#include "pg_squash/data/data_fingerprint.hpp"
#include "pg_squash/snapshot/labels.hpp"
#include "pg_squash/pg/privileges.hpp"
#include "pg_squash/pg/srf.hpp"

extern "C" {
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
}

using namespace squash;

namespace {

// regclass[] argument n as OIDs, or nullopt when NULL.
std::optional<std::vector<Oid>> regclass_array_arg(FunctionCallInfo fcinfo, int n) {
  if (PG_NARGS() <= n || PG_ARGISNULL(n)) return std::nullopt;
  ArrayType* array = pg_call([&] { return PG_GETARG_ARRAYTYPE_P(n); });
  Datum* elems = nullptr;
  bool* nulls = nullptr;
  int count = 0;
  pg_call([&] {
    deconstruct_array(array, REGCLASSOID, sizeof(Oid), true, TYPALIGN_INT, &elems, &nulls, &count);
  });
  std::vector<Oid> out;
  out.reserve(count);
  for (int i = 0; i < count; i++) {
    if (nulls[i])
      throw Error("pg_squash: tables must not contain NULL", ERRCODE_NULL_VALUE_NOT_ALLOWED);
    out.push_back(DatumGetObjectId(elems[i]));
  }
  return out;
}

// A text[] literal ({"a","b"}) for values passed to SPI as text.
std::string text_array_literal(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); i++) {
    if (i) out += ',';
    out += '"';
    for (char ch : values[i]) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  return out + "}";
}

}  // namespace

// squash_data_fingerprint(tables regclass[] DEFAULT NULL)
//   -> TABLE(relation text, row_count bigint, hash text)
SQUASH_FUNCTION(squash_data_fingerprint) {
  std::optional<std::vector<Oid>> tables = regclass_array_arg(fcinfo, 0);
  std::vector<Row> rows;
  {
    Spi spi;
    for (data::TableFingerprint& f : data::fingerprint_tables(spi, tables))
      rows.push_back({std::move(f.relation), std::to_string(f.row_count), std::move(f.hash)});
  }
  return_rows(fcinfo, rows);
  return (Datum)0;
}

// squash_data_snapshot(label text) -> integer: the number of tables stored.
SQUASH_FUNCTION(squash_data_snapshot) {
  std::optional<std::string> label = text_arg(fcinfo, 0);
  if (!label) throw Error("pg_squash: label must not be NULL", ERRCODE_NULL_VALUE_NOT_ALLOWED);
  check_label(*label);
  require_admin("taking a data snapshot");
  Spi spi;
  if (spi.scalar("SELECT 1 FROM squash.data_snapshots WHERE label = $1 LIMIT 1", {*label}))
    throw Error("pg_squash: a data snapshot labelled " + quote_literal(*label) + " already exists",
                ERRCODE_DUPLICATE_OBJECT, "",
                "Choose another label, or drop the old one with squash_data_snapshot_drop().");
  std::vector<data::TableFingerprint> fps = data::fingerprint_tables(spi, std::nullopt);
  std::vector<std::string> relations, counts, hashes;
  for (const data::TableFingerprint& f : fps) {
    relations.push_back(f.relation);
    counts.push_back(std::to_string(f.row_count));
    hashes.push_back(f.hash);
  }
  StateWriter state;
  spi.execute(
      "INSERT INTO squash.data_snapshots (label, relation, row_count, hash)"
      " SELECT $1, u.relation, u.row_count::pg_catalog.int8, u.hash"
      "   FROM ROWS FROM (pg_catalog.unnest($2::pg_catalog.text[]),"
      "                   pg_catalog.unnest($3::pg_catalog.text[]),"
      "                   pg_catalog.unnest($4::pg_catalog.text[])) AS u(relation, row_count, "
      "hash)",
      {*label, text_array_literal(relations), text_array_literal(counts),
       text_array_literal(hashes)});
  PG_RETURN_INT32(static_cast<int32>(fps.size()));
}

// squash_expect(relation regclass, min_rows bigint) -> void
SQUASH_FUNCTION(squash_expect) {
  if (PG_ARGISNULL(0))
    throw Error("pg_squash: relation must not be NULL", ERRCODE_NULL_VALUE_NOT_ALLOWED);
  if (PG_ARGISNULL(1))
    throw Error("pg_squash: min_rows must not be NULL", ERRCODE_NULL_VALUE_NOT_ALLOWED);
  const Oid relid = PG_GETARG_OID(0);
  const int64 min_rows = PG_GETARG_INT64(1);
  if (min_rows < 0)
    throw Error("pg_squash: min_rows must be 0 or more, not " + std::to_string(min_rows),
                ERRCODE_INVALID_PARAMETER_VALUE);
  std::optional<CatalogRelation> rel = relation_by_oid(relid);
  if (!rel)
    throw Error("pg_squash: relation with OID " + std::to_string(relid) + " does not exist",
                ERRCODE_UNDEFINED_TABLE);
  const std::string relation = rel->qualified();
  if (rel->relkind != RELKIND_RELATION && rel->relkind != RELKIND_PARTITIONED_TABLE &&
      rel->relkind != RELKIND_MATVIEW && rel->relkind != RELKIND_FOREIGN_TABLE)
    throw Error("pg_squash: " + relation + " is not a table", ERRCODE_WRONG_OBJECT_TYPE);
  require_admin("recording an expectation");
  const std::string caller = current_role_name();
  Spi spi;
  StateWriter state;
  spi.execute(
      "INSERT INTO squash.expectations (relation, min_rows, recorded_by)"
      " VALUES ($1, $2::pg_catalog.int8, $3)"
      " ON CONFLICT (relation) DO UPDATE"
      "   SET min_rows = EXCLUDED.min_rows, recorded_at = pg_catalog.now(),"
      "       recorded_by = EXCLUDED.recorded_by",
      {relation, std::to_string(min_rows), caller});
  PG_RETURN_VOID();
}

// squash_expect_drop(relation regclass) -> boolean: whether an expectation was removed.
SQUASH_FUNCTION(squash_expect_drop) {
  if (PG_ARGISNULL(0))
    throw Error("pg_squash: relation must not be NULL", ERRCODE_NULL_VALUE_NOT_ALLOWED);
  require_admin("dropping an expectation");
  std::optional<CatalogRelation> rel = relation_by_oid(PG_GETARG_OID(0));
  if (!rel)
    throw Error(
        "pg_squash: relation with OID " + std::to_string(PG_GETARG_OID(0)) + " does not exist",
        ERRCODE_UNDEFINED_TABLE);
  Spi spi;
  StateWriter state;
  PG_RETURN_BOOL(
      spi.execute("DELETE FROM squash.expectations WHERE relation = $1", {rel->qualified()}) > 0);
}

// squash_data_snapshot_drop(label text) -> boolean: whether a data snapshot was removed.
SQUASH_FUNCTION(squash_data_snapshot_drop) {
  std::optional<std::string> label = text_arg(fcinfo, 0);
  if (!label) throw Error("pg_squash: label must not be NULL", ERRCODE_NULL_VALUE_NOT_ALLOWED);
  check_label(*label);
  require_admin("dropping a data snapshot");
  Spi spi;
  StateWriter state;
  PG_RETURN_BOOL(spi.execute("DELETE FROM squash.data_snapshots WHERE label = $1", {*label}) > 0);
}
