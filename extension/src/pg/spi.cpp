// SPI through the boundary (see spi.hpp).
#include <cstring>
#include <exception>

#include "pg_squash/pg/spi.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
}

namespace squash {

Spi::Spi() : caller_context_(CurrentMemoryContext) {
  pg_call([] { return SPI_connect(); });
  connected_ = true;
  MemoryContextSwitchTo(caller_context_);
}

Spi::~Spi() {
  if (!connected_) return;
  // Never throw or longjmp out of a destructor: an error here is left to transaction abort.
  boundary::try_postgres([](void*) { SPI_finish(); }, nullptr);
  MemoryContextSwitchTo(caller_context_);
}

int Spi::run(const std::string& sql, const std::vector<Value>& params, bool read_only,
             const Bytes* bytes) {
  const int n = static_cast<int>(params.size()) + (bytes ? 1 : 0);
  std::vector<Oid> types(n, TEXTOID);
  std::vector<Datum> values(n);
  std::vector<char> nulls(n, ' ');
  for (size_t i = 0; i < params.size(); i++) {
    if (params[i]) {
      const std::string& p = *params[i];
      values[i] =
          pg_call([&] { return PointerGetDatum(cstring_to_text_with_len(p.data(), p.size())); });
    } else {
      nulls[i] = 'n';
    }
  }
  if (bytes) {
    // bytea and text are both plain varlenas.
    types[n - 1] = BYTEAOID;
    values[n - 1] = pg_call([&] {
      return PointerGetDatum(cstring_to_text_with_len(bytes->data.data(), bytes->data.size()));
    });
  }
  int rc = pg_call([&] {
    int r = SPI_execute_with_args(sql.c_str(), n, types.data(), values.data(), nulls.data(),
                                  read_only, 0);
    MemoryContextSwitchTo(caller_context_);
    return r;
  });
  if (rc < 0)
    throw Error("pg_squash: SPI failed (" + std::string(SPI_result_code_string(rc)) + ")");
  return rc;
}

QueryResult Spi::query(const std::string& sql, const std::vector<Value>& params, bool read_only) {
  run(sql, params, read_only);
  QueryResult result;
  result.processed = SPI_processed;
  SPITupleTable* table = SPI_tuptable;
  if (!table) return result;
  TupleDesc desc = table->tupdesc;
  const int ncols = desc->natts;
  for (int c = 0; c < ncols; c++)
    result.columns.emplace_back(NameStr(TupleDescAttr(desc, c)->attname));
  result.rows.reserve(SPI_processed);
  for (uint64 r = 0; r < SPI_processed; r++) {
    HeapTuple tuple = table->vals[r];
    Row row(ncols);
    for (int c = 0; c < ncols; c++) {
      char* v = pg_call([&] {
        char* out = SPI_getvalue(tuple, desc, c + 1);
        MemoryContextSwitchTo(caller_context_);
        return out;
      });
      if (v) {
        row[c].emplace(v);
        pfree(v);
      }
    }
    result.rows.push_back(std::move(row));
  }
  pg_call([&] {
    SPI_freetuptable(table);
    MemoryContextSwitchTo(caller_context_);
  });
  return result;
}

uint64 Spi::execute(const std::string& sql, const std::vector<Value>& params) {
  run(sql, params, false);
  return processed();
}

uint64 Spi::processed() {
  const uint64 n = SPI_processed;
  if (SPI_tuptable) {
    SPITupleTable* table = SPI_tuptable;
    pg_call([&] {
      SPI_freetuptable(table);
      MemoryContextSwitchTo(caller_context_);
    });
  }
  return n;
}

uint64 Spi::execute(const std::string& sql, const std::vector<Value>& params, Bytes bytes) {
  if (bytes.data.size() > MaxAllocSize - VARHDRSZ)
    throw Error("pg_squash: value too large to store (" + std::to_string(bytes.data.size()) +
                " bytes)");
  run(sql, params, false, &bytes);
  return processed();
}

Value Spi::scalar_bytes(const std::string& sql, const std::vector<Value>& params) {
  run(sql, params, true);
  SPITupleTable* table = SPI_tuptable;
  if (!table) return std::nullopt;
  Value out;
  if (SPI_processed > 0 && table->tupdesc->natts > 0) {
    if (TupleDescAttr(table->tupdesc, 0)->attlen != -1)
      throw Error("pg_squash: internal error: scalar_bytes on a column that is not a varlena");
    struct varlena* stored = nullptr;
    struct varlena* detoasted = nullptr;
    bool is_null = true;
    pg_call([&] {
      Datum d = SPI_getbinval(table->vals[0], table->tupdesc, 1, &is_null);
      if (is_null) return;
      stored = reinterpret_cast<struct varlena*>(DatumGetPointer(d));
      detoasted = pg_detoast_datum_packed(stored);
    });
    if (!is_null) {
      out.emplace(VARDATA_ANY(detoasted), VARSIZE_ANY_EXHDR(detoasted));
      if (detoasted != stored) pfree(detoasted);
    }
  }
  pg_call([&] {
    SPI_freetuptable(table);
    MemoryContextSwitchTo(caller_context_);
  });
  return out;
}

std::optional<OwnedBytes> Spi::scalar_owned_bytes(const std::string& sql,
                                                  const std::vector<Value>& params) {
  run(sql, params, true);
  SPITupleTable* table = SPI_tuptable;
  struct varlena* stored = nullptr;
  if (table && SPI_processed > 0 && table->tupdesc->natts > 0) {
    if (TupleDescAttr(table->tupdesc, 0)->attlen != -1)
      throw Error(
          "pg_squash: internal error: scalar_owned_bytes on a column that is not a varlena");
    pg_call([&] {
      bool is_null = true;
      Datum d = SPI_getbinval(table->vals[0], table->tupdesc, 1, &is_null);
      if (!is_null) stored = reinterpret_cast<struct varlena*>(DatumGetPointer(d));
    });
  }
  pg_call([&] { MemoryContextSwitchTo(caller_context_); });
  std::optional<OwnedBytes> out;
  std::exception_ptr failed;
  try {
    if (stored) out = detoast_owned(stored);
  } catch (...) {
    failed = std::current_exception();
  }
  pg_call([&] {
    if (table) SPI_freetuptable(table);
  });
  if (failed) std::rethrow_exception(failed);
  return out;
}

Value Spi::scalar(const std::string& sql, const std::vector<Value>& params, bool read_only) {
  QueryResult r = query(sql, params, read_only);
  if (r.rows.empty() || r.rows[0].empty()) return std::nullopt;
  return r.rows[0][0];
}

std::string quote_ident(const std::string& name) {
  bool safe = !name.empty() && ((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_');
  for (char ch : name) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) safe = false;
  }
  if (safe) {
    // Keywords need quotes too; ask the server's keyword list (cheap, no catalog access).
    const char* quoted = pg_call([&] { return quote_identifier(name.c_str()); });
    if (quoted == name.c_str()) return name;
    std::string out(quoted);
    return out;
  }
  std::string out = "\"";
  for (char ch : name) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

std::string quote_literal(const std::string& text) {
  bool backslash = text.find('\\') != std::string::npos;
  std::string out = backslash ? "E'" : "'";
  for (char ch : text) {
    if (ch == '\'' || ch == '\\') out += ch;
    out += ch;
  }
  return out + "'";
}

}  // namespace squash
