// Snapshots in and out of squash.snapshot_store (see snapshot_store.hpp).
#include <chrono>
#include <ctime>

#include <nlohmann/json.hpp>  // before PostgreSQL headers (port.h macros)

#include "pg_squash/snapshot/snapshot_store.hpp"

#include "pg_squash/snapshot/labels.hpp"
#include "pg_squash/model/fingerprint.hpp"
#include "pg_squash/model/snapshot_codec.hpp"
#include "pg_squash/model/stored_diff.hpp"
#include "pg_squash/pg/privileges.hpp"
#include "pg_squash/pg/srf.hpp"

namespace squash {

namespace {

std::string server_version(Spi& spi) {
  return spi.scalar("SELECT pg_catalog.current_setting('server_version')").value_or("");
}

void insert_snapshot(Spi& spi, const std::string& label, const model::FlatSnapshot& snapshot,
                     const std::string& fingerprint, const catalog::Scope& scope) {
  Value schemas;
  if (scope.schemas) schemas = nlohmann::json(*scope.schemas).dump();
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const std::string document = model::encode(snapshot, fingerprint);
  const auto encoded = Clock::now();
  StateWriter state;
  spi.execute(
      "INSERT INTO squash.snapshot_store"
      " (label, fingerprint, object_count, server_version, schemas, document)"
      " VALUES ($1, $2, $3::integer, $4,"
      " (SELECT pg_catalog.array_agg(s) FROM pg_catalog.jsonb_array_elements_text($5::jsonb) s),"
      " $6)",
      {label, fingerprint, std::to_string(snapshot.size()), snapshot.server_version, schemas},
      Spi::Bytes{document});
  const auto stored = Clock::now();
  pg_call([&] {
    elog(DEBUG1, "pg_squash: stored form %zu bytes, encoded in %.1f ms, inserted in %.1f ms",
         document.size(), std::chrono::duration<double, std::milli>(encoded - start).count(),
         std::chrono::duration<double, std::milli>(stored - encoded).count());
  });
}

void check_new_label(Spi& spi, const std::string& label) {
  check_label(label);
  if (spi.scalar("SELECT 1 FROM squash.snapshot_store WHERE label = $1", {label}))
    throw Error("pg_squash: a snapshot labelled " + quote_literal(label) + " already exists",
                ERRCODE_DUPLICATE_OBJECT, {},
                "Drop it first with squash_snapshot_drop(), or choose another label.");
}

[[noreturn]] void no_such_snapshot(const std::string& label) {
  throw Error("pg_squash: no snapshot labelled " + quote_literal(label), ERRCODE_UNDEFINED_OBJECT,
              {}, "SELECT label FROM squash.snapshots; lists the stored snapshots.");
}

[[noreturn]] void corrupt(const std::string& label, const std::string& what) {
  throw Error("pg_squash: stored snapshot " + quote_literal(label) + " is corrupt: " + what,
              ERRCODE_DATA_CORRUPTED);
}

[[noreturn]] void fingerprint_mismatch(const std::string& label) {
  throw Error("pg_squash: stored snapshot " + quote_literal(label) +
                  " does not match its recorded fingerprint",
              ERRCODE_DATA_CORRUPTED);
}

}  // namespace

model::Snapshot take_snapshot(Spi& spi, const catalog::Scope& scope) {
  model::Snapshot snap = catalog::read_catalog(spi, scope);
  snap.server_version = server_version(spi);
  return snap;
}

model::FlatSnapshot take_flat_snapshot(Spi& spi, const catalog::Scope& scope) {
  model::FlatSnapshot snap = catalog::read_catalog_flat(spi, scope);
  snap.server_version = server_version(spi);
  return snap;
}

std::string take_fingerprint(Spi& spi, const catalog::Scope& scope) {
  using Clock = std::chrono::steady_clock;
  auto ms_since = [](Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  };
  std::string fp;
  double fingerprint_ms = 0;
  Clock::time_point freeing;
  {
    model::FlatSnapshot snap = catalog::read_catalog_flat(spi, scope);
    const auto start = Clock::now();
    fp = model::fingerprint(snap);
    fingerprint_ms = ms_since(start);
    freeing = Clock::now();
  }
  const double free_ms = ms_since(freeing);
  pg_call([&] {
    elog(DEBUG1, "pg_squash: fingerprint %.1f ms, freeing the snapshot %.1f ms", fingerprint_ms,
         free_ms);
  });
  return fp;
}

void store_snapshot(Spi& spi, const std::string& label, const model::Snapshot& snapshot,
                    const std::string& fingerprint, const catalog::Scope& scope) {
  check_new_label(spi, label);
  insert_snapshot(spi, label, model::to_flat(snapshot), fingerprint, scope);
}

void store_snapshot(Spi& spi, const std::string& label, const model::FlatSnapshot& snapshot,
                    const std::string& fingerprint, const catalog::Scope& scope) {
  check_new_label(spi, label);
  insert_snapshot(spi, label, snapshot, fingerprint, scope);
}

StoredFlatSnapshot load_flat_snapshot(Spi& spi, const std::string& label) {
  QueryResult r = spi.query(
      "SELECT pg_catalog.array_to_json(schemas)::text, fingerprint"
      " FROM squash.snapshot_store WHERE label = $1",
      {label});
  if (r.rows.empty()) no_such_snapshot(label);
  StoredFlatSnapshot s;
  s.label = label;
  std::string carried;  // the fingerprint a version 2 document carries, under its checksum
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  // Detoasted into memory of its own (detoast.hpp), decoded where it lies.
  std::optional<OwnedBytes> document = spi.scalar_owned_bytes(
      "SELECT document FROM squash.snapshot_store WHERE label = $1", {label});
  const auto read = Clock::now();
  const size_t bytes = document ? document->size : 0;
  try {
    s.snapshot = model::decode(document ? document->view() : std::string_view(), &carried);
  } catch (const model::FormatError& e) {
    corrupt(label, e.what());
  }
  document.reset();
  const auto decoded = Clock::now();
  s.fingerprint = carried.empty() ? model::fingerprint(s.snapshot) : carried;
  const auto checked = Clock::now();
  pg_call([&] {
    auto ms = [](Clock::time_point a, Clock::time_point b) {
      return std::chrono::duration<double, std::milli>(b - a).count();
    };
    elog(DEBUG1,
         "pg_squash: loaded snapshot %s (%zu objects, stored form %zu bytes): read %.1f ms, "
         "decoded %.1f ms, fingerprint checked %.1f ms",
         quote_literal(label).c_str(), s.snapshot.size(), bytes, ms(start, read), ms(read, decoded),
         ms(decoded, checked));
  });
  if (s.fingerprint != r.rows[0][1].value_or("")) fingerprint_mismatch(label);
  if (r.rows[0][0])
    s.scope.schemas = nlohmann::json::parse(*r.rows[0][0]).get<std::vector<std::string>>();
  return s;
}

std::optional<std::vector<model::Difference>> diff_stored_snapshots(Spi& spi,
                                                                    const std::string& source,
                                                                    const std::string& target) {
  auto recorded = [&](const std::string& label) {
    Value fp =
        spi.scalar("SELECT fingerprint FROM squash.snapshot_store WHERE label = $1", {label});
    if (!fp) no_such_snapshot(label);
    return *fp;
  };
  const std::string source_fp = recorded(source);
  const std::string target_fp = recorded(target);
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const std::clock_t cpu_start = std::clock();
  auto document = [&](const std::string& label) {
    std::optional<OwnedBytes> d = spi.scalar_owned_bytes(
        "SELECT document FROM squash.snapshot_store WHERE label = $1", {label});
    if (!d) no_such_snapshot(label);  // dropped since the line above: same answer
    return std::move(*d);
  };
  const OwnedBytes source_doc = document(source);
  const OwnedBytes target_doc = document(target);
  const auto read = Clock::now();
  std::optional<model::StoredDiff> d;
  try {
    d = model::diff_stored(source_doc.view(), target_doc.view());
  } catch (const model::StoredFormError& e) {
    corrupt(e.side() == model::StoredFormError::kSource ? source : target, e.what());
  }
  const auto compared = Clock::now();
  const double cpu_ms = 1000.0 * static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  pg_call([&] {
    auto ms = [](Clock::time_point a, Clock::time_point b) {
      return std::chrono::duration<double, std::milli>(b - a).count();
    };
    elog(DEBUG1,
         "pg_squash: stored diff: read %zu + %zu bytes in %.1f ms, compared and checked in "
         "%.1f ms (%.1f ms CPU in all)%s",
         source_doc.size, target_doc.size, ms(start, read), ms(read, compared), cpu_ms,
         d ? "" : " (unsorted: decoding instead)");
  });
  if (!d) return std::nullopt;
  if (d->source_fingerprint != source_fp) fingerprint_mismatch(source);
  if (d->target_fingerprint != target_fp) fingerprint_mismatch(target);
  return std::move(d->rows);
}

StoredSnapshot load_snapshot(Spi& spi, const std::string& label) {
  StoredFlatSnapshot flat = load_flat_snapshot(spi, label);
  StoredSnapshot s;
  s.label = std::move(flat.label);
  s.fingerprint = std::move(flat.fingerprint);
  s.snapshot = flat.snapshot.to_snapshot();
  s.scope = std::move(flat.scope);
  return s;
}

std::string label_arg(FunctionCallInfo fcinfo, int n, const char* what) {
  std::optional<std::string> label = text_arg(fcinfo, n);
  if (!label)
    throw Error(std::string("pg_squash: ") + what + " must not be NULL",
                ERRCODE_NULL_VALUE_NOT_ALLOWED);
  check_label(*label);
  return *label;
}

}  // namespace squash
