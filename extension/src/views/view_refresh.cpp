// squash_refresh_views: brings the live views to the managed definitions, in dependency
// order, refreshes materialized views and runs every view once. One ERROR, naming the view,
// rolls the whole call back.
//
// Order. The views taking part are the managed ones plus every live view or MV that depends
// on one of them (pg_depend through pg_rewrite, transitively). A view comes after what its
// live rule depends on (catalogs) and after what its registered definition names (the raw
// parse tree's relations, so missing views are created in a working order too). Ties go by
// name; a cycle is an error that lists it.
//
// Drift. Same deparsed text and options as registered: unchanged, no further work. Otherwise
// the registered definition is built as a temporary view (under the search_path creation
// uses) and compared by pg_get_viewdef, column names, types and collations: equal means
// unchanged; a view whose old columns are a prefix of the new ones is replaced with CREATE
// OR REPLACE VIEW; anything else (MVs, kind changes, changed columns) is dropped with every
// live dependent, dependents first, and re-created in order with its grants (grantors too),
// comments, owner, options, MV indexes, triggers, rules and column defaults. Drops never
// cascade: an object pg_squash cannot re-create (a function body, say) stops the call.
//
// Materialized views. REFRESH ... CONCURRENTLY runs inside a transaction block and inside
// functions on PostgreSQL 15 (verified), so it is used whenever asked and PostgreSQL can:
// the MV is populated and has a unique, immediate, valid, non-partial btree index on plain
// columns. Otherwise a plain REFRESH. Created and re-created MVs are populated by CREATE.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pg_squash/pg/guc_scope.hpp"
#include "pg_squash/pg/privileges.hpp"
#include "pg_squash/pg/srf.hpp"
#include "pg_squash/views/view_order.hpp"
#include "pg_squash/views/view_sql.hpp"
#include "pg_squash/views/view_state.hpp"

namespace squash::views {
namespace {

// One view in the run: managed (a row of squash.managed_views) or a live view that depends,
// directly or not, on a managed one and may have to be dropped and re-created with it.
struct Entry {
  std::string identity, schema, name;
  std::optional<ViewState> managed;  // the registered state
  ParsedDefinition parsed;           // of the registered definition
  std::string oid;                   // live relation; empty when missing (or dropped here)
  char relkind = 0;                  // of the live relation
  std::vector<size_t> depends_on;    // live and registered dependencies
  std::vector<size_t> live_dependents;
  std::optional<ViewState> pending;  // dropped in this call; re-created when its turn comes
};

enum class Drift { kNone, kReplace, kRecreate };

std::string oid_array(const std::vector<std::string>& oids) {
  std::string out = "{";
  for (size_t i = 0; i < oids.size(); i++) out += (i ? "," : "") + oids[i];
  return out + "}";
}

// The deparsed query and the reloptions of a live view.
struct Deparsed {
  std::string definition;
  std::vector<std::string> options;
  std::vector<std::string> columns;  // "name type collation-oid"
};

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

Deparsed deparse(Spi& spi, const std::string& oid) {
  Deparsed d;
  QueryResult r = spi.query(
      "SELECT regexp_replace(pg_get_viewdef(c.oid, true), '^[[:space:]]+|[[:space:];]+$', '',"
      " 'g'), array_to_string(c.reloptions, chr(1)) FROM pg_class c WHERE c.oid = $1::oid",
      {oid}, false);
  if (r.rows.empty()) throw Error("pg_squash: relation " + oid + " disappeared");
  d.definition = r.rows[0][0].value_or("");
  if (r.rows[0][1] && !r.rows[0][1]->empty()) {
    const std::string& all = *r.rows[0][1];
    size_t start = 0;
    for (size_t sep; (sep = all.find('\1', start)) != std::string::npos; start = sep + 1)
      d.options.push_back(all.substr(start, sep - start));
    d.options.push_back(all.substr(start));
  }
  d.options = sorted(std::move(d.options));
  QueryResult cols = spi.query(
      "SELECT a.attname::text || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' ||"
      " a.attcollation::text FROM pg_attribute a WHERE a.attrelid = $1::oid AND a.attnum > 0"
      " AND NOT a.attisdropped ORDER BY a.attnum",
      {oid}, false);
  for (const Row& row : cols.rows) d.columns.push_back(row[0].value_or(""));
  return d;
}

// What the registered definition deparses to today: built as a temporary view under the same
// search_path that creating it would use, read, dropped.
Deparsed probe(Spi& spi, const ViewState& state) {
  std::string sql = "CREATE TEMPORARY VIEW squash_view_probe AS\n" + state.definition + "\n";
  check_statement(sql, StatementKind::kView, "definition of " + state.identity);
  {
    GucScope path;
    path.set("search_path", definition_search_path(state.schema));
    spi.execute(sql);
  }
  std::string oid = spi.scalar(
                           "SELECT c.oid::text FROM pg_class c WHERE c.relnamespace ="
                           " pg_my_temp_schema() AND c.relname = 'squash_view_probe'",
                           {}, false)
                        .value_or("0");
  Deparsed d = deparse(spi, oid);
  spi.execute("DROP VIEW pg_temp.squash_view_probe");
  d.options = sorted(state.options);
  return d;
}

Drift drift(Spi& spi, const Entry& node) {
  const ViewState& want = *node.managed;
  if (want.materialized != (node.relkind == 'm')) return Drift::kRecreate;
  Deparsed live = deparse(spi, node.oid);
  // Same text, same options: the same query against the same catalogs.
  if (live.definition == want.definition && live.options == sorted(want.options))
    return Drift::kNone;
  Deparsed wanted = probe(spi, want);
  if (live.definition == wanted.definition && live.options == wanted.options &&
      live.columns == wanted.columns)
    return Drift::kNone;
  // CREATE OR REPLACE VIEW keeps every existing column (name, type, collation) in place and
  // may only append new ones; anything else means drop and re-create.
  if (!want.materialized && wanted.columns.size() >= live.columns.size() &&
      std::equal(live.columns.begin(), live.columns.end(), wanted.columns.begin()))
    return Drift::kReplace;
  return Drift::kRecreate;
}

// REFRESH, CONCURRENTLY when asked and PostgreSQL can (populated, and a unique, immediate,
// valid, non-partial btree index on plain columns exists: matview.c's own rule).
std::string refresh(Spi& spi, const Entry& node, bool concurrently) {
  QueryResult r = spi.query(R"SQL(
SELECT c.relispopulated::text,
       EXISTS (SELECT FROM pg_index x
                 JOIN pg_class i ON i.oid = x.indexrelid
                 JOIN pg_am am ON am.oid = i.relam
                WHERE x.indrelid = c.oid AND x.indisunique AND x.indimmediate
                  AND x.indisvalid AND x.indpred IS NULL AND am.amname = 'btree'
                  AND x.indnatts > 0 AND NOT (0 = ANY (x.indkey::int2[])))::text
  FROM pg_class c WHERE c.oid = $1::oid)SQL",
                            {node.oid}, false);
  const bool populated = !r.rows.empty() && r.rows[0][0] == std::string("true");
  const bool usable_index = !r.rows.empty() && r.rows[0][1] == std::string("true");
  if (concurrently && populated && usable_index) {
    spi.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY " + node.identity);
    return "refreshed concurrently";
  }
  spi.execute("REFRESH MATERIALIZED VIEW " + node.identity);
  return "refreshed";
}

// The state a dropped view comes back with: the live one (owner, grants, comments, indexes,
// triggers as they are now), with the registered definition when it is managed.
ViewState comeback_state(Spi& spi, const Entry& node) {
  ViewState state = live_state(spi, node.oid);
  if (node.managed) {
    const ViewState& want = *node.managed;
    if (want.materialized != state.materialized) {
      state.indexes = want.indexes;
      state.extra_ddl = want.extra_ddl;
    }
    state.materialized = want.materialized;
    state.definition = want.definition;
    state.options = want.options;
  }
  return state;
}

// Drops node i and every live view depending on it (dependents first; each is re-created
// when the order reaches it), then creates node i again.
void recreate(Spi& spi, std::vector<Entry>& nodes, size_t i, const std::vector<size_t>& position) {
  std::vector<size_t> drop = {i};
  std::vector<bool> seen(nodes.size(), false);
  seen[i] = true;
  for (size_t k = 0; k < drop.size(); k++)
    for (size_t d : nodes[drop[k]].live_dependents)
      if (!seen[d] && !nodes[d].oid.empty()) {
        seen[d] = true;
        drop.push_back(d);
      }
  std::sort(drop.begin(), drop.end(),
            [&](size_t a, size_t b) { return position[a] > position[b]; });
  std::vector<ViewState> states;
  for (size_t d : drop) states.push_back(comeback_state(spi, nodes[d]));
  for (size_t d : drop) {
    drop_relation(spi, nodes[d].identity, nodes[d].relkind == 'm');
    nodes[d].oid.clear();
  }
  for (size_t k = 0; k < drop.size(); k++)
    if (drop[k] != i) nodes[drop[k]].pending = std::move(states[k]);
  const ViewState& self = states[std::find(drop.begin(), drop.end(), i) - drop.begin()];
  create_relation(spi, self);
  restore_attachments(spi, self);
}

// A failure inside one view's steps, as one ERROR that names it.
[[noreturn]] void failed(const std::string& identity, const char* message, int sqlstate,
                         const char* detail, const char* hint) {
  std::string text = message ? message : "unknown error";
  if (text.rfind("pg_squash: ", 0) == 0) text = text.substr(11);
  throw Error("pg_squash: view " + identity + " failed: " + text, sqlstate, detail ? detail : "",
              hint ? hint : "");
}

std::string milliseconds(std::chrono::steady_clock::duration d) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.3f", std::chrono::duration<double, std::milli>(d).count());
  return buf;
}

std::vector<Entry> load(Spi& spi) {
  std::vector<Entry> nodes;
  std::map<std::pair<std::string, std::string>, size_t> by_name;
  std::map<std::string, size_t> by_oid;

  QueryResult managed = spi.query(
      std::string("SELECT m.*, c.oid::text, c.relkind::text FROM (SELECT ") + kStateAsText +
          " FROM squash.managed_views) AS m(f0, f1, f2, f3,"
          " f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14)"
          " LEFT JOIN pg_namespace n ON n.nspname = m.f1"
          " LEFT JOIN pg_class c ON c.relnamespace = n.oid"
          " AND c.relname = m.f2 ORDER BY m.f0",
      {}, false);
  for (const Row& row : managed.rows) {
    Entry node;
    node.managed = state_from_row(row);
    node.identity = node.managed->identity;
    node.schema = node.managed->schema;
    node.name = node.managed->name;
    try {
      node.parsed = parse_definition(node.managed->definition, "definition of " + node.identity);
    } catch (const Error& e) {
      failed(node.identity, e.what(), e.sqlstate(), e.detail().c_str(), e.hint().c_str());
    }
    if (row[15]) {
      node.relkind = row[16].value_or(" ")[0];
      if (node.relkind != 'v' && node.relkind != 'm')
        failed(node.identity,
               (node.identity + " exists and is not a view or materialized view").c_str(),
               ERRCODE_WRONG_OBJECT_TYPE, nullptr, nullptr);
      node.oid = *row[15];
      by_oid[node.oid] = nodes.size();
    }
    by_name[{node.schema, node.name}] = nodes.size();
    nodes.push_back(std::move(node));
  }

  // Live views depending on managed ones, transitively, and the live edges among them all.
  std::vector<std::string> roots;
  for (const Entry& n : nodes)
    if (!n.oid.empty()) roots.push_back(n.oid);
  QueryResult edges = spi.query(R"SQL(
WITH RECURSIVE edge AS (
  SELECT DISTINCT r.ev_class AS dependent, d.refobjid AS referenced
    FROM pg_depend d
    JOIN pg_rewrite r ON r.oid = d.objid
    JOIN pg_class c ON c.oid = r.ev_class
   WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
     AND d.refobjid <> r.ev_class AND c.relkind IN ('v', 'm')
), reach AS (
  SELECT unnest($1::oid[]) AS oid
  UNION
  SELECT e.dependent FROM edge e JOIN reach ON e.referenced = reach.oid
)
SELECT e.dependent::text, e.referenced::text, n.nspname::text, c.relname::text, c.relkind::text
  FROM edge e
  JOIN pg_class c ON c.oid = e.dependent
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE e.dependent IN (SELECT oid FROM reach) AND e.referenced IN (SELECT oid FROM reach)
 ORDER BY 1, 2)SQL",
                                {oid_array(roots)}, false);
  for (const Row& row : edges.rows) {
    const std::string dependent = row[0].value_or("");
    if (by_oid.count(dependent)) continue;
    Entry node;
    node.schema = row[2].value_or("");
    node.name = row[3].value_or("");
    node.identity = quote_ident(node.schema) + "." + quote_ident(node.name);
    node.oid = dependent;
    node.relkind = row[4].value_or(" ")[0];
    by_oid[dependent] = nodes.size();
    by_name[{node.schema, node.name}] = nodes.size();
    nodes.push_back(std::move(node));
  }
  for (const Row& row : edges.rows) {
    size_t dependent = by_oid.at(row[0].value_or(""));
    auto referenced = by_oid.find(row[1].value_or(""));
    if (referenced == by_oid.end()) continue;
    nodes[dependent].depends_on.push_back(referenced->second);
    nodes[referenced->second].live_dependents.push_back(dependent);
  }

  // What the registered definitions will reference: qualified names as written, unqualified
  // ones the way definition_search_path resolves them (the view's schema, then public), with
  // WITH names and relations that are not managed shadowing.
  for (size_t i = 0; i < nodes.size(); i++) {
    if (!nodes[i].managed) continue;
    const ParsedDefinition& parsed = nodes[i].parsed;
    for (const RelationRef& ref : parsed.relations) {
      std::vector<std::string> schemas;
      if (!ref.schema.empty()) {
        schemas = {ref.schema};
      } else {
        if (std::find(parsed.cte_names.begin(), parsed.cte_names.end(), ref.name) !=
            parsed.cte_names.end())
          continue;
        schemas = {nodes[i].schema};
        if (nodes[i].schema != "public") schemas.push_back("public");
      }
      for (const std::string& schema : schemas) {
        auto hit = by_name.find({schema, ref.name});
        if (hit != by_name.end()) {
          nodes[i].depends_on.push_back(hit->second);
          break;
        }
        if (find_relation(spi, schema, ref.name)) break;
      }
    }
  }
  return nodes;
}

}  // namespace
}  // namespace squash::views

using namespace squash;
using namespace squash::views;

// squash_refresh_views(concurrently boolean DEFAULT true)
//   -> TABLE(view text, kind text, action text, ms float8)
SQUASH_FUNCTION(squash_refresh_views) {
  const bool concurrently = PG_NARGS() < 1 || PG_ARGISNULL(0) || PG_GETARG_BOOL(0);
  require_admin("refreshing the managed views");
  Spi spi;
  GucScope guc;
  lock_views(spi);
  // DROP VIEW waits for readers and queues everyone behind it: wait at most 10 s for a lock
  // unless the caller chose a lock_timeout.
  if (spi.scalar("SELECT current_setting('lock_timeout')", {}, false) == std::string("0"))
    guc.set("lock_timeout", "10s");

  std::vector<Entry> nodes = load(spi);
  std::vector<std::string> names;
  std::vector<std::vector<size_t>> deps;
  for (const Entry& n : nodes) {
    names.push_back(n.identity);
    deps.push_back(n.depends_on);
  }
  std::vector<size_t> order;
  try {
    order = dependency_order(names, deps);
  } catch (const DependencyCycle& cycle) {
    std::string path;
    for (size_t k : cycle.cycle()) path += nodes[k].identity + " -> ";
    path += nodes[cycle.cycle().front()].identity;
    throw Error("pg_squash: the views depend on each other in a cycle: " + path,
                ERRCODE_INVALID_OBJECT_DEFINITION, {},
                "Each view is listed before a view it depends on. Drop one of them, or register "
                "definitions that break the cycle.");
  }
  std::vector<size_t> position(nodes.size());
  for (size_t k = 0; k < order.size(); k++) position[order[k]] = k;

  std::vector<Row> rows;
  for (size_t i : order) {
    check_interrupts();
    Entry& node = nodes[i];
    if (!node.managed && !node.pending) continue;  // a dependent left alone
    const auto started = std::chrono::steady_clock::now();
    std::string action;
    bool materialized = false;
    try {
      if (node.pending) {
        create_relation(spi, *node.pending);
        restore_attachments(spi, *node.pending);
        materialized = node.pending->materialized;
        action = "recreated";
      } else if (node.oid.empty()) {
        create_relation(spi, *node.managed);
        restore_attachments(spi, *node.managed);
        materialized = node.managed->materialized;
        action = "created";
      } else {
        materialized = node.managed->materialized;
        switch (drift(spi, node)) {
          case Drift::kNone:
            action = materialized ? refresh(spi, node, concurrently) : "checked";
            break;
          case Drift::kReplace:
            replace_view(spi, *node.managed);
            action = "replaced";
            break;
          case Drift::kRecreate:
            recreate(spi, nodes, i, position);
            action = "recreated";
            break;
        }
      }
      // Run it once: every column of one row, so a broken expression shows up too. As its
      // owner: the view's functions and operators never run with the caller's rights.
      std::optional<CatalogRelation> live = squash::find_relation(node.schema, node.name);
      if (!live) throw Error("pg_squash: " + node.identity + " disappeared");
      AsOwner as(live->owner);
      spi.execute("SELECT * FROM " + live->qualified() + " LIMIT 1");
    } catch (const PgError& e) {
      failed(node.identity, e.what(), e.sqlstate(), e.data() ? e.data()->detail : nullptr,
             e.data() ? e.data()->hint : nullptr);
    } catch (const Error& e) {
      failed(node.identity, e.what(), e.sqlstate(), e.detail().c_str(), e.hint().c_str());
    }
    rows.push_back({node.identity, std::string(materialized ? "materialized" : "view"), action,
                    milliseconds(std::chrono::steady_clock::now() - started)});
  }

  // Every managed view now is its definition: store that in the server's own words (later
  // runs compare text first and skip the probe), with the column list, and the time.
  StateWriter state;
  spi.execute(R"SQL(
UPDATE squash.managed_views m
   SET definition = regexp_replace(pg_get_viewdef(c.oid, true), '^[[:space:]]+|[[:space:];]+$',
                                   '', 'g'),
       column_names = ARRAY(SELECT a.attname::text FROM pg_attribute a
                             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                             ORDER BY a.attnum),
       column_types = ARRAY(SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
                             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                             ORDER BY a.attnum),
       refreshed_at = now()
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = m.schema_name AND c.relname = m.view_name AND c.relkind IN ('v', 'm'))SQL");
  return_rows(fcinfo, rows);
  return static_cast<Datum>(0);
}
