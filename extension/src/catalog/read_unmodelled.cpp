// Objects of kinds the snapshot does not model yet (text search objects, operator classes,
// ...). Each one found becomes an object of kind
// "unmodelled" with the catalog it came from, so a difference in them is reported, never
// silently skipped. A kind that gets modelled moves to a reader of its own (as
// read_aggregates.cpp) and leaves this list.
#include <algorithm>
#include <map>

#include "reader.hpp"

namespace squash::catalog {

namespace {

// Objects that live in a schema: (catalog, words, oid, schema oid, name, suffix).
const char* const kInSchemas =
    "SELECT 'pg_ts_config', 'text search configuration', oid, cfgnamespace, cfgname::text,"
    "   NULL::text, 'pg_catalog.pg_ts_config'::pg_catalog.regclass::pg_catalog.oid"
    " FROM pg_catalog.pg_ts_config WHERE cfgnamespace = ANY ($NSPS)"
    " UNION ALL SELECT 'pg_ts_dict', 'text search dictionary', oid, dictnamespace,"
    "   dictname::text, NULL, 'pg_catalog.pg_ts_dict'::pg_catalog.regclass::pg_catalog.oid"
    " FROM pg_catalog.pg_ts_dict WHERE dictnamespace = ANY ($NSPS)"
    " UNION ALL SELECT 'pg_ts_parser', 'text search parser', oid, prsnamespace,"
    "   prsname::text, NULL, 'pg_catalog.pg_ts_parser'::pg_catalog.regclass::pg_catalog.oid"
    " FROM pg_catalog.pg_ts_parser WHERE prsnamespace = ANY ($NSPS)"
    " UNION ALL SELECT 'pg_ts_template', 'text search template', oid, tmplnamespace,"
    "   tmplname::text, NULL,"
    "   'pg_catalog.pg_ts_template'::pg_catalog.regclass::pg_catalog.oid"
    " FROM pg_catalog.pg_ts_template WHERE tmplnamespace = ANY ($NSPS)"
    " UNION ALL SELECT 'pg_conversion', 'conversion', oid, connamespace, conname::text, NULL,"
    "   'pg_catalog.pg_conversion'::pg_catalog.regclass::pg_catalog.oid"
    " FROM pg_catalog.pg_conversion WHERE connamespace = ANY ($NSPS)"
    " UNION ALL SELECT 'pg_opclass', 'operator class', c.oid, c.opcnamespace, c.opcname::text,"
    "   ' USING ' || a.amname, 'pg_catalog.pg_opclass'::pg_catalog.regclass::pg_catalog.oid"
    " FROM pg_catalog.pg_opclass c JOIN pg_catalog.pg_am a ON a.oid = c.opcmethod"
    " WHERE c.opcnamespace = ANY ($NSPS)"
    " UNION ALL SELECT 'pg_opfamily', 'operator family', f.oid, f.opfnamespace,"
    "   f.opfname::text, ' USING ' || a.amname,"
    "   'pg_catalog.pg_opfamily'::pg_catalog.regclass::pg_catalog.oid"
    " FROM pg_catalog.pg_opfamily f JOIN pg_catalog.pg_am a ON a.oid = f.opfmethod"
    " WHERE f.opfnamespace = ANY ($NSPS)";

// Objects of the whole database: (catalog, words, oid, identity, class oid). Built-in
// ones (OIDs below FirstNormalObjectId) are not the user's.
const char* const kInDatabase =
    "SELECT 'pg_transform', 'transform', t.oid, 'FOR '"
    "   || pg_catalog.format_type(t.trftype, NULL) || ' LANGUAGE '"
    "   || pg_catalog.quote_ident(l.lanname),"
    "   'pg_catalog.pg_transform'::pg_catalog.regclass::pg_catalog.oid"
    " FROM pg_catalog.pg_transform t JOIN pg_catalog.pg_language l ON l.oid = t.trflang"
    " UNION ALL SELECT 'pg_language', 'procedural language', oid,"
    "   pg_catalog.quote_ident(lanname),"
    "   'pg_catalog.pg_language'::pg_catalog.regclass::pg_catalog.oid"
    " FROM pg_catalog.pg_language WHERE oid >= 16384";

}  // namespace

void read_unmodelled(Context& ctx) {
  {
    Rows r = ctx.query(kInSchemas);
    for (size_t i = 0; i < r.size(); i++) {
      if (ctx.extension_member(r.oid(i, 6), r.oid(i, 2))) continue;
      ctx.unmodelled.push_back({qualified(ctx.nsps.at(r.oid(i, 3)), r.view(i, 4)) + r.str(i, 5),
                                r.str(i, 0), r.str(i, 1)});
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
