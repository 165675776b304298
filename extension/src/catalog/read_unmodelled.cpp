// Objects of kinds the snapshot does not model yet (foreign tables, rules, publications,
// ...). Each one found becomes an object of kind
// "unmodelled" with the catalog it came from, so a difference in them is reported, never
// silently skipped. A kind that gets modelled moves to a reader of its own (as
// read_aggregates.cpp) and leaves this list.
#include <algorithm>
#include <map>

#include "reader.hpp"

extern "C" {
#include "catalog/pg_rewrite.h"
}

namespace squash::catalog {

namespace {

// Objects that live in a schema: (catalog, words, oid, schema oid, name, suffix).
const char* const kInSchemas =
    "SELECT 'pg_statistic_ext', 'statistics object', oid, stxnamespace,"
    "   stxname::text, NULL,"
    "   'pg_catalog.pg_statistic_ext'::pg_catalog.regclass::pg_catalog.oid"
    " FROM pg_catalog.pg_statistic_ext WHERE stxnamespace = ANY ($NSPS)";

// Objects of the whole database: (catalog, words, oid, identity, class oid). Built-in
// ones (OIDs below FirstNormalObjectId) are not the user's.
const char* const kInDatabase =
    "SELECT 'pg_publication', 'publication', oid, pg_catalog.quote_ident(pubname),"
    "   'pg_catalog.pg_publication'::pg_catalog.regclass::pg_catalog.oid"
    " FROM pg_catalog.pg_publication"
    " UNION ALL SELECT 'pg_foreign_data_wrapper', 'foreign-data wrapper', oid,"
    "   pg_catalog.quote_ident(fdwname),"
    "   'pg_catalog.pg_foreign_data_wrapper'::pg_catalog.regclass::pg_catalog.oid"
    " FROM pg_catalog.pg_foreign_data_wrapper WHERE oid >= 16384"
    " UNION ALL SELECT 'pg_foreign_server', 'foreign server', oid,"
    "   pg_catalog.quote_ident(srvname),"
    "   'pg_catalog.pg_foreign_server'::pg_catalog.regclass::pg_catalog.oid"
    " FROM pg_catalog.pg_foreign_server"
    " UNION ALL SELECT 'pg_subscription', 'subscription', oid, pg_catalog.quote_ident(subname),"
    "   'pg_catalog.pg_subscription'::pg_catalog.regclass::pg_catalog.oid"
    " FROM pg_catalog.pg_subscription"
    " WHERE subdbid = (SELECT oid FROM pg_catalog.pg_database"
    "                  WHERE datname = pg_catalog.current_database())";

}  // namespace

void read_unmodelled(Context& ctx) {
  // Foreign tables: found with the other relations.
  for (auto& [oid, rel] : ctx.relations)
    if (rel.kept && rel.kind == 'f')
      ctx.unmodelled.push_back({rel.identity, "pg_foreign_table", "foreign table"});

  // Rules other than the _RETURN rule that makes a view.
  {
    Rows r = ctx.query(
        "SELECT oid, ev_class, rulename FROM pg_catalog.pg_rewrite"
        " WHERE ev_class >= 16384 AND rulename <> '_RETURN'");
    for (size_t i = 0; i < r.size(); i++) {
      const Relation* rel = ctx.kept_relation(r.oid(i, 1));
      if (!rel || ctx.extension_member(RewriteRelationId, r.oid(i, 0))) continue;
      ctx.unmodelled.push_back({rel->identity + "." + quote(r.view(i, 2)), "pg_rewrite", "rule"});
    }
  }
  {
    Rows r = ctx.query(kInSchemas);
    for (size_t i = 0; i < r.size(); i++) {
      if (ctx.extension_member(r.oid(i, 6), r.oid(i, 2))) continue;
      ctx.unmodelled.push_back({qualified(ctx.nsps.at(r.oid(i, 3)), r.view(i, 4)) + r.str(i, 5),
                                r.str(i, 0), r.str(i, 1)});
    }
  }
  // Default privileges for future objects: per schema, or (whole database) global.
  {
    Rows r = ctx.query(
        "SELECT d.oid, d.defaclrole, d.defaclnamespace, d.defaclobjtype,"
        "  d.defaclacl::pg_catalog.text FROM pg_catalog.pg_default_acl d");
    for (size_t i = 0; i < r.size(); i++) {
      const Oid nsp = r.oid(i, 2);
      if (nsp == 0 ? !ctx.whole_database : !ctx.in_scope(nsp)) continue;
      const char* what = "?";
      switch (r.ch(i, 3)) {
        case 'r':
          what = "TABLES";
          break;
        case 'S':
          what = "SEQUENCES";
          break;
        case 'f':
          what = "FUNCTIONS";
          break;
        case 'T':
          what = "TYPES";
          break;
        case 'n':
          what = "SCHEMAS";
          break;
        default:
          break;
      }
      std::string identity = "FOR ROLE " + quote(ctx.role(r.oid(i, 1)));
      if (nsp != 0) identity += " IN SCHEMA " + quote(ctx.nsps.at(nsp));
      identity += std::string(" ON ") + what;
      ctx.unmodelled.push_back(
          {identity, "pg_default_acl", "default privileges", render_acl(r.view(i, 4))});
    }
  }
  if (ctx.whole_database) {
    Rows r = ctx.query(kInDatabase);
    for (size_t i = 0; i < r.size(); i++) {
      if (ctx.extension_member(r.oid(i, 4), r.oid(i, 2))) continue;
      ctx.unmodelled.push_back({r.str(i, 3), r.str(i, 0), r.str(i, 1)});
    }
  }

  // Identities are unique per catalog; where two catalogs share one, say which is which.
  std::map<std::string, int> seen;
  for (const Unmodelled& u : ctx.unmodelled) seen[u.identity]++;
  for (const Unmodelled& u : ctx.unmodelled) {
    std::string identity = u.identity;
    if (seen[u.identity] > 1) identity += " [" + u.catalog + "]";
    ObjectRef o = ctx.add("unmodelled", std::move(identity));
    o.set("catalog", u.catalog);
    o.set("type", u.what);
    if (!u.acl.empty()) o.set("acl", u.acl);
  }
}

}  // namespace squash::catalog
