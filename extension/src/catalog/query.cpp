// Catalog queries with compact, fast row copying (see reader.hpp).
//
// Spi::query converts every cell with the type's output function; over the 170,000 rows
// of pg_attribute of a large schema that costs more than the query. Here the common
// catalog types are copied straight from the deformed tuple; only the rest go through
// their output functions (under pg_call).
#include <charconv>
#include <chrono>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>

#include "reader.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "executor/tuptable.h"
#include "tcop/dest.h"
#include "access/tupmacs.h"
#include "utils/array.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
}

namespace squash::catalog {

using Clock = std::chrono::steady_clock;

Profile& profile() {
  static Profile p;
  return p;
}

Oid Rows::oid(size_t r, int c) const {
  std::string_view v = view(r, c);
  Oid out = 0;
  std::from_chars(v.data(), v.data() + v.size(), out);
  return out;
}

int64_t Rows::num(size_t r, int c) const {
  std::string_view v = view(r, c);
  int64_t out = 0;
  std::from_chars(v.data(), v.data() + v.size(), out);
  return out;
}

namespace {

enum class Copy {
  Bool,
  Char,
  Int2,
  Int4,
  Int8,
  Oid,
  Name,
  Varlena,
  TextArray,
  Int2Array,
  Int2Vector,
  OidVector,
  Output
};

Copy copy_kind(Oid type) {
  switch (type) {
    case BOOLOID:
      return Copy::Bool;
    case CHAROID:
      return Copy::Char;
    case INT2OID:
      return Copy::Int2;
    case INT4OID:
      return Copy::Int4;
    case INT8OID:
      return Copy::Int8;
    case OIDOID:
    case XIDOID:
      return Copy::Oid;
    case NAMEOID:
      return Copy::Name;
    case TEXTOID:
    case VARCHAROID:
    case BPCHAROID:
    case PG_NODE_TREEOID:
    case BYTEAOID:  // raw bytes (cells carry their length)
      return Copy::Varlena;
    case TEXTARRAYOID:
      return Copy::TextArray;
    case INT2ARRAYOID:
      return Copy::Int2Array;
    case INT2VECTOROID:
      return Copy::Int2Vector;
    case OIDVECTOROID:
      return Copy::OidVector;
    default:
      return Copy::Output;
  }
}

void append_number(std::string& buf, int64_t v) {
  char tmp[24];
  auto res = std::to_chars(tmp, tmp + sizeof tmp, v);
  buf.append(tmp, res.ptr - tmp);
}

bool array_needs_quotes(const char* s, size_t n) {
  if (n == 0) return true;
  if (n == 4 && pg_strncasecmp(s, "NULL", 4) == 0) return true;
  for (size_t i = 0; i < n; i++) {
    switch (s[i]) {
      case '"':
      case '\\':
      case '{':
      case '}':
      case ',':
      case ' ':
      case '\t':
      case '\n':
      case '\r':
      case '\v':
      case '\f':
        return true;
      default:
        break;
    }
  }
  return false;
}

// A one-dimensional text[] in array_out's exact text form, read straight from the array
// (reloptions, attoptions: on this platform every column has attoptions). Returns false
// for anything unusual (more dimensions, lower bound not 1): the caller uses array_out.
bool append_text_array(std::string& buf, ArrayType* arr) {
  const int ndim = ARR_NDIM(arr);
  if (ndim == 0) {
    buf += "{}";
    return true;
  }
  if (ndim != 1 || ARR_LBOUND(arr)[0] != 1 || ARR_ELEMTYPE(arr) != TEXTOID) return false;
  const int n = ARR_DIMS(arr)[0];
  const char* p = ARR_DATA_PTR(arr);
  const bits8* bitmap = ARR_NULLBITMAP(arr);
  int bitmask = 1;
  buf += '{';
  for (int i = 0; i < n; i++) {
    if (i) buf += ',';
    if (bitmap && !(*bitmap & bitmask)) {
      buf += "NULL";
    } else {
      const char* data = VARDATA_ANY(p);
      const size_t len = VARSIZE_ANY_EXHDR(p);
      if (array_needs_quotes(data, len)) {
        buf += '"';
        for (size_t k = 0; k < len; k++) {
          if (data[k] == '"' || data[k] == '\\') buf += '\\';
          buf += data[k];
        }
        buf += '"';
      } else {
        buf.append(data, len);
      }
      p = att_addlength_pointer(p, -1, p);
      p = reinterpret_cast<const char*>(att_align_nominal(p, TYPALIGN_INT));
    }
    if (bitmap) {
      bitmask <<= 1;
      if (bitmask == 0x100) {
        bitmap++;
        bitmask = 1;
      }
    }
  }
  buf += '}';
  return true;
}

// A one-dimensional int2[] in array_out's form ("{1,2}"); false for anything unusual.
bool append_int2_array(std::string& buf, ArrayType* arr) {
  const int ndim = ARR_NDIM(arr);
  if (ndim == 0) {
    buf += "{}";
    return true;
  }
  if (ndim != 1 || ARR_LBOUND(arr)[0] != 1 || ARR_ELEMTYPE(arr) != INT2OID || ARR_HASNULL(arr))
    return false;
  const int n = ARR_DIMS(arr)[0];
  const int16* values = reinterpret_cast<const int16*>(ARR_DATA_PTR(arr));
  buf += '{';
  for (int i = 0; i < n; i++) {
    if (i) buf += ',';
    append_number(buf, values[i]);
  }
  buf += '}';
  return true;
}

}  // namespace

namespace {

// Receives the query's rows straight from the executor (no SPI_tuptable copy of every
// tuple) and hands each to the caller's function as a Row. The executor calls it: it must
// neither throw nor leave C++ objects behind a longjmp. PostgreSQL calls inside go through
// pg_call; C++ exceptions are caught, kept, and stop the query (receiveSlot returns false);
// scan() rethrows them once the executor is done.
struct Receiver {
  DestReceiver pub;  // first: the executor sees a DestReceiver*
  Row::State* state;
  const std::function<void(const Row&)>* fn;
  std::exception_ptr failed;
};

}  // namespace

struct Row::State {
  int ncols = 0;
  TupleTableSlot* slot = nullptr;
  int deformed = 0;  // columns of slot deformed so far
  const Datum* values = nullptr;
  const bool* isnull = nullptr;

  // Deforms the tuple up to column c on first use: a row the caller rejects by its first
  // column costs next to nothing.
  void need(int c) {
    if (c < deformed) return;
    TupleTableSlot* s = slot;
    pg_call([&] { slot_getallattrs(s); });
    deformed = ncols;
  }
  std::vector<Copy> kinds;
  std::vector<Oid> types;
  std::vector<FmgrInfo> outputs;  // zeroed: looked up on first use
  std::vector<std::string> text;  // per column: the last rendered cell
  std::vector<uint64_t> scratch;  // aligned copy of a short array
};

int Row::columns() const {
  return state_->ncols;
}
bool Row::null(int c) const {
  state_->need(c);
  return state_->isnull[c];
}

Oid Row::oid(int c) const {
  state_->need(c);
  if (state_->isnull[c]) return 0;
  if (state_->kinds[c] == Copy::Oid) return DatumGetObjectId(state_->values[c]);
  std::string_view v = view(c);
  Oid out = 0;
  std::from_chars(v.data(), v.data() + v.size(), out);
  return out;
}

int64_t Row::num(int c) const {
  state_->need(c);
  if (state_->isnull[c]) return 0;
  const Datum d = state_->values[c];
  switch (state_->kinds[c]) {
    case Copy::Int2:
      return DatumGetInt16(d);
    case Copy::Int4:
      return DatumGetInt32(d);
    case Copy::Int8:
      return DatumGetInt64(d);
    case Copy::Oid:
      return DatumGetObjectId(d);
    default: {
      std::string_view v = view(c);
      int64_t out = 0;
      std::from_chars(v.data(), v.data() + v.size(), out);
      return out;
    }
  }
}

bool Row::flag(int c) const {
  state_->need(c);
  if (state_->isnull[c]) return false;
  if (state_->kinds[c] == Copy::Bool) return DatumGetBool(state_->values[c]);
  return view(c) == "t";
}

char Row::ch(int c) const {
  state_->need(c);
  if (state_->isnull[c]) return '\0';
  if (state_->kinds[c] == Copy::Char) return DatumGetChar(state_->values[c]);
  std::string_view v = view(c);
  return v.empty() ? '\0' : v[0];
}

namespace {

// The cell d (of type `type`, copied as `kind`) in its text output form, rendered into buf
// unless it can be viewed in place.
std::string_view render(Datum d, Copy kind, Oid type, FmgrInfo* finfo, std::string& buf,
                        std::vector<uint64_t>& scratch) {
  if (kind == Copy::Name) {
    const char* s = NameStr(*DatumGetName(d));
    return std::string_view(s, strnlen(s, NAMEDATALEN));
  }
  if (kind == Copy::Varlena) {
    struct varlena* v = reinterpret_cast<struct varlena*>(DatumGetPointer(d));
    if (VARATT_IS_COMPRESSED(v) || VARATT_IS_EXTERNAL(v))
      v = pg_call([&] { return pg_detoast_datum_packed(v); });
    return std::string_view(VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
  }
  buf.clear();
  auto output = [&] {
    if (!finfo->fn_addr) {
      pg_call([&] {
        Oid func;
        bool varlena;
        getTypeOutputInfo(type, &func, &varlena);
        fmgr_info(func, finfo);
      });
    }
    char* text = pg_call([&] { return OutputFunctionCall(finfo, d); });
    buf.append(text);
    pfree(text);
  };
  switch (kind) {
    case Copy::Bool:
      buf += DatumGetBool(d) ? 't' : 'f';
      break;
    case Copy::Char:
      if (DatumGetChar(d) != '\0') buf += DatumGetChar(d);
      break;
    case Copy::Int2:
      append_number(buf, DatumGetInt16(d));
      break;
    case Copy::Int4:
      append_number(buf, DatumGetInt32(d));
      break;
    case Copy::Int8:
      append_number(buf, DatumGetInt64(d));
      break;
    case Copy::Oid:
      append_number(buf, DatumGetObjectId(d));
      break;
    case Copy::TextArray:
    case Copy::Int2Array: {
      struct varlena* v = reinterpret_cast<struct varlena*>(DatumGetPointer(d));
      if (VARATT_IS_COMPRESSED(v) || VARATT_IS_EXTERNAL(v)) {
        v = pg_call([&] { return pg_detoast_datum(v); });
      } else if (VARATT_IS_SHORT(v)) {
        // A short array (1-byte header, as in most catalog rows): copy it behind a
        // regular header into aligned scratch space instead of asking the server.
        const size_t len = VARSIZE_SHORT(v) - VARHDRSZ_SHORT;
        scratch.resize((len + VARHDRSZ) / sizeof(uint64_t) + 1);
        SET_VARSIZE(scratch.data(), len + VARHDRSZ);
        memcpy(VARDATA(scratch.data()), VARDATA_SHORT(v), len);
        v = reinterpret_cast<struct varlena*>(scratch.data());
      }
      ArrayType* arr = reinterpret_cast<ArrayType*>(v);
      if (!(kind == Copy::TextArray ? append_text_array(buf, arr) : append_int2_array(buf, arr)))
        output();
      break;
    }
    case Copy::Int2Vector:
    case Copy::OidVector: {
      // Catalog vectors are stored plain (never packed or toasted); printed as
      // int2vectorout / oidvectorout do: "1 2 3".
      if (VARATT_IS_EXTENDED(DatumGetPointer(d))) {
        output();
        break;
      }
      if (kind == Copy::Int2Vector) {
        const int2vector* v = reinterpret_cast<const int2vector*>(DatumGetPointer(d));
        for (int k = 0; k < v->dim1; k++) {
          if (k) buf += ' ';
          append_number(buf, v->values[k]);
        }
      } else {
        const oidvector* v = reinterpret_cast<const oidvector*>(DatumGetPointer(d));
        for (int k = 0; k < v->dim1; k++) {
          if (k) buf += ' ';
          append_number(buf, v->values[k]);
        }
      }
      break;
    }
    default:
      output();
      break;
  }
  return buf;
}

}  // namespace

std::string_view Row::view(int c) const {
  State& st = *state_;
  st.need(c);
  if (st.isnull[c]) return {};
  return render(st.values[c], st.kinds[c], st.types[c], &st.outputs[c], st.text[c], st.scratch);
}

namespace {

void receiver_startup(DestReceiver* self, int, TupleDesc desc) {
  Receiver* r = reinterpret_cast<Receiver*>(self);
  try {
    Row::State& st = *r->state;
    st.ncols = desc->natts;
    st.kinds.resize(st.ncols);
    st.types.resize(st.ncols);
    st.outputs.assign(st.ncols, FmgrInfo{});
    st.text.resize(st.ncols);
    for (int c = 0; c < st.ncols; c++) {
      st.types[c] = TupleDescAttr(desc, c)->atttypid;
      st.kinds[c] = copy_kind(st.types[c]);
    }
  } catch (...) {
    r->failed = std::current_exception();
  }
}

bool receiver_receive(TupleTableSlot* slot, DestReceiver* self) {
  Receiver* r = reinterpret_cast<Receiver*>(self);
  if (r->failed) return false;
  // Only the first column now (deforming never raises an error; no C++ object lives in
  // this frame); the rest when the caller asks (Row::State::need).
  slot_getsomeattrs(slot, 1);
  r->state->slot = slot;
  r->state->deformed = 1;
  r->state->values = slot->tts_values;
  r->state->isnull = slot->tts_isnull;
  try {
    (*r->fn)(Row(r->state));
  } catch (...) {
    r->failed = std::current_exception();
    return false;
  }
  return true;
}

void receiver_shutdown(DestReceiver*) {}
void receiver_destroy(DestReceiver*) {}

}  // namespace

void scan(Spi& spi, const std::string& sql, const std::function<void(const Row&)>& fn) {
  (void)spi;  // the caller's connection: SPI is connected while it lives
  Row::State state;
  Receiver receiver{};
  receiver.pub.receiveSlot = receiver_receive;
  receiver.pub.rStartup = receiver_startup;
  receiver.pub.rShutdown = receiver_shutdown;
  receiver.pub.rDestroy = receiver_destroy;
  receiver.pub.mydest = DestNone;
  receiver.state = &state;
  receiver.fn = &fn;

  SPIExecuteOptions options{};
  options.read_only = true;
  options.dest = &receiver.pub;

  int rc;
  const auto started = Clock::now();
  const uint64_t rows_before = profile().rows;
  try {
    rc = pg_call([&] { return SPI_execute_extended(sql.c_str(), &options); });
  } catch (const PgError& e) {
    if (e.sqlstate() != ERRCODE_INSUFFICIENT_PRIVILEGE) throw;
    const char* user = pg_call([] { return GetUserNameFromId(GetUserId(), false); });
    throw Error(std::string("pg_squash: role ") + quote_ident(user) +
                    " cannot read every catalog a snapshot needs: " + e.what(),
                ERRCODE_INSUFFICIENT_PRIVILEGE,
                "A snapshot from this role would be incomplete, so none is taken.",
                "Run it as a role that can read the system catalogs (SELECT on pg_catalog is "
                "granted to PUBLIC by default).");
  }
  if (receiver.failed) std::rethrow_exception(receiver.failed);
  // SPI says SPI_OK_UTILITY for a SELECT whose rows went to a receiver of its own.
  if (rc != SPI_OK_SELECT && rc != SPI_OK_UTILITY)
    throw Error("pg_squash: catalog query failed (" + std::string(SPI_result_code_string(rc)) +
                ")");
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  const uint64_t rows = SPI_processed;
  profile().execute_ms += ms;
  profile().rows = rows_before + rows;
  pg_call([&] {
    elog(DEBUG2, "pg_squash: catalog query %.1f ms, %llu rows: %s", ms,
         static_cast<unsigned long long>(rows), sql.c_str());
  });
}

struct CatalogScan::State {
  ::Relation rel = nullptr;
  SysScanDesc scan = nullptr;
  HeapTuple tuple = nullptr;
  TupleDesc desc = nullptr;
  std::vector<Copy> kinds;
  std::vector<Oid> types;
  std::vector<FmgrInfo> outputs;  // zeroed: looked up on first use
  std::vector<std::string> text;  // per column: the last rendered cell
  std::vector<uint64_t> scratch;
  bool deform = false;    // take rows apart at once (CatalogScan's constructor)
  bool deformed = false;  // values and nulls hold the current row
  std::vector<Datum> values;
  std::unique_ptr<bool[]> nulls;
  Clock::time_point started;
  uint64_t rows = 0;

  // The cell at attnum of the current row.
  Datum cell(int attnum, bool* isnull) {
    if (!deform) return heap_getattr(tuple, attnum, desc, isnull);
    if (!deformed) {
      heap_deform_tuple(tuple, desc, values.data(), nulls.get());
      deformed = true;
    }
    *isnull = nulls[attnum - 1];
    return values[attnum - 1];
  }
};

CatalogScan::CatalogScan(Oid catalog, bool deform) : st_(new State) {
  st_->started = Clock::now();
  State* st = st_.get();
  pg_call([&] {
    st->rel = table_open(catalog, AccessShareLock);
    // The snapshot SPI's read-only queries run in: the caller's.
    Snapshot snap = ActiveSnapshotSet() ? GetActiveSnapshot() : nullptr;
    st->scan = systable_beginscan(st->rel, InvalidOid, false, snap, 0, nullptr);
    st->desc = RelationGetDescr(st->rel);
  });
  const int n = st->desc->natts;
  st->kinds.resize(n);
  st->types.resize(n);
  st->outputs.assign(n, FmgrInfo{});
  st->text.resize(n);
  for (int c = 0; c < n; c++) {
    st->types[c] = TupleDescAttr(st->desc, c)->atttypid;
    st->kinds[c] = copy_kind(st->types[c]);
  }
  st->deform = deform;
  if (deform) {
    st->values.resize(n);
    st->nulls.reset(new bool[n]);
  }
}

CatalogScan::~CatalogScan() {
  boundary::try_postgres(
      [](void* p) {
        State* st = static_cast<State*>(p);
        if (st->scan) systable_endscan(st->scan);
        if (st->rel) table_close(st->rel, AccessShareLock);
      },
      st_.get());
  profile().execute_ms +=
      std::chrono::duration<double, std::milli>(Clock::now() - st_->started).count();
  profile().rows += st_->rows;
}

bool CatalogScan::next() {
  State* st = st_.get();
  st->tuple = pg_call([&] { return systable_getnext(st->scan); });
  st->deformed = false;
  if (!st->tuple) return false;
  st->rows++;
  return true;
}

size_t CatalogScan::estimated_rows() const {
  const float4 n = st_->rel->rd_rel->reltuples;
  return n > 0 ? static_cast<size_t>(n) : 0;
}

const void* CatalogScan::fixed() const {
  return GETSTRUCT(st_->tuple);
}

bool CatalogScan::null(int attnum) const {
  if (st_->deformed) return st_->nulls[attnum - 1];
  return heap_attisnull(st_->tuple, attnum, st_->desc);
}

std::string_view CatalogScan::view(int attnum) {
  State& st = *st_;
  bool isnull = false;
  const Datum d = st.cell(attnum, &isnull);
  if (isnull) return {};
  const int c = attnum - 1;
  return render(d, st.kinds[c], st.types[c], &st.outputs[c], st.text[c], st.scratch);
}

size_t CatalogScan::append_numbers(int attnum, std::vector<int64_t>& out) {
  State& st = *st_;
  bool isnull = false;
  const Datum d = st.cell(attnum, &isnull);
  if (isnull) return 0;
  const Copy kind = st.kinds[attnum - 1];
  const size_t before = out.size();
  if ((kind == Copy::Int2Vector || kind == Copy::OidVector) &&
      !VARATT_IS_EXTENDED(DatumGetPointer(d))) {
    // Stored plain, as catalog vectors are: read in place (as render() prints them).
    if (kind == Copy::Int2Vector) {
      const int2vector* v = reinterpret_cast<const int2vector*>(DatumGetPointer(d));
      for (int k = 0; k < v->dim1; k++) out.push_back(v->values[k]);
    } else {
      const oidvector* v = reinterpret_cast<const oidvector*>(DatumGetPointer(d));
      for (int k = 0; k < v->dim1; k++) out.push_back(v->values[k]);
    }
  } else {
    for (int64_t v : parse_vector(view(attnum))) out.push_back(v);
  }
  return out.size() - before;
}

Rows query(Spi& spi, const std::string& sql) {
  Rows out;
  scan(spi, sql, [&](const Row& row) {
    const int ncols = row.columns();
    if (out.ncols_ == 0) out.ncols_ = ncols;
    for (int c = 0; c < ncols; c++) {
      if (row.null(c)) {
        out.off_.push_back(0);
        out.len_.push_back(-1);
        continue;
      }
      std::string_view v = row.view(c);
      if (out.buf_.size() + v.size() > UINT32_MAX)
        throw Error("pg_squash: catalog query result too large (over 4 GB)");
      out.off_.push_back(static_cast<uint32_t>(out.buf_.size()));
      out.len_.push_back(static_cast<int32_t>(v.size()));
      out.buf_.append(v);
    }
    out.nrows_++;
  });
  return out;
}

}  // namespace squash::catalog
