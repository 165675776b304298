// Set-returning functions and argument helpers (see srf.hpp).
#include "pg_squash/pg/srf.hpp"

extern "C" {
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
}

namespace squash {

void return_rows(FunctionCallInfo fcinfo, const std::vector<Row>& rows) {
#if PG_VERSION_NUM >= 150000
  pg_call([&] { InitMaterializedSRF(fcinfo, 0); });
#else
  pg_call([&] {  // PostgreSQL 14 has no InitMaterializedSRF
    auto* rs = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    TupleDesc desc;
    if (!rs || !IsA(rs, ReturnSetInfo) || !(rs->allowedModes & SFRM_Materialize))
      ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                      errmsg("set-valued function called in context that cannot accept a set")));
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
      elog(ERROR, "return type must be a row type");
    MemoryContext old = MemoryContextSwitchTo(rs->econtext->ecxt_per_query_memory);
    rs->returnMode = SFRM_Materialize;
    rs->setResult = tuplestore_begin_heap(true, false, work_mem);
    rs->setDesc = CreateTupleDescCopy(desc);
    MemoryContextSwitchTo(old);
  });
#endif
  auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
  AttInMetadata* meta = pg_call([&] { return TupleDescGetAttInMetadata(rsinfo->setDesc); });
  const int natts = rsinfo->setDesc->natts;
  std::vector<char*> values(natts);
  for (const Row& row : rows) {
    if (static_cast<int>(row.size()) != natts)
      throw Error("pg_squash: result row has " + std::to_string(row.size()) + " values, expected " +
                  std::to_string(natts));
    for (int i = 0; i < natts; i++)
      values[i] = row[i] ? const_cast<char*>(row[i]->c_str()) : nullptr;
    pg_call([&] {
      HeapTuple tuple = BuildTupleFromCStrings(meta, values.data());
      tuplestore_puttuple(rsinfo->setResult, tuple);
      heap_freetuple(tuple);
    });
  }
}

std::optional<std::string> text_arg(FunctionCallInfo fcinfo, int n) {
  if (PG_NARGS() <= n || PG_ARGISNULL(n)) return std::nullopt;
  text* t = pg_call([&] { return PG_GETARG_TEXT_PP(n); });
  return std::string(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

std::optional<std::vector<std::string>> text_array_arg(FunctionCallInfo fcinfo, int n) {
  if (PG_NARGS() <= n || PG_ARGISNULL(n)) return std::nullopt;
  ArrayType* array = pg_call([&] { return PG_GETARG_ARRAYTYPE_P(n); });
  Datum* elems = nullptr;
  bool* nulls = nullptr;
  int count = 0;
  pg_call(
      [&] { deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &count); });
  std::vector<std::string> out;
  out.reserve(count);
  for (int i = 0; i < count; i++) {
    if (nulls[i])
      throw Error("pg_squash: array argument contains NULL", ERRCODE_NULL_VALUE_NOT_ALLOWED);
    text* t = DatumGetTextPP(elems[i]);  // elements of a detoasted array are not toasted
    out.emplace_back(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
  }
  return out;
}

namespace {

// fn() run with the function's call context current (see boundary::call_context).
template <typename F>
Datum in_call_context(F&& fn) {
  return pg_call([&] {
    MemoryContext target = boundary::call_context();
    MemoryContext old = MemoryContextSwitchTo(target ? target : CurrentMemoryContext);
    Datum d = fn();
    MemoryContextSwitchTo(old);
    return d;
  });
}

}  // namespace

Datum text_datum(const std::string& s) {
  return in_call_context(
      [&] { return PointerGetDatum(cstring_to_text_with_len(s.data(), s.size())); });
}

Datum jsonb_datum(const std::string& json) {
  return in_call_context(
      [&] { return DirectFunctionCall1(jsonb_in, CStringGetDatum(json.c_str())); });
}

}  // namespace squash
