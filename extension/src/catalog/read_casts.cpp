// Casts (pg_cast) the user created. They belong to the whole database, not to a schema, so
// only whole-database snapshots hold them. Identity: (source AS target).
#include "reader.hpp"

extern "C" {
#include "catalog/pg_cast.h"
}

namespace squash::catalog {

void read_casts(Context& ctx) {
  if (!ctx.whole_database) return;
  // The casts the server makes itself (with a range or multirange type) depend on it
  // internally and come with it.
  Rows r = ctx.query(
      "SELECT c.oid, pg_catalog.format_type(c.castsource, NULL),"
      "  pg_catalog.format_type(c.casttarget, NULL), c.castmethod, c.castcontext,"
      "  NULLIF(c.castfunc, 0)::pg_catalog.regprocedure::pg_catalog.text"
      " FROM pg_catalog.pg_cast c WHERE c.oid >= 16384 AND NOT EXISTS (SELECT"
      "   FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_cast'::pg_catalog.regclass"
      "   AND d.objid = c.oid AND d.deptype = 'i')");
  for (size_t i = 0; i < r.size(); i++) {
    if (ctx.extension_member(CastRelationId, r.oid(i, 0))) continue;
    ObjectRef o = ctx.add("cast", "(" + r.str(i, 1) + " AS " + r.str(i, 2) + ")");
    const char method = r.ch(i, 3);
    o.set("method", method == 'f' ? "function" : method == 'i' ? "inout" : "binary");
    if (!r.null(i, 5)) o.set("function", r.str(i, 5));
    const char context = r.ch(i, 4);
    o.set("context", context == 'i' ? "implicit" : context == 'a' ? "assignment" : "explicit");
    ctx.attach_common(o, CastRelationId, r.oid(i, 0), 0, '\0', Value());
  }
}

}  // namespace squash::catalog
