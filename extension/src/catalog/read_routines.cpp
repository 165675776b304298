// Functions and procedures (pg_proc). Identity: schema.name(argument types), the types as
// format_type prints them. Aggregates have their own reader (read_aggregates.cpp).
#include <algorithm>

#include "reader.hpp"

extern "C" {
#include "catalog/pg_proc.h"
}

namespace squash::catalog {

void read_routines(Context& ctx) {
  Rows r = ctx.query(
      "SELECT p.oid, p.pronamespace, p.proname, p.prokind, l.lanname, p.proowner,"
      "  p.proacl::pg_catalog.text,"
      "  p.proargtypes::pg_catalog.text,"
      "  CASE WHEN p.prokind <> 'a' THEN pg_catalog.pg_get_function_arguments(p.oid) END,"
      "  CASE WHEN p.prokind IN ('f', 'w') THEN pg_catalog.pg_get_function_result(p.oid) END,"
      "  p.prosrc, p.probin,"
#if PG_VERSION_NUM >= 140000
      "  CASE WHEN p.prosqlbody IS NOT NULL"
      "    THEN pg_catalog.pg_get_function_sqlbody(p.oid) END,"
#else
      "  NULL::pg_catalog.text,"
#endif
      "  p.provolatile, p.proisstrict, p.prosecdef, p.proleakproof, p.proparallel,"
      "  p.procost::pg_catalog.text, p.prorows::pg_catalog.text, p.proconfig::pg_catalog.text,"
      "  p.proretset,"
      "  CASE WHEN p.prosupport <> 0"
      "    THEN p.prosupport::pg_catalog.regprocedure::pg_catalog.text END,"
      // Functions the server created itself (a range type's constructors) come with
      // their owner object.
      "  EXISTS (SELECT FROM pg_catalog.pg_depend d"
      "    WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid"
      "      AND d.deptype = 'i')"
      " FROM pg_catalog.pg_proc p"
      " JOIN pg_catalog.pg_language l ON l.oid = p.prolang"
      " WHERE p.pronamespace = ANY ($NSPS)");

  std::vector<bool> keep(r.size());
  for (size_t i = 0; i < r.size(); i++) {
    keep[i] = !ctx.extension_member(ProcedureRelationId, r.oid(i, 0)) && !r.flag(i, 23);
    if (keep[i] && r.ch(i, 3) == 'a') {
      // Read by read_aggregates, only when there are any.
      ctx.aggregates.push_back(r.oid(i, 0));
      keep[i] = false;
    }
    if (!keep[i]) continue;
    for (int64_t t : parse_vector(r.view(i, 7))) ctx.need_type(static_cast<Oid>(t), kNoTypmod);
  }
  ctx.fetch_types();

  for (size_t i = 0; i < r.size(); i++) {
    if (!keep[i]) continue;
    std::vector<std::string> args;
    for (int64_t t : parse_vector(r.view(i, 7)))
      args.push_back(ctx.type(static_cast<Oid>(t), kNoTypmod).name);
    const std::string identity =
        qualified(ctx.nsps.at(r.oid(i, 1)), r.view(i, 2)) + "(" + join(args, ", ") + ")";
    const char prokind = r.ch(i, 3);
    const std::string language = r.str(i, 4);
    ObjectRef o = ctx.add(prokind == 'p' ? "procedure" : "function", identity);
    o.set("language", language);
    o.set("arguments", r.str(i, 8));
    if (prokind != 'p') o.set("returns", r.str(i, 9));
    if (prokind == 'w') o.set("window", "true");
    if (!r.null(i, 12)) {
      o.set("body", r.str(i, 12));
    } else {
      o.set("body", r.str(i, 10));
      if (!r.null(i, 11)) o.set("library", r.str(i, 11));
    }
    const char* volatility = "volatile";
    if (r.ch(i, 13) == 'i') volatility = "immutable";
    if (r.ch(i, 13) == 's') volatility = "stable";
    o.set("volatility", volatility);
    o.set("strict", bool_text(r.flag(i, 14)));
    o.set("security_definer", bool_text(r.flag(i, 15)));
    o.set("leakproof", bool_text(r.flag(i, 16)));
    const char* parallel = "unsafe";
    if (r.ch(i, 17) == 's') parallel = "safe";
    if (r.ch(i, 17) == 'r') parallel = "restricted";
    o.set("parallel", parallel);
    // Cost and rows only when not what CREATE FUNCTION picks by itself.
    const std::string cost = r.str(i, 18);
    const bool builtin_lang = language == "c" || language == "internal";
    if (cost != (builtin_lang ? "1" : "100")) o.set("cost", cost);
    const std::string rows = r.str(i, 19);
    if (rows != (r.flag(i, 21) ? "1000" : "0")) o.set("rows", rows);
    if (!r.null(i, 20)) {
      std::vector<std::string> config = parse_array(r.view(i, 20));
      std::sort(config.begin(), config.end());
      o.set("config", join(config, "\n"));
    }
    if (!r.null(i, 22)) o.set("support", r.str(i, 22));
    ctx.attach_common(o, ProcedureRelationId, r.oid(i, 0), r.oid(i, 5), 'f', r.value(i, 6));
  }
}

}  // namespace squash::catalog
