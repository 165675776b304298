// Extended statistics (pg_statistic_ext). Identity: schema.name. The columns and
// expressions as the server prints them (pg_get_statisticsobjdef_columns under the pinned
// search_path), the kinds asked for (the expression statistics PostgreSQL adds by itself
// are not a choice and are left out), the statistics target when set.
#include "reader.hpp"

extern "C" {
#include "catalog/pg_statistic_ext.h"
}

namespace squash::catalog {

void read_statistics(Context& ctx) {
  Rows r = ctx.query(
      "SELECT s.oid, s.stxnamespace, s.stxname, s.stxowner, s.stxkind::pg_catalog.text,"
      "  COALESCE(s.stxstattarget, -1), pg_catalog.pg_get_statisticsobjdef_columns(s.oid),"
      "  pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)"
      " FROM pg_catalog.pg_statistic_ext s JOIN pg_catalog.pg_class c ON c.oid = s.stxrelid"
      " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      " WHERE s.stxnamespace = ANY ($NSPS)");
  for (size_t i = 0; i < r.size(); i++) {
    if (ctx.extension_member(StatisticExtRelationId, r.oid(i, 0))) continue;
    ObjectRef o = ctx.add("statistics", qualified(ctx.nsps.at(r.oid(i, 1)), r.view(i, 2)));
    o.set("table", r.str(i, 7));
    o.set("columns", r.str(i, 6));
    const std::string kinds = r.str(i, 4);
    std::vector<std::string> words;
    if (kinds.find('d') != std::string::npos) words.push_back("ndistinct");
    if (kinds.find('f') != std::string::npos) words.push_back("dependencies");
    if (kinds.find('m') != std::string::npos) words.push_back("mcv");
    if (!words.empty()) o.set("kinds", join(words, ", "));
    if (r.num(i, 5) >= 0) o.set("statistics", r.str(i, 5));
    ctx.attach_common(o, StatisticExtRelationId, r.oid(i, 0), r.oid(i, 3), '\0', Value());
  }
}

}  // namespace squash::catalog
