// Publications (pg_publication, pg_publication_rel, pg_publication_namespace). They belong
// to the whole database, so only whole-database snapshots hold them. Identity: the name.
// Each published table is an attribute "table <identity>" whose value is its column list
// and row filter (empty for the whole table); TABLES IN SCHEMA (PostgreSQL 15) are
// "schemas". Column lists, row filters and schemas do not exist before 15.
#include <map>

#include "reader.hpp"

extern "C" {
#include "catalog/pg_publication.h"
}

namespace squash::catalog {

void read_publications(Context& ctx) {
  if (!ctx.whole_database) return;
  Rows p = ctx.query(
      "SELECT oid, pubname, pubowner, puballtables, pubinsert, pubupdate, pubdelete,"
      "  pubtruncate, pubviaroot FROM pg_catalog.pg_publication");
  if (p.empty()) return;  // most databases: one query only
  std::map<Oid, std::vector<std::pair<std::string, std::string>>> tables;
  std::map<Oid, std::vector<std::string>> schemas;
  {
    Rows t = ctx.query(
        "SELECT pr.prpubid,"
        "  pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname),"
#if PG_VERSION_NUM >= 150000
        "  (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', '"
        "          ORDER BY a.attnum) FROM pg_catalog.pg_attribute a"
        "    WHERE a.attrelid = pr.prrelid AND a.attnum = ANY (pr.prattrs::pg_catalog.int2[])),"
        "  pg_catalog.pg_get_expr(pr.prqual, pr.prrelid)"
#else
        "  NULL::pg_catalog.text, NULL::pg_catalog.text"
#endif
        " FROM pg_catalog.pg_publication_rel pr"
        " JOIN pg_catalog.pg_class c ON c.oid = pr.prrelid"
        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace");
    for (size_t i = 0; i < t.size(); i++) {
      std::string what;
      if (!t.null(i, 2)) what = "(" + t.str(i, 2) + ")";
      if (!t.null(i, 3)) what += (what.empty() ? "" : " ") + ("WHERE " + t.str(i, 3));
      tables[t.oid(i, 0)].emplace_back(t.str(i, 1), std::move(what));
    }
  }
#if PG_VERSION_NUM >= 150000
  {
    Rows s = ctx.query(
        "SELECT pn.pnpubid, pg_catalog.quote_ident(n.nspname)"
        " FROM pg_catalog.pg_publication_namespace pn"
        " JOIN pg_catalog.pg_namespace n ON n.oid = pn.pnnspid");
    for (size_t i = 0; i < s.size(); i++) schemas[s.oid(i, 0)].push_back(s.str(i, 1));
  }
#endif
  for (size_t i = 0; i < p.size(); i++) {
    const Oid oid = p.oid(i, 0);
    if (ctx.extension_member(PublicationRelationId, oid)) continue;
    ObjectRef o = ctx.add("publication", quote(p.view(i, 1)));
    o.set("all_tables", bool_text(p.flag(i, 3)));
    std::vector<std::string> publish;
    if (p.flag(i, 4)) publish.push_back("insert");
    if (p.flag(i, 5)) publish.push_back("update");
    if (p.flag(i, 6)) publish.push_back("delete");
    if (p.flag(i, 7)) publish.push_back("truncate");
    o.set("publish", join(publish, ", "));
    o.set("via_partition_root", bool_text(p.flag(i, 8)));
    for (const auto& [table, what] : tables[oid]) o.set("table " + table, what);
    std::vector<std::string>& nsps = schemas[oid];
    std::sort(nsps.begin(), nsps.end());
    if (!nsps.empty()) o.set("schemas", join(nsps, ", "));
    ctx.attach_common(o, PublicationRelationId, oid, p.oid(i, 2), '\0', Value());
  }
}

}  // namespace squash::catalog
