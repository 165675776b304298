// Aggregates (pg_aggregate with their pg_proc row). Identity: schema.name(argument types),
// as for functions. Support functions are named as regprocedure prints them and types as
// format_type does, both under the reader's pinned search_path: never an OID.
//
// The pattern every per-kind reader follows: one query over the schemas in scope (here
// over the aggregates read_routines found there, and none when it found none), extension
// members left out, attributes named after the options of the kind's CREATE statement
// (optional ones only when set), then owner, grants and comment.
#include "reader.hpp"

extern "C" {
#include "catalog/pg_proc.h"
}

namespace squash::catalog {

namespace {

const char* modify_word(char c) {
  return c == 's' ? "shareable" : c == 'w' ? "read_write" : "read_only";
}

}  // namespace

void read_aggregates(Context& ctx) {
  if (ctx.aggregates.empty()) return;  // most schemas: no query at all
  Rows r = ctx.query(
      "SELECT p.oid, p.pronamespace, p.proname, p.proargtypes::pg_catalog.text, p.proowner,"
      "  p.proacl::pg_catalog.text, pg_catalog.pg_get_function_arguments(p.oid),"
      "  a.aggkind, p.proparallel,"
      "  a.aggtransfn::pg_catalog.regprocedure::pg_catalog.text,"
      "  pg_catalog.format_type(a.aggtranstype, NULL), a.aggtransspace, a.agginitval,"
      "  NULLIF(a.aggfinalfn, 0)::pg_catalog.regprocedure::pg_catalog.text,"
      "  a.aggfinalextra, a.aggfinalmodify,"
      "  NULLIF(a.aggcombinefn, 0)::pg_catalog.regprocedure::pg_catalog.text,"
      "  NULLIF(a.aggserialfn, 0)::pg_catalog.regprocedure::pg_catalog.text,"
      "  NULLIF(a.aggdeserialfn, 0)::pg_catalog.regprocedure::pg_catalog.text,"
      "  NULLIF(a.aggmtransfn, 0)::pg_catalog.regprocedure::pg_catalog.text,"
      "  NULLIF(a.aggminvtransfn, 0)::pg_catalog.regprocedure::pg_catalog.text,"
      "  pg_catalog.format_type(NULLIF(a.aggmtranstype, 0), NULL), a.aggmtransspace,"
      "  a.aggminitval,"
      "  NULLIF(a.aggmfinalfn, 0)::pg_catalog.regprocedure::pg_catalog.text,"
      "  a.aggmfinalextra, a.aggmfinalmodify,"
      "  NULLIF(a.aggsortop, 0)::pg_catalog.regoperator::pg_catalog.text"
      " FROM pg_catalog.pg_aggregate a JOIN pg_catalog.pg_proc p ON p.oid = a.aggfnoid"
      " WHERE a.aggfnoid = ANY ('" +
      array_literal(ctx.aggregates) + "'::pg_catalog.oid[])");
  for (size_t i = 0; i < r.size(); i++)
    for (int64_t t : parse_vector(r.view(i, 3))) ctx.need_type(static_cast<Oid>(t), kNoTypmod);
  ctx.fetch_types();

  for (size_t i = 0; i < r.size(); i++) {
    std::vector<std::string> args;
    for (int64_t t : parse_vector(r.view(i, 3)))
      args.push_back(ctx.type(static_cast<Oid>(t), kNoTypmod).name);
    ObjectRef o = ctx.add("aggregate", qualified(ctx.nsps.at(r.oid(i, 1)), r.view(i, 2)) + "(" +
                                           join(args, ", ") + ")");
    o.set("arguments", r.str(i, 6));
    const char kind = r.ch(i, 7);
    o.set("kind", kind == 'o' ? "ordered-set" : kind == 'h' ? "hypothetical-set" : "normal");
    o.set("parallel", r.ch(i, 8) == 's' ? "safe" : r.ch(i, 8) == 'r' ? "restricted" : "unsafe");
    o.set("sfunc", r.str(i, 9));
    o.set("stype", r.str(i, 10));
    if (r.num(i, 11) != 0) o.set("sspace", r.str(i, 11));
    if (!r.null(i, 12)) o.set("initcond", r.str(i, 12));
    if (!r.null(i, 13)) o.set("finalfunc", r.str(i, 13));
    if (r.flag(i, 14)) o.set("finalfunc_extra", "true");
    o.set("finalfunc_modify", modify_word(r.ch(i, 15)));
    if (!r.null(i, 16)) o.set("combinefunc", r.str(i, 16));
    if (!r.null(i, 17)) o.set("serialfunc", r.str(i, 17));
    if (!r.null(i, 18)) o.set("deserialfunc", r.str(i, 18));
    if (!r.null(i, 19)) {
      // The moving-aggregate options exist together.
      o.set("msfunc", r.str(i, 19));
      o.set("minvfunc", r.str(i, 20));
      o.set("mstype", r.str(i, 21));
      if (r.num(i, 22) != 0) o.set("msspace", r.str(i, 22));
      if (!r.null(i, 23)) o.set("minitcond", r.str(i, 23));
      if (!r.null(i, 24)) o.set("mfinalfunc", r.str(i, 24));
      if (r.flag(i, 25)) o.set("mfinalfunc_extra", "true");
      o.set("mfinalfunc_modify", modify_word(r.ch(i, 26)));
    }
    if (!r.null(i, 27)) o.set("sortop", r.str(i, 27));
    ctx.attach_common(o, ProcedureRelationId, r.oid(i, 0), r.oid(i, 4), 'f', r.value(i, 5));
  }
}

}  // namespace squash::catalog
