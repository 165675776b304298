// Data fingerprints (see data_fingerprint.hpp for the hash and the per-type decisions).
//
// The scan loop is plain code with no C++ object that has a destructor: one pg_call per
// table runs it, so a PostgreSQL error (or a cancel) longjmps straight back to pg_call and
// everything it touched is memory-context or resource-owner memory.
//
// A large table is scanned by PostgreSQL's parallel workers and the leader together (a
// parallel heap scan over the call's snapshot); each sums the hashes of the rows it got
// and the leader adds the sums, which gives exactly the serial result.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "pg_squash/data/data_fingerprint.hpp"
#include "pg_squash/pg/guc_scope.hpp"
#include "pg_squash/pg/privileges.hpp"
#include "pg_squash/pg/settings.hpp"
#include "pg_squash/catalog/oid_alias.hpp"
#include "pg_squash/catalog/user_objects.hpp"

// xxHash compiled in (header-only mode): the short-input path is inlined into the loop.
#define XXH_INLINE_ALL
#include <xxhash.h>

extern "C" {
#include "access/parallel.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/transam.h"
#include "catalog/namespace.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/paths.h"
#include "port/atomics.h"
#include "storage/bufmgr.h"
#include "storage/shm_toc.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
}

namespace squash::data {
namespace {

// ---------------------------------------------------------------------------------------
// What the scan loop works on: plain data only.
// ---------------------------------------------------------------------------------------

enum Strategy : uint8 {
  kByValue,   // fixed width, passed by value: the value's bytes, little-endian
  kFixedRef,  // fixed width, by reference (uuid, interval, name, ...): the bytes
  kVarlena,   // detoasted payload bytes
  kCString,   // NUL-terminated bytes
  kArray,     // dimensions, lower bounds, each element
  kOutput,    // the output function's text
};

constexpr uint8 kTagNull = 0;
constexpr uint8 kTagValue = 1;
constexpr uint8 kTagArray = 2;

struct Column {
  uint16 index;    // position among the non-dropped columns (0-based)
  int16 attno;     // 0-based attribute number in the tuple
  uint8 strategy;  // Strategy
  int16 typlen;
  int16 elemlen;  // kArray: the element type's storage
  bool elembyval;
  char elemalign;
  FmgrInfo output;  // kOutput
};

struct ScanState {
  Oid relid;
  Snapshot snapshot;
  MemoryContext call_cxt;  // lives for the call: columns, buffer, hash state
  MemoryContext row_cxt;   // reset after every row
  Column* columns;
  int ncolumns;
  int natts;  // attributes to deform (up to the last non-dropped one)

  uint8* buf;  // the row's encoding; spills into the streaming state when full
  size_t cap;
  size_t len;
  bool streaming;
  XXH3_state_t* xxh;

  bool parallel_unsafe;  // an output function that must not run in a parallel worker
  int workers;           // parallel workers that helped with the last table

  uint64 rows;
  uint64 sum_lo;
  uint64 sum_hi;
};
static_assert(std::is_trivially_destructible_v<ScanState>);
static_assert(std::is_trivially_destructible_v<Column>);

constexpr size_t kBufferSize = 16384;

// ---------------------------------------------------------------------------------------
// Column strategies, decided once per column by type.
// ---------------------------------------------------------------------------------------

// True when a value's binary form may differ between two databases holding the same
// data: it carries OIDs (enums, composites/records, ranges, multiranges, reg*, aclitem)
// or its type is not built in (the binary form is the extension's business).
bool binary_depends_on_database(Oid base) {
  if (is_oid_alias_type(base) || base == ACLITEMOID) return true;
  if (base >= FirstNormalObjectId) return true;
  switch (get_typtype(base)) {
    case TYPTYPE_BASE:
      return false;
    default:  // composite, enum, range, multirange, pseudo (record, anyarray)
      return true;
  }
}

// Runs under pg_call: catalog lookups may ereport.
void prepare_columns(ScanState* s, TupleDesc desc) {
  s->columns = static_cast<Column*>(
      MemoryContextAllocZero(s->call_cxt, sizeof(Column) * Max(desc->natts, 1)));
  s->ncolumns = 0;
  s->natts = 0;
  s->parallel_unsafe = false;
  for (int i = 0; i < desc->natts; i++) {
    Form_pg_attribute attr = TupleDescAttr(desc, i);
    if (attr->attisdropped) continue;
    Column* col = &s->columns[s->ncolumns];
    col->index = static_cast<uint16>(s->ncolumns);
    col->attno = static_cast<int16>(i);
    s->ncolumns++;
    s->natts = i + 1;

    Oid base = getBaseType(attr->atttypid);
    bool byval = false;
    char align = 0;
    get_typlenbyvalalign(base, &col->typlen, &byval, &align);
    Oid elem = get_element_type(base);  // true arrays only (not point, name, ...)
    bool output = false;
    if (OidIsValid(elem)) {
      Oid elem_base = getBaseType(elem);
      if (binary_depends_on_database(elem_base)) {
        output = true;
      } else {
        col->strategy = kArray;
        get_typlenbyvalalign(elem_base, &col->elemlen, &col->elembyval, &col->elemalign);
      }
    } else if (binary_depends_on_database(base)) {
      output = true;
    } else if (byval) {
      col->strategy = kByValue;
    } else if (col->typlen > 0) {
      col->strategy = kFixedRef;
    } else if (col->typlen == -1) {
      col->strategy = kVarlena;
    } else {
      col->strategy = kCString;
    }
    if (output) {
      Oid func = InvalidOid;
      bool varlena = false;
      getTypeOutputInfo(base, &func, &varlena);
      fmgr_info_cxt(func, &col->output, s->call_cxt);
      if (func_parallel(func) != PROPARALLEL_SAFE) s->parallel_unsafe = true;
      col->strategy = kOutput;
    }
  }
}

// ---------------------------------------------------------------------------------------
// The row encoding and the scan loop.
// ---------------------------------------------------------------------------------------

inline void flush(ScanState* s) {
  if (!s->streaming) {
    XXH3_128bits_reset(s->xxh);
    s->streaming = true;
  }
  XXH3_128bits_update(s->xxh, s->buf, s->len);
  s->len = 0;
}

inline void put(ScanState* s, const void* data, size_t n) {
  if (s->len + n > s->cap) {
    flush(s);
    if (n >= s->cap) {
      XXH3_128bits_update(s->xxh, data, n);
      return;
    }
  }
  memcpy(s->buf + s->len, data, n);
  s->len += n;
}

inline void put_u32(uint8* out, uint32 v) {
  out[0] = static_cast<uint8>(v);
  out[1] = static_cast<uint8>(v >> 8);
  out[2] = static_cast<uint8>(v >> 16);
  out[3] = static_cast<uint8>(v >> 24);
}

// index (2 bytes) and tag.
inline void put_start(ScanState* s, uint16 index, uint8 tag) {
  uint8 h[3] = {static_cast<uint8>(index), static_cast<uint8>(index >> 8), tag};
  put(s, h, sizeof h);
}

// A value: its length and bytes (after put_start, or as an array element after a tag).
inline void put_bytes(ScanState* s, const void* data, uint32 n) {
  uint8 h[4];
  put_u32(h, n);
  put(s, h, sizeof h);
  put(s, data, n);
}

// Room for n (at most kBufferSize) more bytes at the end of the buffer.
inline uint8* reserve(ScanState* s, size_t n) {
  if (s->len + n > s->cap) flush(s);
  return s->buf + s->len;
}

// put_start(index, kTagValue) and put_bytes' length in one write.
inline void put_value_head(ScanState* s, uint16 index, uint32 n) {
  uint8* out = reserve(s, 7);
  out[0] = static_cast<uint8>(index);
  out[1] = static_cast<uint8>(index >> 8);
  out[2] = kTagValue;
  put_u32(out + 3, n);
  s->len += 7;
}

// put_start(index, kTagValue) and put_by_value in one write.
inline void put_by_value_column(ScanState* s, uint16 index, Datum value, int16 typlen) {
  uint8* out = reserve(s, 15);
  out[0] = static_cast<uint8>(index);
  out[1] = static_cast<uint8>(index >> 8);
  out[2] = kTagValue;
  put_u32(out + 3, static_cast<uint32>(typlen));
  const uint64 v = static_cast<uint64>(value);
  for (int i = 0; i < 8; i++) out[7 + i] = static_cast<uint8>(v >> (8 * i));
  s->len += 7 + static_cast<size_t>(typlen);
}

// A by-value Datum of typlen bytes, little-endian.
inline void put_by_value(ScanState* s, Datum value, int16 typlen) {
  uint64 v = static_cast<uint64>(value);
  uint8 bytes[8];
  for (int i = 0; i < 8; i++) bytes[i] = static_cast<uint8>(v >> (8 * i));
  put_bytes(s, bytes, static_cast<uint32>(typlen));
}

void put_array(ScanState* s, const Column* col, Datum value) {
  // Fully detoasted and aligned (a short-header array would be copied here).
  ArrayType* array = DatumGetArrayTypeP(value);
  const int ndim = ARR_NDIM(array);
  const int* dims = ARR_DIMS(array);
  const int* lbounds = ARR_LBOUND(array);
  uint8 word[4];
  put_u32(word, static_cast<uint32>(ndim));
  put(s, word, sizeof word);
  for (int d = 0; d < ndim; d++) {
    put_u32(word, static_cast<uint32>(dims[d]));
    put(s, word, sizeof word);
    put_u32(word, static_cast<uint32>(lbounds[d]));
    put(s, word, sizeof word);
  }
  const int nitems = ArrayGetNItems(ndim, dims);
  const bits8* nulls = ARR_NULLBITMAP(array);
  const char* p = ARR_DATA_PTR(array);
  const uint8 null_tag = kTagNull, value_tag = kTagValue;
  for (int i = 0; i < nitems; i++) {
    if (nulls && !(nulls[i >> 3] & (1 << (i & 7)))) {
      put(s, &null_tag, 1);
      continue;
    }
    put(s, &value_tag, 1);
    if (col->elembyval) {
      put_by_value(s, fetch_att(p, true, col->elemlen), col->elemlen);
    } else if (col->elemlen > 0) {
      put_bytes(s, p, static_cast<uint32>(col->elemlen));
    } else if (col->elemlen == -1) {
      put_bytes(s, VARDATA_ANY(p), static_cast<uint32>(VARSIZE_ANY_EXHDR(p)));
    } else {
      put_bytes(s, p, static_cast<uint32>(strlen(p)));
    }
    p = att_addlength_pointer(p, col->elemlen, p);
    p = reinterpret_cast<const char*>(att_align_nominal(p, col->elemalign));
  }
  if (reinterpret_cast<Pointer>(array) != DatumGetPointer(value)) pfree(array);
}

inline void hash_row(ScanState* s, const Datum* values, const bool* isnull) {
  for (int c = 0; c < s->ncolumns; c++) {
    const Column* col = &s->columns[c];
    const int a = col->attno;
    if (isnull[a]) {
      put_start(s, col->index, kTagNull);
      continue;
    }
    const Datum value = values[a];
    switch (col->strategy) {
      case kByValue:
        put_by_value_column(s, col->index, value, col->typlen);
        break;
      case kFixedRef:
        put_value_head(s, col->index, static_cast<uint32>(col->typlen));
        put(s, DatumGetPointer(value), static_cast<size_t>(col->typlen));
        break;
      case kVarlena: {
        struct varlena* raw = reinterpret_cast<struct varlena*>(DatumGetPointer(value));
        // Inline or short-header values are used in place; only TOAST pointers and
        // compressed values are detoasted (into the row context, freed at once).
        struct varlena* v = (VARATT_IS_EXTERNAL(raw) || VARATT_IS_COMPRESSED(raw))
                                ? pg_detoast_datum_packed(raw)
                                : raw;
        const uint32 n = static_cast<uint32>(VARSIZE_ANY_EXHDR(v));
        put_value_head(s, col->index, n);
        put(s, VARDATA_ANY(v), n);
        if (v != raw) pfree(v);
        break;
      }
      case kCString: {
        put_start(s, col->index, kTagValue);
        const char* str = DatumGetCString(value);
        put_bytes(s, str, static_cast<uint32>(strlen(str)));
        break;
      }
      case kArray:
        put_start(s, col->index, kTagArray);
        put_array(s, col, value);
        break;
      default: {  // kOutput: allocations go to the row context, reset after the row
        put_start(s, col->index, kTagValue);
        char* text = OutputFunctionCall(const_cast<FmgrInfo*>(&col->output), value);
        put_bytes(s, text, static_cast<uint32>(strlen(text)));
        break;
      }
    }
  }
  XXH128_hash_t h;
  if (s->streaming) {
    if (s->len > 0) XXH3_128bits_update(s->xxh, s->buf, s->len);
    h = XXH3_128bits_digest(s->xxh);
    s->streaming = false;
  } else {
    h = XXH3_128bits(s->buf, s->len);
  }
  s->len = 0;
  s->sum_lo += h.low64;
  s->sum_hi += h.high64 + (s->sum_lo < h.low64 ? 1 : 0);
  s->rows++;
}

// Hashes every row the scan returns into s, then ends the scan.
void scan_rows(ScanState* s, Relation rel, TableScanDesc scan) {
  TupleTableSlot* slot = table_slot_create(rel, nullptr);
  MemoryContext outer = MemoryContextSwitchTo(s->row_cxt);
  while (table_scan_getnextslot(scan, ForwardScanDirection, slot)) {
    CHECK_FOR_INTERRUPTS();
    slot_getsomeattrs(slot, s->natts);
    hash_row(s, slot->tts_values, slot->tts_isnull);
    MemoryContextReset(s->row_cxt);
  }
  MemoryContextSwitchTo(outer);
  ExecDropSingleTupleTableSlot(slot);
  table_endscan(scan);
}

// A scan state with its buffers in cxt (a child context holds each row's allocations).
ScanState* new_scan_state(MemoryContext cxt) {
  auto* st = static_cast<ScanState*>(MemoryContextAllocZero(cxt, sizeof(ScanState)));
  st->call_cxt = cxt;
  st->row_cxt =
      AllocSetContextCreate(cxt, "pg_squash data fingerprint row", ALLOCSET_DEFAULT_SIZES);
  st->cap = kBufferSize;
  st->buf = static_cast<uint8*>(MemoryContextAlloc(cxt, kBufferSize));
  // XXH3_state_t wants 64-byte alignment.
  void* raw = MemoryContextAlloc(cxt, sizeof(XXH3_state_t) + 64);
  st->xxh = reinterpret_cast<XXH3_state_t*>(TYPEALIGN(64, raw));
  return st;
}

inline void add_sum(ScanState* s, uint64 lo, uint64 hi) {
  s->sum_lo += lo;
  s->sum_hi += hi + (s->sum_lo < lo ? 1 : 0);
}

// What a parallel worker reports: its share of the rows.
struct Partial {
  uint64 rows;
  uint64 sum_lo;
  uint64 sum_hi;
  bool done;
};
struct SharedScan {
  Oid relid;
  int nworkers;
  Partial partial[FLEXIBLE_ARRAY_MEMBER];  // by ParallelWorkerNumber
};
constexpr uint64 kKeyShared = UINT64CONST(0x5351554153484401);
constexpr uint64 kKeyScan = UINT64CONST(0x5351554153484402);

// The parallel context of the table being scanned, for the caller to clean up after an
// error (ParallelCleanup).
struct ParallelRun {
  ParallelContext* pcxt;
  bool in_parallel_mode;
};

// Workers for a table, as the planner would plan a parallel sequential scan of it: none
// below min_parallel_table_scan_size, one more each time the table triples, the table's
// parallel_workers option first, at most max_parallel_workers_per_gather.
int plan_workers(Relation rel, const ScanState* s) {
  if (!IsUnderPostmaster || IsInParallelMode() || IsParallelWorker() || !ActiveSnapshotSet())
    return 0;
  if (max_parallel_workers_per_gather <= 0 || s->parallel_unsafe) return 0;
  if (RelationUsesLocalBuffers(rel)) return 0;  // temporary: workers cannot read it
  int workers = RelationGetParallelWorkers(rel, -1);
  if (workers < 0) {
    const double pages = RelationGetNumberOfBlocks(rel);
    double threshold = Max(min_parallel_table_scan_size, 1);
    if (pages < threshold) return 0;
    workers = 1;
    while (pages >= threshold * 3) {
      workers++;
      threshold *= 3;
    }
  }
  return Min(workers, max_parallel_workers_per_gather);
}

// Scans with nworkers parallel workers (the leader takes part as Gather would); adds the
// workers' sums to the leader's.
void scan_parallel(ScanState* s, Relation rel, int nworkers, ParallelRun* run) {
  EnterParallelMode();
  run->in_parallel_mode = true;
  ParallelContext* pcxt =
      CreateParallelContext("$libdir/pg_squash", "squash_data_fingerprint_worker", nworkers);
  run->pcxt = pcxt;
  const Size shared_size =
      add_size(offsetof(SharedScan, partial), mul_size(nworkers, sizeof(Partial)));
  const Size scan_size = table_parallelscan_estimate(rel, s->snapshot);
  shm_toc_estimate_chunk(&pcxt->estimator, shared_size);
  shm_toc_estimate_chunk(&pcxt->estimator, scan_size);
  shm_toc_estimate_keys(&pcxt->estimator, 2);
  InitializeParallelDSM(pcxt);  // without shared memory: no workers, the leader scans
  auto* shared = static_cast<SharedScan*>(shm_toc_allocate(pcxt->toc, shared_size));
  memset(shared, 0, shared_size);
  shared->relid = s->relid;
  shared->nworkers = nworkers;
  auto* pscan = static_cast<ParallelTableScanDesc>(shm_toc_allocate(pcxt->toc, scan_size));
  table_parallelscan_initialize(rel, pscan, s->snapshot);
  shm_toc_insert(pcxt->toc, kKeyShared, shared);
  shm_toc_insert(pcxt->toc, kKeyScan, pscan);
  LaunchParallelWorkers(pcxt);
  const int launched = pcxt->nworkers_launched;
  if (parallel_leader_participation || launched == 0)
    scan_rows(s, rel, table_beginscan_parallel(rel, pscan));
  WaitForParallelWorkersToFinish(pcxt);
  pg_read_barrier();
  for (int i = 0; i < launched; i++) {
    const Partial* p = &shared->partial[i];
    if (!p->done) elog(ERROR, "pg_squash: parallel worker %d did not report its rows", i);
    s->rows += p->rows;
    add_sum(s, p->sum_lo, p->sum_hi);
  }
  s->workers = launched;
  run->pcxt = nullptr;
  DestroyParallelContext(pcxt);
  run->in_parallel_mode = false;
  ExitParallelMode();
}

// The whole scan of one table; run through a single pg_call.
void scan_table(ScanState* s, ParallelRun* run) {
  Relation rel = table_open(s->relid, NoLock);  // locked since before the snapshot
  prepare_columns(s, RelationGetDescr(rel));
  s->workers = 0;
  const int nworkers = plan_workers(rel, s);
  if (nworkers > 0)
    scan_parallel(s, rel, nworkers, run);
  else
    scan_rows(s, rel, table_beginscan(rel, s->snapshot, 0, nullptr));
  elog(DEBUG1, "pg_squash: data fingerprint of %s: %d parallel workers planned, %d launched",
       RelationGetRelationName(rel), nworkers, s->workers);
  table_close(rel, NoLock);
}

// ---------------------------------------------------------------------------------------
// Around the loop: which tables, locks and privileges, the snapshot, memory.
// ---------------------------------------------------------------------------------------

// A memory context for the call, deleted on the way out (also on error).
class CallMemory {
 public:
  CallMemory()
      : cxt_(pg_call([] {
          return AllocSetContextCreate(CurrentMemoryContext, "pg_squash data fingerprint",
                                       ALLOCSET_DEFAULT_SIZES);
        })) {}
  ~CallMemory() {
    boundary::try_postgres([](void* c) { MemoryContextDelete(static_cast<MemoryContext>(c)); },
                           cxt_);
  }
  CallMemory(const CallMemory&) = delete;
  CallMemory& operator=(const CallMemory&) = delete;
  MemoryContext get() const { return cxt_; }

 private:
  MemoryContext cxt_;
};

// Ends the parallel operation scan_parallel() left behind when it failed.
class ParallelCleanup {
 public:
  ParallelCleanup() = default;
  ~ParallelCleanup() {
    if (!run.pcxt && !run.in_parallel_mode) return;
    boundary::try_postgres(
        [](void* p) {
          auto* r = static_cast<ParallelRun*>(p);
          if (r->pcxt) {
            ParallelContext* pcxt = r->pcxt;
            r->pcxt = nullptr;
            DestroyParallelContext(pcxt);
          }
          if (r->in_parallel_mode) {
            r->in_parallel_mode = false;
            ExitParallelMode();
          }
        },
        &run);
  }
  ParallelCleanup(const ParallelCleanup&) = delete;
  ParallelCleanup& operator=(const ParallelCleanup&) = delete;
  ParallelRun run{};
};

// The one MVCC snapshot every table is read with, registered for the call.
class RegisteredSnapshot {
 public:
  RegisteredSnapshot()
      : snap_(pg_call([] { return RegisterSnapshot(GetTransactionSnapshot()); })) {}
  ~RegisteredSnapshot() {
    boundary::try_postgres([](void* s) { UnregisterSnapshot(static_cast<Snapshot>(s)); }, snap_);
  }
  RegisteredSnapshot(const RegisteredSnapshot&) = delete;
  RegisteredSnapshot& operator=(const RegisteredSnapshot&) = delete;
  Snapshot get() const { return snap_; }

 private:
  Snapshot snap_;
};

struct Target {
  Oid relid;
  std::string relation;
  Oid owner;  // values are read (output functions, detoasting) as this role
};

// Every table in scope when no list is given, in OID order (the order they are locked in).
std::vector<Oid> every_user_table(Spi& spi) {
  const QualifiedName version_table = settings::version_table_name();
  QueryResult r = spi.query(
      "SELECT c.oid::pg_catalog.text, n.nspname::pg_catalog.text, c.relname::pg_catalog.text"
      "  FROM pg_catalog.pg_class c"
      "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      " WHERE c.relkind = 'r' AND c.relpersistence <> 't' AND" +
      std::string(kUserRelationSql) + " ORDER BY c.oid");
  std::vector<Oid> oids;
  oids.reserve(r.rows.size());
  for (const Row& row : r.rows)
    if (!is_version_table(*row[1], *row[2], version_table.schema, version_table.name))
      oids.push_back(static_cast<Oid>(std::stoul(*row[0])));
  return oids;
}

struct Opened {
  bool exists;
  char relkind;
  bool populated;
  bool select_ok;
  bool rls;
  bool other_temp;  // another session's temporary table: its rows are in that session
  Oid nspid;
  Oid owner;
  ObjectType objtype;
  const char* relname;  // palloc'd copy
};

// Locks relid with AccessShareLock and reads what the checks need.
Opened open_and_lock(Oid relid) {
  return pg_call([relid] {
    Opened o{};
    Relation rel = try_relation_open(relid, AccessShareLock);
    if (!rel) return o;
    o.exists = true;
    o.relkind = rel->rd_rel->relkind;
    o.populated = RelationIsPopulated(rel);
    o.other_temp = RELATION_IS_OTHER_TEMP(rel);
    o.nspid = RelationGetNamespace(rel);
    o.owner = rel->rd_rel->relowner;
    o.relname = pstrdup(RelationGetRelationName(rel));
    o.objtype = get_relkind_objtype(o.relkind);
    relation_close(rel, NoLock);  // the lock stays until the transaction ends
    if (o.relkind == RELKIND_RELATION || o.relkind == RELKIND_MATVIEW ||
        o.relkind == RELKIND_PARTITIONED_TABLE) {
      o.select_ok = pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK;
      o.rls = check_enable_rls(relid, InvalidOid, true) == RLS_ENABLED;
    }
    return o;
  });
}

std::string qualified_name(Oid nspid, const char* relname) {
  const char* nsp = pg_call([nspid] { return get_namespace_name(nspid); });
  return quote_ident(nsp ? nsp : "?") + "." + quote_ident(relname);
}

// Adds relid to targets after the checks a SELECT would make. `explicit_request`: the
// caller named it. A partitioned table named by the caller stands for its leaf
// partitions; privileges and row-level security are checked on it, as a SELECT from it
// would (`checked` then skips the checks for the leaves).
void add_target(std::vector<Target>& targets, Oid relid, bool explicit_request,
                bool checked = false) {
  Opened o = open_and_lock(relid);
  if (!o.exists) {
    if (!explicit_request) return;  // dropped since it was listed
    throw Error("pg_squash: relation with OID " + std::to_string(relid) + " does not exist",
                ERRCODE_UNDEFINED_TABLE);
  }
  std::string name = qualified_name(o.nspid, o.relname);
  const bool partitioned = o.relkind == RELKIND_PARTITIONED_TABLE && explicit_request;
  if (o.relkind != RELKIND_RELATION && o.relkind != RELKIND_MATVIEW && !partitioned)
    throw Error("pg_squash: " + name + " is not a table", ERRCODE_WRONG_OBJECT_TYPE, "",
                "Data fingerprints cover tables, partitioned tables (as their partitions) and "
                "materialized views.");
  if (o.other_temp)
    throw Error("pg_squash: cannot access temporary tables of other sessions",
                ERRCODE_FEATURE_NOT_SUPPORTED);
  if (!checked) {
    if (!o.select_ok) pg_call([&] { aclcheck_error(ACLCHECK_NO_PRIV, o.objtype, o.relname); });
    if (o.rls)
      throw Error("pg_squash: row-level security applies to " + name + " for the current role",
                  ERRCODE_INSUFFICIENT_PRIVILEGE,
                  "A fingerprint of the rows the policies show would not cover the table.",
                  "Run it as the table owner, a superuser, or a role with BYPASSRLS.");
  }
  if (partitioned) {
    // The leaves hold the rows; each is reported on its own, as in the default scope.
    List* all = pg_call([relid] { return find_all_inheritors(relid, AccessShareLock, nullptr); });
    std::vector<Oid> leaves;
    for (int i = 0; i < list_length(all); i++) {
      Oid child = list_nth_oid(all, i);
      if (pg_call([child] { return get_rel_relkind(child); }) == RELKIND_RELATION)
        leaves.push_back(child);
    }
    for (Oid leaf : leaves) add_target(targets, leaf, false, true);
    return;
  }
  if (!o.populated)
    throw Error("pg_squash: materialized view " + name + " has not been populated",
                ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE, "",
                "Use the REFRESH MATERIALIZED VIEW command.");
  targets.push_back({relid, std::move(name), o.owner});
}

std::string to_hex(const XXH128_hash_t& h) {
  XXH128_canonical_t canon;
  XXH128_canonicalFromHash(&canon, h);
  static const char kDigits[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 0; i < 16; i++) {
    out[2 * i] = kDigits[canon.digest[i] >> 4];
    out[2 * i + 1] = kDigits[canon.digest[i] & 15];
  }
  return out;
}

// Count and multiset sum -> the table's hash.
std::string table_hash(uint64 rows, uint64 sum_lo, uint64 sum_hi) {
  uint8 bytes[24];
  for (int i = 0; i < 8; i++) {
    bytes[i] = static_cast<uint8>(rows >> (8 * i));
    bytes[8 + i] = static_cast<uint8>(sum_lo >> (8 * i));
    bytes[16 + i] = static_cast<uint8>(sum_hi >> (8 * i));
  }
  return to_hex(XXH3_128bits(bytes, sizeof bytes));
}

}  // namespace

std::vector<TableFingerprint> fingerprint_tables(Spi& spi,
                                                 const std::optional<std::vector<Oid>>& tables) {
  // Output functions (composites, enums in arrays, ranges, ...) give the same text for the
  // same value in every session.
  GucScope guc;
  pin_output_settings(guc);

  // Lock first (in OID order), then take the snapshot: as a SELECT does.
  std::vector<Oid> oids = tables ? *tables : every_user_table(spi);
  std::sort(oids.begin(), oids.end());
  oids.erase(std::unique(oids.begin(), oids.end()), oids.end());
  std::vector<Target> targets;
  for (Oid relid : oids) add_target(targets, relid, tables.has_value());
  std::sort(targets.begin(), targets.end(),
            [](const Target& a, const Target& b) { return a.relid < b.relid; });
  targets.erase(std::unique(targets.begin(), targets.end(),
                            [](const Target& a, const Target& b) { return a.relid == b.relid; }),
                targets.end());

  CallMemory memory;
  RegisteredSnapshot snapshot;
  ScanState* s = pg_call([&memory] { return new_scan_state(memory.get()); });

  std::vector<TableFingerprint> out;
  out.reserve(targets.size());
  for (const Target& t : targets) {
    s->relid = t.relid;
    s->snapshot = snapshot.get();
    s->len = 0;
    s->streaming = false;
    s->rows = s->sum_lo = s->sum_hi = 0;
    {
      AsOwner as(t.owner);  // workers inherit the user and the pinned settings
      ParallelCleanup parallel;
      pg_call([s, &parallel] { scan_table(s, &parallel.run); });
    }
    out.push_back(
        {t.relation, static_cast<int64>(s->rows), table_hash(s->rows, s->sum_lo, s->sum_hi)});
  }
  std::sort(out.begin(), out.end(), [](const TableFingerprint& a, const TableFingerprint& b) {
    return a.relation < b.relation;
  });
  return out;
}

}  // namespace squash::data

// A parallel worker's share of one table (scan_parallel). Plain code: an error goes to
// the leader through the parallel machinery.
extern "C" PGDLLEXPORT void squash_data_fingerprint_worker(dsm_segment* seg, shm_toc* toc);

extern "C" void squash_data_fingerprint_worker(dsm_segment*, shm_toc* toc) {
  using namespace squash::data;
  auto* shared = static_cast<SharedScan*>(shm_toc_lookup(toc, kKeyShared, false));
  auto* pscan = static_cast<ParallelTableScanDesc>(shm_toc_lookup(toc, kKeyScan, false));
  if (ParallelWorkerNumber < 0 || ParallelWorkerNumber >= shared->nworkers)
    elog(ERROR, "pg_squash: unexpected parallel worker number %d", ParallelWorkerNumber);
  MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "pg_squash data fingerprint",
                                            ALLOCSET_DEFAULT_SIZES);
  ScanState* s = new_scan_state(cxt);
  s->relid = shared->relid;
  Relation rel = table_open(s->relid, AccessShareLock);
  prepare_columns(s, RelationGetDescr(rel));
  scan_rows(s, rel, table_beginscan_parallel(rel, pscan));
  table_close(rel, AccessShareLock);
  Partial* p = &shared->partial[ParallelWorkerNumber];
  p->rows = s->rows;
  p->sum_lo = s->sum_lo;
  p->sum_hi = s->sum_hi;
  pg_write_barrier();
  p->done = true;
  MemoryContextDelete(cxt);
}
