// Access methods (pg_am) the user created: index or table methods with their handler.
// They belong to the whole database (whole-database snapshots only); built-in ones have
// OIDs below 16384, those of extensions (bloom, ...) are extension members. Identity: the
// name.
#include "reader.hpp"

extern "C" {
#include "catalog/pg_am.h"
}

namespace squash::catalog {

void read_access_methods(Context& ctx) {
  if (!ctx.whole_database) return;
  Rows r = ctx.query(
      "SELECT oid, pg_catalog.quote_ident(amname), amtype,"
      "  amhandler::pg_catalog.regprocedure::pg_catalog.text"
      " FROM pg_catalog.pg_am WHERE oid >= 16384");
  for (size_t i = 0; i < r.size(); i++) {
    if (ctx.extension_member(AccessMethodRelationId, r.oid(i, 0))) continue;
    ObjectRef o = ctx.add("access method", r.view(i, 1));
    o.set("type", r.ch(i, 2) == 't' ? "table" : "index");
    o.set("handler", r.view(i, 3));
    ctx.attach_common(o, AccessMethodRelationId, r.oid(i, 0), 0, '\0', Value());
  }
}

}  // namespace squash::catalog
