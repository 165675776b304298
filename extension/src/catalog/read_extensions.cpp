// Extensions (pg_extension): name, version and schema. What an extension creates belongs
// to it (pg_depend deptype 'e') and is left out everywhere else; its version says it all.
#include "reader.hpp"

namespace squash::catalog {

void read_extensions(Context& ctx) {
  Rows r = ctx.query(
      "SELECT e.extname, e.extversion, n.nspname, e.extnamespace"
      " FROM pg_catalog.pg_extension e"
      " JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace");
  for (size_t i = 0; i < r.size(); i++) {
    // pg_squash is the tool taking the snapshot, not part of the schema it describes.
    if (r.view(i, 0) == "pg_squash") continue;
    if (!ctx.whole_database && !ctx.in_scope(r.oid(i, 3))) continue;
    ObjectRef o = ctx.add("extension", quote(r.view(i, 0)));
    o.set("version", r.str(i, 1));
    o.set("schema", quote(r.view(i, 2)));
  }
}

}  // namespace squash::catalog
