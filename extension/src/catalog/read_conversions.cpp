// Encoding conversions (pg_conversion). Identity: schema.name. The encodings by name, the
// function as regprocedure prints it.
#include "reader.hpp"

extern "C" {
#include "catalog/pg_conversion.h"
}

namespace squash::catalog {

void read_conversions(Context& ctx) {
  Rows r = ctx.query(
      "SELECT oid, connamespace, conname, conowner,"
      "  pg_catalog.pg_encoding_to_char(conforencoding),"
      "  pg_catalog.pg_encoding_to_char(contoencoding),"
      "  conproc::pg_catalog.regprocedure::pg_catalog.text, condefault"
      " FROM pg_catalog.pg_conversion WHERE connamespace = ANY ($NSPS)");
  for (size_t i = 0; i < r.size(); i++) {
    if (ctx.extension_member(ConversionRelationId, r.oid(i, 0))) continue;
    ObjectRef o = ctx.add("conversion", qualified(ctx.nsps.at(r.oid(i, 1)), r.view(i, 2)));
    o.set("source", r.view(i, 4));
    o.set("target", r.view(i, 5));
    o.set("function", r.view(i, 6));
    o.set("default", bool_text(r.flag(i, 7)));
    ctx.attach_common(o, ConversionRelationId, r.oid(i, 0), r.oid(i, 3), '\0', Value());
  }
}

}  // namespace squash::catalog
