// squash_stamp / squash_unstamp: rewrite the Alembic version table in place, but only
// when the live schema provably equals the expected one.
#include <nlohmann/json.hpp>  // before PostgreSQL headers (port.h macros)

#include <optional>
#include <string>
#include <vector>

#include "pg_squash/pg/guc_scope.hpp"
#include "pg_squash/model/diff.hpp"
#include "pg_squash/model/fingerprint.hpp"
#include "pg_squash/model/printable.hpp"
#include "pg_squash/pg/privileges.hpp"
#include "pg_squash/pg/settings.hpp"
#include "pg_squash/snapshot/snapshot_store.hpp"
#include "pg_squash/pg/srf.hpp"
#include "pg_squash/stamp/version_table.hpp"

namespace squash {
namespace {

constexpr size_t kDetailDifferences = 20;
// Key of the transaction-level advisory lock that serializes stamps in a database.
constexpr const char* kStampLock = "SELECT pg_catalog.pg_try_advisory_xact_lock(7420771, 1)";

// Pins search_path (after reading the caller's, which places the version table) and bounds
// lock waits. Returns the caller's schemas.
std::vector<std::string> enter(Spi& spi, GucScope& guc) {
  auto schemas =
      nlohmann::json::parse(
          spi.scalar("SELECT pg_catalog.array_to_json(pg_catalog.current_schemas(false))::text")
              .value_or("[]"))
          .get<std::vector<std::string>>();
  guc.set("search_path", "pg_catalog, pg_temp");
  // Wait for locks at most 10 s, or less when the caller asked for less.
  if (spi.scalar("SELECT (pg_catalog.current_setting('lock_timeout') = '0' OR"
                 " pg_catalog.current_setting('lock_timeout')::interval > '10s')::text") ==
      std::string("true"))
    guc.set("lock_timeout", "10s");
  if (spi.scalar(kStampLock) != std::string("t"))
    throw Error("pg_squash: another stamp or unstamp is running in this database",
                ERRCODE_LOCK_NOT_AVAILABLE, {}, "Wait for it to finish, then try again.");
  return schemas;
}

using model::join;

struct Guard {
  std::string expectation;           // what the caller passed
  std::string expected_fingerprint;  // resolved
  std::string live_fingerprint;
};

// Compares the live schema with the expectation; refuses with the differences on mismatch.
Guard check_guard(Spi& spi, const std::string& expect) {
  Guard g;
  g.expectation = expect;
  std::optional<StoredSnapshot> stored;
  if (model::is_fingerprint(expect)) {
    g.expected_fingerprint = expect;
  } else {
    stored = load_snapshot(spi, expect);
    g.expected_fingerprint = stored->fingerprint;
  }
  model::Snapshot live = take_snapshot(spi, stored ? stored->scope : catalog::Scope{});
  g.live_fingerprint = model::fingerprint(live);
  if (g.live_fingerprint == g.expected_fingerprint) return g;

  if (!stored)
    throw Error(
        "pg_squash: refusing to stamp: the live schema does not match the expected fingerprint",
        ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
        "live fingerprint " + g.live_fingerprint + ", expected " + g.expected_fingerprint,
        "Import the expected snapshot (squash_snapshot_import) and pass its label as "
        "expect to see the differences.");
  std::vector<model::Difference> diffs = model::diff(stored->snapshot, live);
  std::string detail = std::to_string(diffs.size()) + " difference" +
                       (diffs.size() == 1 ? "" : "s") + " between snapshot " +
                       quote_literal(expect) + " and the live schema:";
  for (size_t i = 0; i < diffs.size() && i < kDetailDifferences; i++)
    detail += "\n" + model::describe(diffs[i]);
  if (diffs.size() > kDetailDifferences)
    detail += "\n... and " + std::to_string(diffs.size() - kDetailDifferences) + " more";
  throw Error("pg_squash: refusing to stamp: the live schema differs from snapshot " +
                  quote_literal(expect),
              ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, detail,
              "SELECT * FROM squash_diff(" + quote_literal(expect) +
                  "); lists every difference; SELECT squash_diff_sql(" + quote_literal(expect) +
                  "); writes the DDL that repairs them.");
}

}  // namespace
}  // namespace squash

using namespace squash;

// squash_stamp(revision text, expect text DEFAULT NULL, force boolean DEFAULT false) -> text
SQUASH_FUNCTION(squash_stamp) {
  std::optional<std::string> revision = text_arg(fcinfo, 0);
  std::optional<std::string> expect = text_arg(fcinfo, 1);
  bool force = !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);
  check_revision(revision, 1 << 20);  // the width is checked once the table is known

  require_admin("stamping");
  Spi spi;
  GucScope guc;
  std::vector<std::string> caller_schemas = enter(spi, guc);
  VersionTable table = resolve_version_table(
      spi, settings::version_table ? settings::version_table : "alembic_version", caller_schemas);
  check_revision(revision, table.width);
  if (expect && expect->empty()) expect.reset();
  if (!expect && !force)
    throw Error("pg_squash: refusing to stamp without an expectation",
                ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE,
                "Nothing proves that the live schema is what revision " + quote_literal(*revision) +
                    " builds.",
                "Pass expect => a snapshot label or fingerprint of the schema the revision builds, "
                "or force => true to stamp blindly (recorded as forced).");

  Guard guard;
  if (expect) {
    guard = check_guard(spi, *expect);
  } else {
    guard.live_fingerprint = model::fingerprint(take_snapshot(spi, catalog::Scope{}));
  }

  bool created = false;
  if (table.exists) {
    spi.execute("LOCK TABLE " + table.qualified() + " IN EXCLUSIVE MODE");
  } else {
    create_version_table(spi, table);
    created = true;
  }
  std::vector<std::string> previous = read_revisions(spi, table);
  const std::string caller = current_role_name();
  {
    StateWriter state;
    spi.execute(
        "INSERT INTO squash.stamp_history (stamped_by, run_as, version_table, revision, previous,"
        " table_created, expectation, expected_fingerprint, live_fingerprint, forced)"
        " VALUES (session_user, $1, $2, $3,"
        " ARRAY(SELECT pg_catalog.jsonb_array_elements_text($4::jsonb)),"
        " $5::boolean, $6, $7, $8, $9::boolean)",
        {caller, table.qualified(), *revision, nlohmann::json(previous).dump(),
         created ? "true" : "false", expect,
         guard.expected_fingerprint.empty() ? Value{} : Value{guard.expected_fingerprint},
         guard.live_fingerprint, (!expect && force) ? "true" : "false"});
  }
  write_revisions(spi, table, {*revision});
  if (previous.empty()) PG_RETURN_NULL();
  return text_datum(join(previous, ","));
}

// squash_unstamp() -> text: restores the rows the last stamp replaced.
SQUASH_FUNCTION(squash_unstamp) {
  require_admin("unstamping");
  Spi spi;
  GucScope guc;
  enter(spi, guc);
  QueryResult last = spi.query(
      "SELECT id::text, version_table, revision, pg_catalog.array_to_json(previous)::text,"
      " table_created::text, undone_at::text"
      " FROM squash.stamp_history ORDER BY id DESC LIMIT 1",
      {}, false);
  if (last.rows.empty())
    throw Error("pg_squash: nothing to unstamp: no stamp has been recorded",
                ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE);
  const Row& h = last.rows[0];
  if (h[5])
    throw Error("pg_squash: nothing to unstamp: the last stamp (" + *h[2] +
                    ") was already undone at " + *h[5],
                ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, {},
                "Only the most recent stamp can be undone, once.");
  // The recorded name is resolved and quoted again from the catalogs, never pasted.
  std::optional<VersionTable> table = stored_version_table(h[1].value_or(""));
  if (!table)
    throw Error(
        "pg_squash: cannot unstamp: version table " + h[1].value_or("") + " no longer exists",
        ERRCODE_UNDEFINED_TABLE);
  const std::string qualified = table->qualified();
  spi.execute("LOCK TABLE " + qualified + " IN EXCLUSIVE MODE");
  std::vector<std::string> now = read_revisions(spi, *table);
  if (now.size() != 1 || now[0] != h[2])
    throw Error("pg_squash: cannot unstamp: " + qualified +
                    " no longer holds exactly the stamped revision " + quote_literal(*h[2]),
                ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, {},
                "Something (alembic upgrade?) changed it after the stamp; restore it by hand.");
  auto previous = nlohmann::json::parse(h[3].value_or("[]")).get<std::vector<std::string>>();
  if (h[4] == std::string("true")) {
    spi.execute("DROP TABLE " + qualified);
  } else {
    write_revisions(spi, *table, previous);
  }
  {
    StateWriter state;
    spi.execute(
        "UPDATE squash.stamp_history SET undone_at = pg_catalog.now(), undone_by = session_user"
        " WHERE id = $1::bigint",
        {*h[0]});
  }
  if (previous.empty()) PG_RETURN_NULL();
  return text_datum(join(previous, ","));
}
