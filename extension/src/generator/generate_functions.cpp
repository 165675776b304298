// squash_generate_migration(): the squashed revision from the live schema. The snapshot
// says what to create; pg_depend (read here, at generation time) says in which order; the
// DDL itself is written by the pure C++ generator (ddl_*.cpp).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "order_facts.hpp"
#include "pg_squash/generator/ddl.hpp"
#include "pg_squash/pg/guc_scope.hpp"
#include "pg_squash/model/fingerprint.hpp"
#include "pg_squash/model/printable.hpp"
#include "pg_squash/snapshot/snapshot_store.hpp"
#include "pg_squash/pg/privileges.hpp"
#include "pg_squash/pg/srf.hpp"
#include "pg_squash/stamp/version_table.hpp"

using namespace squash;

namespace {

// Schema objects of every user schema as (classid, objid) -> snapshot (kind, identity),
// identities spelled exactly as the catalog reader spells them (quote_ident, format_type
// under the same pinned search_path). Array types stand for their element type (a base
// type's too), row types for their relation, view rules for their relation, domain
// constraints for their domain, members of operator families and classes for their owner.
// A table column's default is an object of its own ("column default"): the plan puts it in
// its table's step unless that would close a cycle (see Plan::find_deferred_defaults).
const char* const kObjects = R"SQL(
WITH nsp AS (
  SELECT oid, nspname FROM pg_catalog.pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'squash')
    AND nspname NOT LIKE 'pg\_temp\_%' AND nspname NOT LIKE 'pg\_toast\_temp\_%'
), rel AS (
  SELECT c.oid,
    CASE WHEN c.relkind IN ('r', 'p') THEN 'table' WHEN c.relkind = 'v' THEN 'view'
         WHEN c.relkind = 'm' THEN 'materialized view' WHEN c.relkind = 'S' THEN 'sequence'
         WHEN c.relkind = 'c' THEN 'composite type' WHEN c.relkind = 'f' THEN 'foreign table'
         ELSE 'index' END AS kind,
    pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname) AS ident
  FROM pg_catalog.pg_class c JOIN nsp n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'c', 'i', 'I', 'f')
), typ AS (
  SELECT t.oid,
    CASE WHEN e.typtype = 'e' THEN 'enum' WHEN e.typtype = 'd' THEN 'domain'
         WHEN e.typtype IN ('r', 'm') THEN 'range type' WHEN e.typtype = 'b' THEN 'base type'
         WHEN e.typtype = 'p' THEN 'shell type' ELSE r.kind END AS kind,
    CASE WHEN e.typtype = 'c' THEN r.ident
         -- A multirange type stands for its range type.
         WHEN e.typtype = 'm' THEN (SELECT pg_catalog.quote_ident(n2.nspname) || '.' ||
             pg_catalog.quote_ident(t2.typname) FROM pg_catalog.pg_range rr
             JOIN pg_catalog.pg_type t2 ON t2.oid = rr.rngtypid
             JOIN pg_catalog.pg_namespace n2 ON n2.oid = t2.typnamespace
             WHERE rr.rngmultitypid = e.oid)
         ELSE pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(e.typname) END
      AS ident
  FROM pg_catalog.pg_type t
  JOIN pg_catalog.pg_type e ON e.oid = CASE
    WHEN t.typelem <> 0 AND t.typsubscript = 'pg_catalog.array_subscript_handler'::pg_catalog.regproc
    THEN t.typelem ELSE t.oid END
  JOIN nsp n ON n.oid = e.typnamespace
  LEFT JOIN rel r ON r.oid = e.typrelid
  WHERE e.typtype IN ('e', 'd', 'c', 'r', 'm', 'b', 'p')
), opc(classid, oid, kind, ident) AS (
  SELECT 'pg_catalog.pg_opfamily'::pg_catalog.regclass::pg_catalog.oid, f.oid, 'operator family',
    pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(f.opfname) || ' USING ' ||
    pg_catalog.quote_ident(a.amname)
  FROM pg_catalog.pg_opfamily f JOIN nsp n ON n.oid = f.opfnamespace
  JOIN pg_catalog.pg_am a ON a.oid = f.opfmethod
  UNION ALL
  SELECT 'pg_catalog.pg_opclass'::pg_catalog.regclass::pg_catalog.oid, c.oid, 'operator class',
    pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.opcname) || ' USING ' ||
    pg_catalog.quote_ident(a.amname)
  FROM pg_catalog.pg_opclass c JOIN nsp n ON n.oid = c.opcnamespace
  JOIN pg_catalog.pg_am a ON a.oid = c.opcmethod
), obj(classid, objid, kind, ident) AS (
  SELECT 'pg_catalog.pg_namespace'::pg_catalog.regclass::pg_catalog.oid, oid, 'schema',
    pg_catalog.quote_ident(nspname) FROM nsp
  UNION ALL
  SELECT 'pg_catalog.pg_extension'::pg_catalog.regclass::pg_catalog.oid, oid, 'extension',
    pg_catalog.quote_ident(extname) FROM pg_catalog.pg_extension
  UNION ALL
  SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, oid, kind, ident FROM rel
  UNION ALL
  SELECT 'pg_catalog.pg_type'::pg_catalog.regclass::pg_catalog.oid, oid, kind, ident FROM typ
  WHERE kind IS NOT NULL
  UNION ALL
  SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass::pg_catalog.oid, p.oid,
    CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'function' END,
    pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname) || '(' ||
    COALESCE((SELECT pg_catalog.string_agg(pg_catalog.format_type(a.t, NULL), ', ' ORDER BY a.k)
              FROM pg_catalog.unnest(p.proargtypes::pg_catalog.oid[]) WITH ORDINALITY a(t, k)),
             '') || ')'
  FROM pg_catalog.pg_proc p JOIN nsp n ON n.oid = p.pronamespace
  UNION ALL
  SELECT 'pg_catalog.pg_operator'::pg_catalog.regclass::pg_catalog.oid, o.oid, 'operator',
    pg_catalog.quote_ident(n.nspname) || '.' || o.oprname || '(' ||
    COALESCE(pg_catalog.format_type(NULLIF(o.oprleft, 0), NULL), 'NONE') || ', ' ||
    COALESCE(pg_catalog.format_type(NULLIF(o.oprright, 0), NULL), 'NONE') || ')'
  FROM pg_catalog.pg_operator o JOIN nsp n ON n.oid = o.oprnamespace
  UNION ALL
  SELECT 'pg_catalog.pg_cast'::pg_catalog.regclass::pg_catalog.oid, c.oid, 'cast',
    '(' || pg_catalog.format_type(c.castsource, NULL) || ' AS ' ||
    pg_catalog.format_type(c.casttarget, NULL) || ')'
  FROM pg_catalog.pg_cast c WHERE c.oid >= 16384
  UNION ALL
  SELECT 'pg_catalog.pg_collation'::pg_catalog.regclass::pg_catalog.oid, c.oid, 'collation',
    pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.collname)
  FROM pg_catalog.pg_collation c JOIN nsp n ON n.oid = c.collnamespace
  UNION ALL
  SELECT 'pg_catalog.pg_constraint'::pg_catalog.regclass::pg_catalog.oid, co.oid,
    CASE WHEN co.conrelid <> 0 THEN 'constraint' ELSE 'domain' END,
    CASE WHEN co.conrelid <> 0 THEN r.ident || '.' || pg_catalog.quote_ident(co.conname)
         ELSE ty.ident END
  FROM pg_catalog.pg_constraint co
  LEFT JOIN rel r ON r.oid = co.conrelid
  LEFT JOIN typ ty ON ty.oid = co.contypid
  WHERE COALESCE(r.ident, ty.ident) IS NOT NULL
  UNION ALL
  SELECT 'pg_catalog.pg_attrdef'::pg_catalog.regclass::pg_catalog.oid, d.oid,
    CASE WHEN r.kind = 'table' THEN 'column default' ELSE r.kind END,
    CASE WHEN r.kind = 'table' THEN r.ident || '.' || pg_catalog.quote_ident(a.attname)
         ELSE r.ident END
  FROM pg_catalog.pg_attrdef d JOIN rel r ON r.oid = d.adrelid
  JOIN pg_catalog.pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
  UNION ALL
  SELECT 'pg_catalog.pg_rewrite'::pg_catalog.regclass::pg_catalog.oid, w.oid, r.kind, r.ident
  FROM pg_catalog.pg_rewrite w JOIN rel r ON r.oid = w.ev_class WHERE w.rulename = '_RETURN'
  UNION ALL
  SELECT 'pg_catalog.pg_trigger'::pg_catalog.regclass::pg_catalog.oid, g.oid, 'trigger',
    r.ident || '.' || pg_catalog.quote_ident(g.tgname)
  FROM pg_catalog.pg_trigger g JOIN rel r ON r.oid = g.tgrelid WHERE NOT g.tgisinternal
  UNION ALL
  SELECT 'pg_catalog.pg_policy'::pg_catalog.regclass::pg_catalog.oid, y.oid, 'policy',
    r.ident || '.' || pg_catalog.quote_ident(y.polname)
  FROM pg_catalog.pg_policy y JOIN rel r ON r.oid = y.polrelid
  UNION ALL
  SELECT 'pg_catalog.pg_event_trigger'::pg_catalog.regclass::pg_catalog.oid, oid,
    'event trigger', pg_catalog.quote_ident(evtname) FROM pg_catalog.pg_event_trigger
  UNION ALL
  SELECT classid, oid, kind, ident FROM opc
  UNION ALL
  -- A member of an operator family or class stands for its owner.
  SELECT d.classid, d.objid, o.kind, o.ident FROM pg_catalog.pg_depend d
  JOIN opc o ON o.classid = d.refclassid AND o.oid = d.refobjid
  WHERE d.classid IN ('pg_catalog.pg_amop'::pg_catalog.regclass,
                      'pg_catalog.pg_amproc'::pg_catalog.regclass) AND d.deptype IN ('a', 'i')
    AND NOT EXISTS (SELECT FROM pg_catalog.pg_amop s WHERE s.oid = d.objid
                    AND d.classid = 'pg_catalog.pg_amop'::pg_catalog.regclass
                    AND s.amopsortfamily = d.refobjid)
  UNION ALL
  SELECT 'pg_catalog.pg_am'::pg_catalog.regclass::pg_catalog.oid, oid, 'access method',
    pg_catalog.quote_ident(amname) FROM pg_catalog.pg_am WHERE oid >= 16384
  UNION ALL
  SELECT 'pg_catalog.pg_language'::pg_catalog.regclass::pg_catalog.oid, oid, 'language',
    pg_catalog.quote_ident(lanname) FROM pg_catalog.pg_language WHERE oid >= 16384
  UNION ALL
  SELECT 'pg_catalog.pg_transform'::pg_catalog.regclass::pg_catalog.oid, t.oid, 'transform',
    'FOR ' || pg_catalog.format_type(t.trftype, NULL) || ' LANGUAGE ' ||
    pg_catalog.quote_ident(l.lanname)
  FROM pg_catalog.pg_transform t JOIN pg_catalog.pg_language l ON l.oid = t.trflang
  UNION ALL
  SELECT 'pg_catalog.pg_conversion'::pg_catalog.regclass::pg_catalog.oid, c.oid, 'conversion',
    pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.conname)
  FROM pg_catalog.pg_conversion c JOIN nsp n ON n.oid = c.connamespace
  UNION ALL
  SELECT 'pg_catalog.pg_ts_parser'::pg_catalog.regclass::pg_catalog.oid, x.oid,
    'text search parser',
    pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(x.prsname)
  FROM pg_catalog.pg_ts_parser x JOIN nsp n ON n.oid = x.prsnamespace
  UNION ALL
  SELECT 'pg_catalog.pg_ts_template'::pg_catalog.regclass::pg_catalog.oid, x.oid,
    'text search template',
    pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(x.tmplname)
  FROM pg_catalog.pg_ts_template x JOIN nsp n ON n.oid = x.tmplnamespace
  UNION ALL
  SELECT 'pg_catalog.pg_ts_dict'::pg_catalog.regclass::pg_catalog.oid, x.oid,
    'text search dictionary',
    pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(x.dictname)
  FROM pg_catalog.pg_ts_dict x JOIN nsp n ON n.oid = x.dictnamespace
  UNION ALL
  SELECT 'pg_catalog.pg_ts_config'::pg_catalog.regclass::pg_catalog.oid, x.oid,
    'text search configuration',
    pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(x.cfgname)
  FROM pg_catalog.pg_ts_config x JOIN nsp n ON n.oid = x.cfgnamespace
  UNION ALL
  SELECT 'pg_catalog.pg_rewrite'::pg_catalog.regclass::pg_catalog.oid, w.oid, 'rule',
    r.ident || '.' || pg_catalog.quote_ident(w.rulename)
  FROM pg_catalog.pg_rewrite w JOIN rel r ON r.oid = w.ev_class WHERE w.rulename <> '_RETURN'
  UNION ALL
  SELECT 'pg_catalog.pg_foreign_data_wrapper'::pg_catalog.regclass::pg_catalog.oid, oid,
    'foreign-data wrapper', pg_catalog.quote_ident(fdwname)
  FROM pg_catalog.pg_foreign_data_wrapper
  UNION ALL
  SELECT 'pg_catalog.pg_foreign_server'::pg_catalog.regclass::pg_catalog.oid, oid,
    'foreign server', pg_catalog.quote_ident(srvname) FROM pg_catalog.pg_foreign_server
  UNION ALL
  SELECT 'pg_catalog.pg_user_mapping'::pg_catalog.regclass::pg_catalog.oid, umid,
    'user mapping', 'FOR ' || CASE WHEN umuser = 0 THEN 'PUBLIC'
      ELSE pg_catalog.quote_ident(usename) END || ' SERVER ' || pg_catalog.quote_ident(srvname)
  FROM pg_catalog.pg_user_mappings
  UNION ALL
  SELECT 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass::pg_catalog.oid, x.oid,
    'statistics', pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(x.stxname)
  FROM pg_catalog.pg_statistic_ext x JOIN nsp n ON n.oid = x.stxnamespace
  UNION ALL
  SELECT 'pg_catalog.pg_publication'::pg_catalog.regclass::pg_catalog.oid, oid, 'publication',
    pg_catalog.quote_ident(pubname) FROM pg_catalog.pg_publication
)
)SQL";

// The objects, to which the dependencies below are matched by (classid, objid).
const char* const kObjectList = "SELECT classid, objid, kind, ident FROM obj";

// Normal and automatic dependencies, as numbers: matched to the objects in C++ by oid,
// which costs less than the server joining, sorting and de-duplicating texts (pg_depend
// has one row per column a view or index uses).
const char* const kDependencyRows = R"SQL(
SELECT classid, objid, refclassid, refobjid, deptype FROM pg_catalog.pg_depend
WHERE deptype IN ('n', 'a')
)SQL";

const char* const kSqlBodies = R"SQL(
SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname) || '(' ||
  COALESCE((SELECT pg_catalog.string_agg(pg_catalog.format_type(a.t, NULL), ', ' ORDER BY a.k)
            FROM pg_catalog.unnest(p.proargtypes::pg_catalog.oid[]) WITH ORDINALITY a(t, k)),
           '') || ')'
FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE p.prosqlbody IS NOT NULL
)SQL";

}  // namespace

void generator::read_order_facts(Spi& spi, generator::CatalogFacts& facts) {
  // One big catalog join: compiling it (JIT) costs more than it saves, and its sorts and
  // hashes (tens of MB on 10,000 tables) spill to disk under the default work_mem.
  GucScope guc;
  guc.set("jit", "off");
  guc.set("work_mem", "64MB");
  // Both queries read in the caller's snapshot: the same catalogs.
  QueryResult objects = spi.query(std::string(kObjects) + kObjectList);
  QueryResult deps = spi.query(kDependencyRows);
  auto number = [](const Value& v) -> uint64_t {
    return v ? std::strtoull(v->c_str(), nullptr, 10) : 0;
  };
  // (classid << 32 | objid, row of objects), sorted: an object may stand in several rows (a
  // member of an operator family and class).
  std::vector<std::pair<uint64_t, size_t>> keys;
  keys.reserve(objects.rows.size());
  for (size_t i = 0; i < objects.rows.size(); i++)
    if (objects.rows[i][2] && objects.rows[i][3])  // no name, nothing to order by
      keys.emplace_back(number(objects.rows[i][0]) << 32 | number(objects.rows[i][1]), i);
  std::sort(keys.begin(), keys.end());
  auto rows_of = [&](uint64_t key) {
    auto lo = std::lower_bound(keys.begin(), keys.end(), std::make_pair(key, size_t{0}));
    auto hi = lo;
    while (hi != keys.end() && hi->first == key) ++hi;
    return std::make_pair(lo, hi);
  };
  auto text = [](const Value& v) -> const std::string& {
    static const std::string empty;
    return v ? *v : empty;
  };
  // Pairs of object rows first, de-duplicated as numbers; the texts once per pair.
  std::vector<std::pair<size_t, size_t>> pairs;
  pairs.reserve(deps.rows.size());
  for (const Row& d : deps.rows) {
    const auto [a_lo, a_hi] = rows_of(number(d[0]) << 32 | number(d[1]));
    if (a_lo == a_hi) continue;
    const auto [b_lo, b_hi] = rows_of(number(d[2]) << 32 | number(d[3]));
    const bool automatic = text(d[4]) == "a";
    for (auto a = a_lo; a != a_hi; ++a) {
      const Row& ra = objects.rows[a->second];
      // A sequence's automatic dependency on its table is OWNED BY, written after the
      // table instead.
      if (automatic && text(ra[2]) == "sequence") continue;
      for (auto b = b_lo; b != b_hi; ++b) {
        const Row& rb = objects.rows[b->second];
        if (text(ra[2]) == text(rb[2]) && text(ra[3]) == text(rb[3])) continue;
        pairs.emplace_back(a->second, b->second);
      }
    }
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  facts.depends.reserve(pairs.size());
  for (const auto& [a, b] : pairs) {
    const Row& ra = objects.rows[a];
    const Row& rb = objects.rows[b];
    facts.depends.push_back({{text(ra[2]), text(ra[3])}, {text(rb[2]), text(rb[3])}});
  }
  // Two rows may still name the same object (a member of a family and of its class).
  std::sort(facts.depends.begin(), facts.depends.end());
  facts.depends.erase(std::unique(facts.depends.begin(), facts.depends.end()), facts.depends.end());
  for (const Row& r : spi.query(kSqlBodies).rows)
    if (r[0]) facts.sql_body_routines.insert(*r[0]);
}

namespace {

bool is_integer(const std::string& v) {
  size_t i = !v.empty() && v[0] == '-' ? 1 : 0;
  if (i == v.size() || v.size() > 20) return false;
  for (; i < v.size(); i++)
    if (v[i] < '0' || v[i] > '9') return false;
  return true;
}

// Seed rows of one table: INSERTs in primary-key order (whole-row text order without one),
// then setval for its sequences.
void read_seed_rows(Spi& spi, const model::Snapshot& snap, const std::string& name,
                    generator::CatalogFacts& facts) {
  QueryResult t = spi.query(
      "SELECT c.oid, pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname),"
      "  c.relkind, c.relowner, pg_catalog.has_table_privilege(c.oid, 'SELECT')::text"
      " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      " WHERE c.oid = CASE WHEN pg_catalog.array_length(pg_catalog.parse_ident($1), 1) = 1"
      "   THEN pg_catalog.to_regclass('public.' || $1) ELSE pg_catalog.to_regclass($1) END",
      {name});
  if (t.rows.empty())
    throw Error("pg_squash: include_data names " + quote_literal(name) + ", which does not exist",
                ERRCODE_UNDEFINED_TABLE, {}, "An unqualified name means a table in public.");
  const std::string oid = t.rows[0][0].value_or("0");
  const std::string table = t.rows[0][1].value_or("");
  const bool partitioned = t.rows[0][2].value_or("") == "p";
  if (t.rows[0][4] != std::string("true"))
    throw Error("pg_squash: permission denied: include_data names " + table +
                    ", which the current role may not SELECT from",
                ERRCODE_INSUFFICIENT_PRIVILEGE);
  const Oid owner = static_cast<Oid>(std::stoul(t.rows[0][3].value_or("0")));
  bool in_snapshot = false;
  for (const model::Object& o : snap.objects)
    if (o.kind == "table" && o.identity == table) in_snapshot = true;
  if (!in_snapshot)
    throw Error("pg_squash: include_data names " + quote_literal(name) +
                    ", which is not a table of the generated schema",
                ERRCODE_INVALID_PARAMETER_VALUE);
  if (facts.seeds.count(table)) return;

  QueryResult cols = spi.query(
      "SELECT pg_catalog.quote_ident(a.attname), a.attidentity = 'a'"
      " FROM pg_catalog.pg_attribute a"
      " WHERE a.attrelid = $1::pg_catalog.oid AND a.attnum > 0 AND NOT a.attisdropped"
      "   AND a.attgenerated = '' ORDER BY a.attnum",
      {oid});
  QueryResult pk = spi.query(
      "SELECT pg_catalog.quote_ident(a.attname)"
      " FROM pg_catalog.pg_index i, pg_catalog.unnest(i.indkey::pg_catalog.int2[])"
      "   WITH ORDINALITY k(attnum, ord)"
      " JOIN pg_catalog.pg_attribute a ON a.attnum = k.attnum"
      " WHERE i.indrelid = $1::pg_catalog.oid AND i.indisprimary AND a.attrelid = i.indrelid"
      " ORDER BY k.ord",
      {oid});
  if (cols.rows.empty()) return;
  std::string names, values, order;
  bool always = false;
  for (const Row& c : cols.rows) {
    const std::string col = c[0].value_or("");
    names += (names.empty() ? "" : ", ") + col;
    values +=
        std::string(values.empty() ? "" : ", ', ', ") + "pg_catalog.quote_nullable(t." + col + ")";
    always = always || c[1].value_or("") == "t";
  }
  for (const Row& p : pk.rows) order += (order.empty() ? "" : ", ") + ("t." + p[0].value_or(""));
  if (order.empty()) order = "(t.*)::pg_catalog.text COLLATE \"C\"";
  const std::string prefix = "INSERT INTO " + table + " (" + names + ")" +
                             (always ? " OVERRIDING SYSTEM VALUE" : "") + " VALUES (";
  const std::string from = std::string(partitioned ? " FROM " : " FROM ONLY ") + table + " t";
  // The rows are read as the table's owner: its policies, casts and output functions never
  // run with the caller's rights.
  QueryResult rows;
  {
    AsOwner as(owner);
    rows = spi.query("SELECT pg_catalog.concat(" + quote_literal(prefix) + ", " + values +
                     ", ')')" + from + " ORDER BY " + order);
  }
  generator::SeedRows& seed = facts.seeds[table];
  for (const Row& r : rows.rows) seed.statements.push_back(r[0].value_or(""));

  // Sequences of its columns (serial, identity) continue after the seeded values.
  QueryResult seqs = spi.query(
      "SELECT pg_catalog.quote_ident(sn.nspname) || '.' || pg_catalog.quote_ident(s.relname),"
      "  pg_catalog.quote_ident(a.attname)"
      " FROM pg_catalog.pg_depend d"
      " JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'"
      " JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace"
      " JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
      " WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
      "   AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
      "   AND d.refobjid = $1::pg_catalog.oid AND d.deptype IN ('a', 'i')"
      " ORDER BY 1",
      {oid});
  for (const Row& s : seqs.rows) {
    Value max;
    {
      AsOwner as(owner);
      max =
          spi.scalar("SELECT pg_catalog.max(t." + s[1].value_or("") + ")::pg_catalog.text" + from);
    }
    // A sequence may be owned by a column of any type: only an integer goes into the script.
    if (max && !is_integer(*max))
      throw Error("pg_squash: include_data: sequence " + s[0].value_or("") +
                      " is owned by a column that holds " + model::printable(*max, 60) +
                      ", not an integer",
                  ERRCODE_INVALID_PARAMETER_VALUE);
    if (max)
      seed.statements.push_back("SELECT pg_catalog.setval(" +
                                generator::sql_literal(s[0].value_or("")) + ", " + *max + ")");
  }
}

std::string not_expressible_message(const std::vector<std::string>& list, std::string& detail) {
  std::string shown;
  for (size_t i = 0; i < list.size(); i++) {
    detail += (i ? "\n" : "") + model::printable(list[i], 200);
    if (i < 10) shown += (i ? ", " : "") + model::printable(list[i], 100);
  }
  if (list.size() > 10) shown += ", ... (" + std::to_string(list.size() - 10) + " more)";
  return "pg_squash: " + std::to_string(list.size()) +
         " object(s) cannot be expressed in the squashed revision: " + shown;
}

}  // namespace

// squash_generate_migration(revision text DEFAULT '000_squashed_complete',
//   format text DEFAULT 'alembic', down_revision text DEFAULT NULL,
//   schemas text[] DEFAULT NULL, include_data text[] DEFAULT NULL,
//   allow_partial boolean DEFAULT false, with_owners boolean DEFAULT false,
//   create_roles boolean DEFAULT false) -> text
SQUASH_FUNCTION(squash_generate_migration) {
  generator::Options opt;
  std::optional<std::string> revision = text_arg(fcinfo, 0);
  check_revision(revision, 32);
  opt.revision = *revision;
  std::optional<std::string> format = text_arg(fcinfo, 1);
  if (!format || (*format != "sql" && *format != "alembic"))
    throw Error("pg_squash: unknown format " +
                    (format ? quote_literal(model::printable(*format)) : std::string("NULL")),
                ERRCODE_INVALID_PARAMETER_VALUE, {}, "format is 'sql' or 'alembic'.");
  opt.format = *format;
  opt.down_revision = text_arg(fcinfo, 2);
  if (opt.down_revision) check_revision(opt.down_revision, 32);
  catalog::Scope scope{text_array_arg(fcinfo, 3)};
  std::optional<std::vector<std::string>> include_data = text_array_arg(fcinfo, 4);
  const bool allow_partial = PG_NARGS() > 5 && !PG_ARGISNULL(5) && PG_GETARG_BOOL(5);
  opt.with_owners = PG_NARGS() > 6 && !PG_ARGISNULL(6) && PG_GETARG_BOOL(6);
  opt.create_roles = PG_NARGS() > 7 && !PG_ARGISNULL(7) && PG_GETARG_BOOL(7);
  opt.quote_ident = [](const std::string& name) { return quote_ident(name); };

  // Each step's time, for SET client_min_messages = debug1.
  using Clock = std::chrono::steady_clock;
  auto ms_since = [](Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  };
  const auto begun = Clock::now();
  double snapshot_ms = 0, fingerprint_ms = 0, facts_ms = 0, seeds_ms = 0, generate_ms = 0;
  size_t depends = 0;
  std::string text;
  {
    Spi spi;
    auto t = Clock::now();
    model::Snapshot snap = take_snapshot(spi, scope);
    snapshot_ms = ms_since(t);
    t = Clock::now();
    opt.fingerprint = model::fingerprint(snap);
    fingerprint_ms = ms_since(t);
    generator::CatalogFacts facts;
    {
      // The reader's settings: identities and values spelled as in the snapshot.
      GucScope guc;
      pin_output_settings(guc);
      t = Clock::now();
      generator::read_order_facts(spi, facts);
      facts_ms = ms_since(t);
      depends = facts.depends.size();
      t = Clock::now();
      if (include_data)
        for (const std::string& name : *include_data) read_seed_rows(spi, snap, name, facts);
      seeds_ms = ms_since(t);
    }
    t = Clock::now();
    generator::Generated g = generator::generate(snap, facts, opt);
    generate_ms = ms_since(t);
    pg_call([&] {
      elog(DEBUG1,
           "pg_squash: generated %zu statements (%zu bytes): snapshot %.1f ms, fingerprint "
           "%.1f ms, order facts %.1f ms (%zu dependencies), seed rows %.1f ms, generate %.1f ms "
           "(plan %.1f ms, order %.1f ms, text %.1f ms); all %.1f ms",
           g.statements, g.text.size(), snapshot_ms, fingerprint_ms, facts_ms, depends, seeds_ms,
           generate_ms, g.plan_ms, g.order_ms, g.text_ms, ms_since(begun));
    });
    if (!g.not_expressible.empty() && !allow_partial) {
      std::string detail;
      std::string message = not_expressible_message(g.not_expressible, detail);
      throw Error(message, ERRCODE_FEATURE_NOT_SUPPORTED, detail,
                  "Pass allow_partial => true to generate the revision without them; they are "
                  "then listed as a warning at its top.");
    }
    text = std::move(g.text);
  }
  return text_datum(text);
}
