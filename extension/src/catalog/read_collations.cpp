// Collations (pg_collation). Identity: schema.name. The provider's locale settings and
// determinism are the definition; collversion is the library's version, a property of the
// server the database runs on, not of the schema, so it is left out.
#include "reader.hpp"

extern "C" {
#include "catalog/pg_collation.h"
}

namespace squash::catalog {

void read_collations(Context& ctx) {
  Rows r = ctx.query(
      "SELECT oid, collnamespace, collname, collowner, collprovider, collisdeterministic,"
      "  collcollate, collctype,"
#if PG_VERSION_NUM >= 170000
      "  colllocale"
#elif PG_VERSION_NUM >= 150000
      "  colliculocale"
#else
      "  NULL::pg_catalog.text"
#endif
      " FROM pg_catalog.pg_collation WHERE collnamespace = ANY ($NSPS)");
  for (size_t i = 0; i < r.size(); i++) {
    if (ctx.extension_member(CollationRelationId, r.oid(i, 0))) continue;
    ObjectRef o = ctx.add("collation", qualified(ctx.nsps.at(r.oid(i, 1)), r.view(i, 2)));
    const char provider = r.ch(i, 4);
    o.set("provider", provider == 'i'   ? "icu"
                      : provider == 'c' ? "libc"
                      : provider == 'b' ? "builtin"
                                        : "default");
    if (!r.null(i, 8)) o.set("locale", r.str(i, 8));
    if (!r.null(i, 6)) o.set("lc_collate", r.str(i, 6));
    if (!r.null(i, 7)) o.set("lc_ctype", r.str(i, 7));
    o.set("deterministic", bool_text(r.flag(i, 5)));
    ctx.attach_common(o, CollationRelationId, r.oid(i, 0), r.oid(i, 3), '\0', Value());
  }
}

}  // namespace squash::catalog
