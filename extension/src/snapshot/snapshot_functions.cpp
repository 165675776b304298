// SQL functions over schema snapshots: take, fingerprint, diff, export, import, drop.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "pg_squash/snapshot/diff_sides.hpp"
#include "pg_squash/snapshot/labels.hpp"
#include "pg_squash/model/diff.hpp"
#include "pg_squash/model/fingerprint.hpp"
#include "pg_squash/model/snapshot_json.hpp"
#include "pg_squash/pg/privileges.hpp"
#include "pg_squash/snapshot/snapshot_store.hpp"
#include "pg_squash/pg/srf.hpp"

extern "C" {
#include "utils/builtins.h"
#include "utils/jsonb.h"
}

using namespace squash;

// squash_snapshot(label text DEFAULT NULL, schemas text[] DEFAULT NULL) -> text
SQUASH_FUNCTION(squash_snapshot) {
  std::optional<std::string> label = text_arg(fcinfo, 0);
  catalog::Scope scope{text_array_arg(fcinfo, 1)};
  require_admin("storing a snapshot");
  Spi spi;
  if (!label)
    label = spi.scalar(
        "SELECT 'snapshot_' || pg_catalog.to_char(pg_catalog.clock_timestamp(),"
        " 'YYYYMMDD_HH24MISS_US')");
  check_label(*label);
  std::string fp;
  {
    model::FlatSnapshot snap = take_flat_snapshot(spi, scope);
    fp = model::fingerprint(snap);
    store_snapshot(spi, *label, snap, fp, scope);
  }
  return text_datum(fp);
}

// squash_fingerprint(schemas text[] DEFAULT NULL) -> text
SQUASH_FUNCTION(squash_fingerprint) {
  catalog::Scope scope{text_array_arg(fcinfo, 0)};
  std::string fp;
  {
    Spi spi;
    fp = take_fingerprint(spi, scope);
  }
  // Made once SPI is finished: a text made before would live in SPI's context, freed with
  // it (a caller that keeps the result, as a PL/pgSQL argument, then read freed memory).
  return text_datum(fp);
}

// squash_diff(source text, target text DEFAULT NULL) -> TABLE(kind, identity, change, detail)
SQUASH_FUNCTION(squash_diff) {
  DiffLabels labels = diff_labels(fcinfo);
  std::vector<Row> rows;
  {
    Spi spi;
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    std::optional<std::vector<model::Difference>> differences;
    if (labels.target) differences = diff_stored_snapshots(spi, labels.source, *labels.target);
    if (!differences) {
      DiffSides<model::FlatSnapshot> sides = load_flat_sides(spi, labels);
      differences = model::diff(sides.source.snapshot, sides.target);
    }
    const auto compared = Clock::now();
    for (model::Difference& d : *differences)
      rows.push_back(
          {std::move(d.kind), std::move(d.identity), std::move(d.change), std::move(d.detail)});
    const auto made = Clock::now();
    pg_call([&] {
      auto ms = [](Clock::time_point a, Clock::time_point b) {
        return std::chrono::duration<double, std::milli>(b - a).count();
      };
      elog(DEBUG1, "pg_squash: diff: compared in %.1f ms, rows made in %.1f ms (%zu rows)",
           ms(start, compared), ms(compared, made), rows.size());
    });
  }
  return_rows(fcinfo, rows);
  return (Datum)0;
}

// squash_snapshot_export(label text) -> jsonb
SQUASH_FUNCTION(squash_snapshot_export) {
  std::string label = label_arg(fcinfo, 0, "label");
  Spi spi;
  StoredFlatSnapshot stored = load_flat_snapshot(spi, label);
  std::string doc = model::to_json(stored.snapshot, stored.fingerprint);
  if (stored.scope.schemas) doc = model::with_schemas(std::move(doc), *stored.scope.schemas);
  return jsonb_datum(doc);
}

// squash_snapshot_import(snapshot jsonb, label text) -> text
SQUASH_FUNCTION(squash_snapshot_import) {
  if (PG_ARGISNULL(0))
    throw Error("pg_squash: snapshot document must not be NULL", ERRCODE_NULL_VALUE_NOT_ALLOWED);
  std::string label = label_arg(fcinfo, 1, "label");
  require_admin("importing a snapshot");
  Jsonb* doc = pg_call([&] { return PG_GETARG_JSONB_P(0); });
  char* text = pg_call([&] { return JsonbToCString(nullptr, &doc->root, VARSIZE(doc)); });
  model::Snapshot snap;
  catalog::Scope scope;  // carried over, so that a diff compares the same schemas
  try {
    snap = model::from_json(text, &scope.schemas);
  } catch (const model::FormatError& e) {
    throw Error(std::string("pg_squash: invalid snapshot document: ") + e.what(),
                ERRCODE_INVALID_PARAMETER_VALUE);
  }
  std::string fp = model::fingerprint(snap);
  Spi spi;
  store_snapshot(spi, label, snap, fp, scope);
  return text_datum(fp);
}

// squash_snapshot_drop(label text) -> void
SQUASH_FUNCTION(squash_snapshot_drop) {
  std::string label = label_arg(fcinfo, 0, "label");
  require_admin("dropping a snapshot");
  Spi spi;
  StateWriter state;
  if (spi.execute("DELETE FROM squash.snapshot_store WHERE label = $1", {label}) == 0)
    throw Error("pg_squash: no snapshot labelled " + quote_literal(label),
                ERRCODE_UNDEFINED_OBJECT);
  PG_RETURN_VOID();
}
