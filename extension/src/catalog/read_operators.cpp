// Operators (pg_operator), shell operators included (only named so far, by another
// operator's COMMUTATOR or NEGATOR). Identity: schema.name(left type, right type), NONE for
// a prefix operator's left; the name stays unquoted, as operators are written.
#include "reader.hpp"

extern "C" {
#include "catalog/pg_operator.h"
}

namespace squash::catalog {

void read_operators(Context& ctx) {
  Rows r = ctx.query(
      "SELECT o.oid, o.oprnamespace, o.oprname, o.oprleft, o.oprright, o.oprowner,"
      "  NULLIF(o.oprcode, 0)::pg_catalog.regprocedure::pg_catalog.text,"
      "  NULLIF(o.oprcom, 0)::pg_catalog.regoperator::pg_catalog.text,"
      "  NULLIF(o.oprnegate, 0)::pg_catalog.regoperator::pg_catalog.text,"
      "  NULLIF(o.oprrest, 0)::pg_catalog.regprocedure::pg_catalog.text,"
      "  NULLIF(o.oprjoin, 0)::pg_catalog.regprocedure::pg_catalog.text,"
      "  o.oprcanhash, o.oprcanmerge"
      " FROM pg_catalog.pg_operator o WHERE o.oprnamespace = ANY ($NSPS)");
  if (r.empty()) return;
  for (size_t i = 0; i < r.size(); i++) {
    ctx.need_type(r.oid(i, 3), kNoTypmod);
    ctx.need_type(r.oid(i, 4), kNoTypmod);
  }
  ctx.fetch_types();
  auto type_name = [&](Oid t) {
    return t == 0 ? std::string("NONE") : ctx.type(t, kNoTypmod).name;
  };

  for (size_t i = 0; i < r.size(); i++) {
    if (ctx.extension_member(OperatorRelationId, r.oid(i, 0))) continue;
    ObjectRef o =
        ctx.add("operator", quote(ctx.nsps.at(r.oid(i, 1))) + "." + r.str(i, 2) + "(" +
                                type_name(r.oid(i, 3)) + ", " + type_name(r.oid(i, 4)) + ")");
    if (r.null(i, 6)) {
      o.set("shell", "true");
    } else {
      o.set("function", r.str(i, 6));
      if (!r.null(i, 7)) o.set("commutator", r.str(i, 7));
      if (!r.null(i, 8)) o.set("negator", r.str(i, 8));
      if (!r.null(i, 9)) o.set("restrict", r.str(i, 9));
      if (!r.null(i, 10)) o.set("join", r.str(i, 10));
      if (r.flag(i, 11)) o.set("hashes", "true");
      if (r.flag(i, 12)) o.set("merges", "true");
    }
    ctx.attach_common(o, OperatorRelationId, r.oid(i, 0), r.oid(i, 5), '\0', Value());
  }
}

}  // namespace squash::catalog
