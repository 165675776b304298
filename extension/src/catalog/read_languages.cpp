// Procedural languages (pg_language) and transforms (pg_transform) the user created. Both
// belong to the whole database, not to a schema, so only whole-database snapshots hold
// them (as casts). Built-in languages (internal, c, sql) have OIDs below 16384; plpgsql
// and the others that come as extensions are extension members. Identities: the language's
// name; a transform's "FOR type LANGUAGE name", as COMMENT ON TRANSFORM writes it.
#include "reader.hpp"

extern "C" {
#include "catalog/pg_language.h"
#include "catalog/pg_transform.h"
}

namespace squash::catalog {

void read_languages(Context& ctx) {
  if (!ctx.whole_database) return;
  // Both catalogs in one query: kind, oid, identity, owner, trusted, then three functions
  // (handler, inline, validator; from SQL, to SQL) and the ACL.
  Rows r = ctx.query(
      "SELECT 'l', oid, pg_catalog.quote_ident(lanname), lanowner, lanpltrusted,"
      "  lanplcallfoid::pg_catalog.regprocedure::pg_catalog.text,"
      "  NULLIF(laninline, 0)::pg_catalog.regprocedure::pg_catalog.text,"
      "  NULLIF(lanvalidator, 0)::pg_catalog.regprocedure::pg_catalog.text,"
      "  lanacl::pg_catalog.text"
      " FROM pg_catalog.pg_language WHERE oid >= 16384"
      " UNION ALL"
      " SELECT 't', t.oid, 'FOR ' || pg_catalog.format_type(t.trftype, NULL) || ' LANGUAGE '"
      "  || pg_catalog.quote_ident(l.lanname), 0, NULL,"
      "  NULLIF(t.trffromsql, 0)::pg_catalog.regprocedure::pg_catalog.text,"
      "  NULLIF(t.trftosql, 0)::pg_catalog.regprocedure::pg_catalog.text, NULL, NULL"
      " FROM pg_catalog.pg_transform t JOIN pg_catalog.pg_language l ON l.oid = t.trflang");
  for (size_t i = 0; i < r.size(); i++) {
    const Oid oid = r.oid(i, 1);
    if (r.ch(i, 0) == 'l') {
      if (ctx.extension_member(LanguageRelationId, oid)) continue;
      ObjectRef o = ctx.add("language", r.view(i, 2));
      o.set("trusted", bool_text(r.flag(i, 4)));
      o.set("handler", r.view(i, 5));
      if (!r.null(i, 6)) o.set("inline", r.view(i, 6));
      if (!r.null(i, 7)) o.set("validator", r.view(i, 7));
      ctx.attach_common(o, LanguageRelationId, oid, r.oid(i, 3), 'l', r.value(i, 8));
    } else {
      if (ctx.extension_member(TransformRelationId, oid)) continue;
      ObjectRef o = ctx.add("transform", r.view(i, 2));
      if (!r.null(i, 5)) o.set("from_sql", r.view(i, 5));
      if (!r.null(i, 6)) o.set("to_sql", r.view(i, 6));
      ctx.attach_common(o, TransformRelationId, oid, 0, '\0', Value());
    }
  }
}

}  // namespace squash::catalog
