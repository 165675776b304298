// squash_validate(): the checklist that says the squash lost nothing. Every check yields
// one row (check_name, status, detail); a failing check is reported, never raised.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pg_squash/data/data_fingerprint.hpp"
#include "pg_squash/model/diff.hpp"
#include "pg_squash/model/fingerprint.hpp"
#include "pg_squash/pg/privileges.hpp"
#include "pg_squash/snapshot/snapshot_store.hpp"
#include "pg_squash/pg/srf.hpp"
#include "pg_squash/pg/subtransaction.hpp"
#include "pg_squash/catalog/user_objects.hpp"
#include "pg_squash/stamp/version_table.hpp"

namespace squash {
namespace {

constexpr size_t kListed = 10;  // culprits named in one detail

struct Check {
  std::string name, status, detail;
};

// "a; b; c ... and N more"
std::string listing(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < kListed; i++) out += (i ? "; " : "") + items[i];
  if (items.size() > kListed)
    out += "; ... and " + std::to_string(items.size() - kListed) + " more";
  return out;
}

std::string plural(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

const char* const kUserRelations = kUserRelationSql;

struct LastStamp {
  std::string revision, version_table, expectation, expected_fingerprint;
};

std::optional<LastStamp> last_stamp(Spi& spi) {
  QueryResult r = spi.query(
      "SELECT revision, version_table, coalesce(expectation, ''), coalesce(expected_fingerprint, "
      "'')"
      " FROM squash.stamp_history WHERE undone_at IS NULL ORDER BY id DESC LIMIT 1");
  if (r.rows.empty()) return std::nullopt;
  return LastStamp{*r.rows[0][0], *r.rows[0][1], *r.rows[0][2], *r.rows[0][3]};
}

Check check_schema(Spi& spi, const std::optional<std::string>& reference,
                   const std::optional<LastStamp>& stamp) {
  Check c{"schema_fingerprint", "pass", ""};
  std::string ref = reference ? *reference : stamp ? stamp->expectation : "";
  if (ref.empty() && stamp && !stamp->expected_fingerprint.empty())
    ref = stamp->expected_fingerprint;
  if (ref.empty()) {
    c.status = "skip";
    c.detail = stamp ? "the last stamp was forced, without an expectation; pass a reference"
                     : "no reference given and no stamp recorded";
    return c;
  }
  if (model::is_fingerprint(ref)) {
    std::string live = model::fingerprint(take_snapshot(spi, catalog::Scope{}));
    c.status = live == ref ? "pass" : "fail";
    c.detail = live == ref ? "live schema matches fingerprint " + ref
                           : "live fingerprint " + live + " differs from " + ref;
    return c;
  }
  StoredSnapshot stored = load_snapshot(spi, ref);
  std::vector<model::Difference> diffs =
      model::diff(stored.snapshot, take_snapshot(spi, stored.scope));
  if (diffs.empty()) {
    c.detail =
        "live schema matches snapshot " + quote_literal(ref) + " (" + stored.fingerprint + ")";
    return c;
  }
  std::vector<std::string> items;
  for (const auto& d : diffs) items.push_back(model::describe(d));
  c.status = "fail";
  c.detail = plural(diffs.size(), "difference", "differences") + " from snapshot " +
             quote_literal(ref) + ": " + listing(items);
  return c;
}

Check check_version_table(Spi& spi, const std::optional<LastStamp>& stamp) {
  Check c{"version_table", "pass", ""};
  if (!stamp) return {c.name, "skip", "no stamp recorded"};
  std::optional<VersionTable> table = stored_version_table(stamp->version_table);
  if (!table) return {c.name, "fail", stamp->version_table + " does not exist"};
  std::vector<std::string> revs = read_revisions(spi, *table);
  const std::string name = table->qualified();
  if (revs.size() == 1 && revs[0] == stamp->revision) {
    c.detail = name + " holds exactly " + stamp->revision;
  } else {
    c.status = "fail";
    c.detail = name + " holds " + (revs.empty() ? "no row" : listing(revs)) +
               ", expected exactly " + stamp->revision;
  }
  return c;
}

Check check_views(Spi& spi) {
  Check c{"managed_views", "pass", ""};
  QueryResult r = spi.query(
      "SELECT m.schema_name, m.view_name, m.kind, c.relkind::text, c.relispopulated::text,"
      // Whitespace and a trailing semicolon are not a difference.
      " pg_catalog.btrim(pg_catalog.regexp_replace(pg_catalog.pg_get_viewdef(c.oid, true),"
      "   '\\s+', ' ', 'g'), ' ;') IS DISTINCT FROM"
      " pg_catalog.btrim(pg_catalog.regexp_replace(m.definition, '\\s+', ' ', 'g'), ' ;')"
      ", c.oid::text, c.relowner::text"
      " FROM squash.managed_views m"
      " LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = m.schema_name"
      " LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = m.view_name"
      " ORDER BY m.schema_name, m.view_name");
  if (r.rows.empty())
    return {c.name, "skip", "no managed views (squash_view_capture() registers them)"};
  std::vector<std::string> bad;
  for (const Row& row : r.rows) {
    // Names are quoted here from the stored parts; the stored identity text is never used.
    const std::string id =
        quote_ident(row[0].value_or("")) + "." + quote_ident(row[1].value_or(""));
    bool mv = row[2] == std::string("materialized");
    if (!row[3]) {
      bad.push_back(id + ": missing");
      continue;
    }
    if ((*row[3] == "m") != mv) {
      bad.push_back(id + ": is a " + (*row[3] == "m" ? "materialized view" : "view") +
                    ", managed as a " + (mv ? "materialized view" : "view"));
      continue;
    }
    if (row[5] == std::string("t")) bad.push_back(id + ": definition differs from the managed one");
    if (mv && row[4] != std::string("true")) {
      bad.push_back(id + ": materialized view is not populated");
      continue;
    }
    // Run as the view's owner: its functions and operators never get the caller's rights.
    const Oid owner = static_cast<Oid>(std::stoul(row[7].value_or("0")));
    std::optional<std::string> err = try_in_subtransaction([&] {
      AsOwner as(owner);
      spi.query("SELECT 1 FROM " + id + " LIMIT 1");
    });
    if (err) bad.push_back(id + ": query fails: " + *err);
  }
  if (bad.empty()) {
    c.detail =
        plural(r.rows.size(), "view exists, matches and answers", "views exist, match and answer");
  } else {
    c.status = "fail";
    c.detail = listing(bad);
  }
  return c;
}

Check check_expectations(Spi& spi) {
  Check c{"expectations", "pass", ""};
  QueryResult r =
      spi.query("SELECT relation, min_rows::text FROM squash.expectations ORDER BY relation");
  if (r.rows.empty()) return {c.name, "skip", "no expectations (squash_expect() records them)"};
  std::vector<std::string> bad, good;
  for (const Row& row : r.rows) {
    const std::string& stored = *row[0];
    std::optional<CatalogRelation> rel =
        resolve_stored_relation(stored, "an expectation's relation");
    if (!rel) {
      bad.push_back(stored + ": table does not exist");
      continue;
    }
    const std::string name = rel->qualified();
    if (!caller_has_privilege(*rel, "SELECT")) {
      bad.push_back(name + ": permission denied (SELECT is needed to count its rows)");
      continue;
    }
    std::string n;
    {
      AsOwner as(rel->owner);  // policies and the like run as the owner, who sees every row
      n = spi.scalar("SELECT count(*)::text FROM " + name).value_or("0");
    }
    if (std::stoll(n) < std::stoll(*row[1]))
      bad.push_back(name + " has " + n + " rows, expected at least " + *row[1]);
    else
      good.push_back(name + " has " + n + " rows (at least " + *row[1] + ")");
  }
  c.status = bad.empty() ? "pass" : "fail";
  c.detail = listing(bad.empty() ? good : bad);
  return c;
}

Check check_data(Spi& spi) {
  Check c{"data_fingerprint", "pass", ""};
  std::optional<std::string> label = spi.scalar(
      "SELECT label FROM squash.data_snapshots GROUP BY label ORDER BY max(taken_at) DESC, label "
      "LIMIT 1");
  if (!label) return {c.name, "skip", "no data snapshot (squash_data_snapshot() takes one)"};
  QueryResult expected = spi.query(
      "SELECT relation, row_count::text, hash FROM squash.data_snapshots WHERE label = $1"
      " ORDER BY relation",
      {label});
  std::vector<data::TableFingerprint> live = data::fingerprint_tables(spi, std::nullopt);
  std::vector<std::string> lost, added;
  size_t li = 0;
  for (const Row& row : expected.rows) {
    const std::string& rel = *row[0];
    while (li < live.size() && live[li].relation < rel) added.push_back(live[li++].relation);
    if (li == live.size() || live[li].relation != rel) {
      lost.push_back(rel + ": table missing (had " + *row[1] + " rows)");
      continue;
    }
    const auto& now = live[li++];
    if (std::to_string(now.row_count) != *row[1])
      lost.push_back(rel + ": " + *row[1] + " → " + std::to_string(now.row_count) + " rows");
    else if (now.hash != *row[2])
      lost.push_back(rel + ": values changed (" + *row[1] + " rows, hash " + *row[2] + " → " +
                     now.hash + ")");
  }
  while (li < live.size()) added.push_back(live[li++].relation);
  if (!lost.empty()) {
    c.status = "fail";
    c.detail = "against data snapshot " + quote_literal(*label) + ": " + listing(lost);
  } else if (!added.empty()) {
    c.status = "warn";
    c.detail =
        "data matches snapshot " + quote_literal(*label) + "; tables not in it: " + listing(added);
  } else {
    c.detail = "all " + plural(expected.rows.size(), "table matches", "tables match") +
               " data snapshot " + quote_literal(*label);
  }
  return c;
}

Check check_sequences(Spi& spi) {
  Check c{"sequences", "pass", ""};
  // Sequences owned by a column (serial: 'a', identity: 'i'), with what the column holds.
  QueryResult r = spi.query(
      std::string(
          "SELECT pg_catalog.quote_ident(sn.nspname) || '.' || pg_catalog.quote_ident(s.relname),"
          "       pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname),"
          "       pg_catalog.quote_ident(a.attname), sq.seqincrement > 0, c.relowner::text"
          "  FROM pg_catalog.pg_depend d"
          "  JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'"
          "  JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace"
          "  JOIN pg_catalog.pg_sequence sq ON sq.seqrelid = s.oid"
          "  JOIN pg_catalog.pg_class c ON c.oid = d.refobjid AND c.relkind IN ('r', 'p')"
          "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
          "  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid"
          " WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = "
          "'pg_catalog.pg_class'::regclass"
          "   AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0 AND") +
      kUserRelations + " ORDER BY 1");
  if (r.rows.empty()) return {c.name, "skip", "no sequence is owned by a column"};
  std::vector<std::string> behind;
  for (const Row& row : r.rows) {
    const std::string &seq = *row[0], &table = *row[1], &col = *row[2];
    bool ascending = row[3] == std::string("t");
    AsOwner as(static_cast<Oid>(std::stoul(row[4].value_or("0"))));
    QueryResult v = spi.query("SELECT last_value::text, is_called::text, (SELECT " +
                              std::string(ascending ? "max(" : "min(") + col + ")::text FROM " +
                              table + ") FROM " + seq);
    if (v.rows.empty() || !v.rows[0][2]) continue;  // empty table: nothing to be behind
    const std::string &last = *v.rows[0][0], &called = *v.rows[0][1], &extreme = *v.rows[0][2];
    // The next value handed out must not collide with what the column holds.
    std::string cmp =
        ascending ? (called == "true" ? "$1::numeric < $2::numeric" : "$1::numeric <= $2::numeric")
                  : (called == "true" ? "$1::numeric > $2::numeric" : "$1::numeric >= $2::numeric");
    if (spi.scalar("SELECT (" + cmp + ")::text", {last, extreme}) == std::string("true"))
      behind.push_back(seq + " is at " + last + (called == "true" ? "" : " (not yet called)") +
                       " but " + table + "." + col + " holds " + extreme);
  }
  c.status = behind.empty() ? "pass" : "fail";
  c.detail = behind.empty() ? plural(r.rows.size(), "owned sequence is ahead of its column",
                                     "owned sequences are ahead of their columns")
                            : listing(behind);
  return c;
}

Check check_catalog_flags(Spi& spi, const char* name, const std::string& sql, const char* what,
                          const char* good) {
  QueryResult r = spi.query(sql);
  std::vector<std::string> bad;
  for (const Row& row : r.rows) bad.push_back(*row[0] + " " + what);
  if (bad.empty()) return {name, "pass", good};
  return {name, "fail", listing(bad)};
}

}  // namespace
}  // namespace squash

using namespace squash;

// squash_validate(reference text DEFAULT NULL) -> TABLE(check_name, status, detail)
SQUASH_FUNCTION(squash_validate) {
  std::optional<std::string> reference = text_arg(fcinfo, 0);
  std::vector<Row> rows;
  {
    Spi spi;
    std::optional<LastStamp> stamp = last_stamp(spi);
    std::vector<std::pair<const char*, std::function<Check()>>> checks = {
        {"schema_fingerprint", [&] { return check_schema(spi, reference, stamp); }},
        {"version_table", [&] { return check_version_table(spi, stamp); }},
        {"managed_views", [&] { return check_views(spi); }},
        {"expectations", [&] { return check_expectations(spi); }},
        {"data_fingerprint", [&] { return check_data(spi); }},
        {"sequences", [&] { return check_sequences(spi); }},
        {"indexes",
         [&] {
           return check_catalog_flags(
               spi, "indexes",
               std::string(
                   "SELECT pg_catalog.quote_ident(n.nspname) || '.' || "
                   "pg_catalog.quote_ident(c.relname)"
                   " FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid"
                   " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                   " WHERE NOT i.indisvalid AND") +
                   kUserRelations + " ORDER BY 1",
               "is invalid (a failed CREATE INDEX CONCURRENTLY?)", "no invalid index");
         }},
        {"constraints",
         [&] {
           return check_catalog_flags(
               spi, "constraints",
               std::string("SELECT pg_catalog.quote_ident(n.nspname) || '.' || "
                           "pg_catalog.quote_ident(c.relname)"
                           " || '.' || pg_catalog.quote_ident(k.conname)"
                           " FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c ON c.oid = "
                           "k.conrelid"
                           " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                           " WHERE NOT k.convalidated AND") +
                   kUserRelations + " ORDER BY 1",
               "is NOT VALID", "no constraint left NOT VALID");
         }},
    };
    for (auto& [name, run] : checks) {
      Check result;
      // A check that errors (a missing reference, a broken table) is a failed check.
      std::optional<std::string> err = try_in_subtransaction([&] { result = run(); });
      if (err) result = {name, "fail", "check could not run: " + *err};
      rows.push_back({result.name, result.status, result.detail});
    }
  }
  return_rows(fcinfo, rows);
  return (Datum)0;
}
