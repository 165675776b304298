// View definitions from a parallel worker (see reader.hpp, ViewDefinitions).
//
// pg_get_viewdef is the one deparse the reader cannot replace or cache: it opens every
// relation a view reads (AcquireRewriteLocks), which in a fresh backend means building a
// relation cache entry for each, about a sixth of a whole snapshot of a large schema.
// So a parallel worker (PostgreSQL's own parallel machinery: the caller's snapshot,
// transaction, settings and lock group) runs it for every view in scope while the reader
// goes through the other catalogs, and sends the texts back through a message queue.
// Without a worker (none free, max_parallel_workers = 0, already in parallel mode) the
// reader runs the same function itself; the texts are the same either way.
//
// Before the views (needed last), the worker deparses the partial-index predicates,
// CHECKs and defaults in scope, in the reverse of the order the reader needs them, each
// distinct cache key once, as the reader's Deparser would (deparse.cpp), and sends the
// texts with the hash and length of the tree they came from. The reader takes a text
// when it is there (same snapshot, same settings, same function: the same bytes) and
// deparses itself whatever is not; it publishes which kinds it is past, and the worker
// skips those.
#include <cstdlib>
#include <cstring>

#include "reader.hpp"

#include "pg_squash/pg/settings.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/parallel.h"
#include "access/table.h"
#include "access/transam.h"
#include "access/xact.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_index.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "postmaster/bgworker.h"
#include "storage/bufmgr.h"
#include "storage/proc.h"
#include "storage/shm_mq.h"
#include "storage/shm_toc.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

namespace {

constexpr uint64 kKeyNamespaces = 1;  // uint32 count, then the schema OIDs
constexpr uint64 kKeyQueue = 2;
constexpr uint64 kKeyProgress = 3;  // pg_atomic_uint32: bits of the kinds the reader is past
constexpr Size kQueueSize = Size(8) << 20;

constexpr uint8 kMessageView = 0;
constexpr uint8 kMessageExpr = 1;

// A message: what it is, then the text. A view: its OID, isnull when the definition is
// NULL. An expression: its source (expr_source), its tree's hash and length.
struct MessageHead {
  uint8 kind;
  char isnull;
  Oid view;
  uint64 source;
  uint64 tree_hash;
  uint64 tree_length;
  uint64 key_hash;
  uint32 columns;
};

uint32 kind_bit(squash::catalog::ExprSource kind) {
  return uint32(1) << static_cast<uint64_t>(kind);
}

// The worker's state (plain C data).
struct Worker {
  shm_mq_handle* mqh;
  pg_atomic_uint32* progress;
  Oid* rels;  // relations in scope, sorted
  int nrels;
  HTAB* seen;  // hashes of the cache keys already sent
  MemoryContext per_item;
  bool detached;
};

int compare_oids(const void* a, const void* b) {
  const Oid x = *static_cast<const Oid*>(a), y = *static_cast<const Oid*>(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

bool relation_in_scope(const Worker* w, Oid rel) {
  return bsearch(&rel, w->rels, w->nrels, sizeof(Oid), compare_oids) != nullptr;
}

bool send(Worker* w, const MessageHead& head, const char* text, Size length) {
  char* message = static_cast<char*>(palloc(sizeof(head) + length));
  memcpy(message, &head, sizeof(head));
  memcpy(message + sizeof(head), text, length);
  shm_mq_result res = shm_mq_send(w->mqh, sizeof(head) + length, message, false, true);
  if (res != SHM_MQ_SUCCESS) w->detached = true;  // the reader is gone
  return !w->detached;
}

// Deparses one stored expression (a pg_node_tree datum) unless its cache key was sent.
void prepare(Worker* w, uint64 source, Datum tree_datum) {
  MemoryContext old = MemoryContextSwitchTo(w->per_item);
  const char* tree = TextDatumGetCString(tree_datum);
  const Size tree_length = strlen(tree);
  uint32 columns = 0;
  char* key = squash::catalog::worker_rewrite(tree, tree_length, &columns);  // malloc'ed
  if (key != nullptr) {
    const uint64 key_hash = squash::catalog::tree_hash(key);
    char* pkey = pstrdup(key);
    free(key);
    bool found = false;
    hash_search(w->seen, &key_hash, HASH_ENTER, &found);
    if (!found) {
      const char* text = squash::catalog::worker_deparse(pkey);
      MessageHead head{kMessageExpr, 0,        InvalidOid, source, squash::catalog::tree_hash(tree),
                       tree_length,  key_hash, columns};
      send(w, head, text, strlen(text));
    }
  }
  MemoryContextSwitchTo(old);
  MemoryContextReset(w->per_item);
}

bool passed(const Worker* w, squash::catalog::ExprSource kind) {
  return (pg_atomic_read_u32(w->progress) & kind_bit(kind)) != 0;
}

void prepare_predicates(Worker* w) {
  using squash::catalog::ExprSource;
  Relation rel = table_open(IndexRelationId, AccessShareLock);
  SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, GetActiveSnapshot(), 0, nullptr);
  HeapTuple tuple;
  while (!w->detached && !passed(w, ExprSource::kPredicate) &&
         (tuple = systable_getnext(scan)) != nullptr) {
    Form_pg_index i = reinterpret_cast<Form_pg_index>(GETSTRUCT(tuple));
    if (i->indexrelid < FirstNormalObjectId || !relation_in_scope(w, i->indrelid)) continue;
    bool isnull = false;
    Datum d = heap_getattr(tuple, Anum_pg_index_indpred, RelationGetDescr(rel), &isnull);
    if (isnull) continue;
    prepare(w, squash::catalog::expr_source(ExprSource::kPredicate, i->indexrelid), d);
  }
  systable_endscan(scan);
  table_close(rel, AccessShareLock);
}

void prepare_checks(Worker* w) {
  using squash::catalog::ExprSource;
  Relation rel = table_open(ConstraintRelationId, AccessShareLock);
  SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, GetActiveSnapshot(), 0, nullptr);
  HeapTuple tuple;
  while (!w->detached && !passed(w, ExprSource::kCheck) &&
         (tuple = systable_getnext(scan)) != nullptr) {
    Form_pg_constraint k = reinterpret_cast<Form_pg_constraint>(GETSTRUCT(tuple));
    if (k->contype != CONSTRAINT_CHECK || k->conrelid == InvalidOid ||
        !relation_in_scope(w, k->conrelid))
      continue;
    bool isnull = false;
    Datum d = heap_getattr(tuple, Anum_pg_constraint_conbin, RelationGetDescr(rel), &isnull);
    if (isnull) continue;
    prepare(w, squash::catalog::expr_source(ExprSource::kCheck, k->oid), d);
  }
  systable_endscan(scan);
  table_close(rel, AccessShareLock);
}

void prepare_defaults(Worker* w) {
  using squash::catalog::ExprSource;
  Relation rel = table_open(AttrDefaultRelationId, AccessShareLock);
  SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, GetActiveSnapshot(), 0, nullptr);
  HeapTuple tuple;
  while (!w->detached && !passed(w, ExprSource::kDefault) &&
         (tuple = systable_getnext(scan)) != nullptr) {
    Form_pg_attrdef a = reinterpret_cast<Form_pg_attrdef>(GETSTRUCT(tuple));
    if (a->adrelid < FirstNormalObjectId || !relation_in_scope(w, a->adrelid)) continue;
    bool isnull = false;
    Datum d = heap_getattr(tuple, Anum_pg_attrdef_adbin, RelationGetDescr(rel), &isnull);
    if (isnull) continue;
    prepare(w, squash::catalog::expr_source(ExprSource::kDefault, a->adrelid, a->adnum), d);
  }
  systable_endscan(scan);
  table_close(rel, AccessShareLock);
}

}  // namespace

// The worker's entry point (plain C data only: no C++ object lives across PostgreSQL
// calls here; an error goes to the leader through the parallel machinery).
extern "C" PGDLLEXPORT void squash_view_worker_main(dsm_segment* seg, shm_toc* toc);

extern "C" void squash_view_worker_main(dsm_segment* seg, shm_toc* toc) {
  const uint32* nsps = static_cast<const uint32*>(shm_toc_lookup(toc, kKeyNamespaces, false));
  shm_mq* mq = static_cast<shm_mq*>(shm_toc_lookup(toc, kKeyQueue, false));
  Worker w;
  w.progress = static_cast<pg_atomic_uint32*>(shm_toc_lookup(toc, kKeyProgress, false));
  shm_mq_set_sender(mq, MyProc);
  w.mqh = shm_mq_attach(mq, seg, nullptr);
  w.detached = false;

  // The views and relations in scope, in pg_class order.
  List* views = NIL;
  int capacity = 1024;
  w.rels = static_cast<Oid*>(palloc(sizeof(Oid) * capacity));
  w.nrels = 0;
  {
    Relation rel = table_open(RelationRelationId, AccessShareLock);
    SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, GetActiveSnapshot(), 0, nullptr);
    HeapTuple tuple;
    while ((tuple = systable_getnext(scan)) != nullptr) {
      Form_pg_class c = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple));
      bool in_scope = false;
      for (uint32 i = 1; i <= nsps[0] && !in_scope; i++) in_scope = nsps[i] == c->relnamespace;
      if (!in_scope) continue;
      if (w.nrels == capacity) {
        capacity *= 2;
        w.rels = static_cast<Oid*>(repalloc(w.rels, sizeof(Oid) * capacity));
      }
      w.rels[w.nrels++] = c->oid;
      if (c->relkind == RELKIND_VIEW || c->relkind == RELKIND_MATVIEW)
        views = lappend_oid(views, c->oid);
    }
    systable_endscan(scan);
    table_close(rel, AccessShareLock);
  }
  qsort(w.rels, w.nrels, sizeof(Oid), compare_oids);

  w.per_item =
      AllocSetContextCreate(CurrentMemoryContext, "pg_squash view worker", ALLOCSET_DEFAULT_SIZES);
  HASHCTL ctl;
  memset(&ctl, 0, sizeof(ctl));
  ctl.keysize = sizeof(uint64);
  ctl.entrysize = sizeof(uint64);
  ctl.hcxt = CurrentMemoryContext;
  w.seen =
      hash_create("pg_squash expression keys", 1024, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

  prepare_predicates(&w);
  prepare_checks(&w);
  prepare_defaults(&w);

  ListCell* lc;
  foreach (lc, views) {
    if (w.detached) break;
    MemoryContext old = MemoryContextSwitchTo(w.per_item);
    const Oid view = lfirst_oid(lc);
    LOCAL_FCINFO(fcinfo, 1);
    InitFunctionCallInfoData(*fcinfo, nullptr, 1, InvalidOid, nullptr, nullptr);
    fcinfo->args[0].value = ObjectIdGetDatum(view);
    fcinfo->args[0].isnull = false;
    Datum d = pg_get_viewdef(fcinfo);
    MessageHead head{kMessageView, static_cast<char>(fcinfo->isnull ? 1 : 0), view, 0, 0, 0, 0, 0};
    const char* definition = fcinfo->isnull ? "" : text_to_cstring(DatumGetTextPP(d));
    send(&w, head, definition, strlen(definition));
    MemoryContextSwitchTo(old);
    MemoryContextReset(w.per_item);
  }
}

namespace squash::catalog {

namespace {

// pg_class's rows now, estimated as the planner does: its current size in pages times the
// density its last VACUUM or ANALYZE saw.
double pg_class_rows() {
  return pg_call([] {
    ::Relation rel = table_open(RelationRelationId, AccessShareLock);
    const BlockNumber pages = RelationGetNumberOfBlocks(rel);
    const double density = rel->rd_rel->relpages > 0 && rel->rd_rel->reltuples > 0
                               ? rel->rd_rel->reltuples / rel->rd_rel->relpages
                               : double(BLCKSZ) / 270;  // a typical pg_class row
    table_close(rel, AccessShareLock);
    return pages * density;
  });
}

}  // namespace

struct ViewDefinitions::State {
  ParallelContext* pcxt = nullptr;
  shm_mq_handle* mqh = nullptr;
  pg_atomic_uint32* progress = nullptr;
  bool in_parallel_mode = false;
  bool detached = false;  // the worker is done sending
  struct Prepared {
    uint64_t hash = 0;
    uint64_t length = 0;
    PreparedText text;
    bool taken = false;
  };
  // By source; entries are marked taken, not erased (one allocation per growth, not per
  // expression).
  FlatMap<uint64_t, Prepared> prepared;
  std::unordered_map<Oid, Value> views;
};

ViewDefinitions::ViewDefinitions() : st_(new State) {}

ViewDefinitions::~ViewDefinitions() {
  stop();
}

void ViewDefinitions::stop() {
  if (!st_->pcxt && !st_->in_parallel_mode) return;
  boundary::try_postgres(
      [](void* p) {
        State* st = static_cast<State*>(p);
        if (st->pcxt) {
          ParallelContext* pcxt = st->pcxt;
          st->pcxt = nullptr;
          st->mqh = nullptr;
          st->progress = nullptr;
          DestroyParallelContext(pcxt);
        }
        if (st->in_parallel_mode) {
          st->in_parallel_mode = false;
          ExitParallelMode();
        }
      },
      st_.get());
}

void ViewDefinitions::start(const std::vector<Oid>& nsps) {
  State* st = st_.get();
  // Not inside a parallel operation already, and only when workers may run at all.
  if (pg_call([] { return IsInParallelMode() || IsParallelWorker(); })) return;
  if (max_parallel_workers <= 0 || max_worker_processes <= 0) return;
  // A small schema: the reader does everything itself sooner than a new process starts.
  if (const int min = settings::view_worker_min_relations; min > 0) {
    const double rows = pg_class_rows();
    if (rows < min) {
      pg_call([&] {
        elog(DEBUG1,
             "pg_squash: no view worker: pg_class holds about %.0f rows, fewer than "
             "pg_squash.view_worker_min_relations (%d)",
             rows, min);
      });
      return;
    }
  }
  pg_call([&] {
    EnterParallelMode();
    st->in_parallel_mode = true;
    ParallelContext* pcxt =
        CreateParallelContext("$libdir/pg_squash", "squash_view_worker_main", 1);
    st->pcxt = pcxt;
    const Size nsp_bytes = sizeof(uint32) * (nsps.size() + 1);
    shm_toc_estimate_chunk(&pcxt->estimator, nsp_bytes);
    shm_toc_estimate_chunk(&pcxt->estimator, kQueueSize);
    shm_toc_estimate_chunk(&pcxt->estimator, sizeof(pg_atomic_uint32));
    shm_toc_estimate_keys(&pcxt->estimator, 3);
    InitializeParallelDSM(pcxt);
    if (pcxt->seg == nullptr || pcxt->nworkers == 0) return;  // no dynamic shared memory
    uint32* shared_nsps = static_cast<uint32*>(shm_toc_allocate(pcxt->toc, nsp_bytes));
    shared_nsps[0] = static_cast<uint32>(nsps.size());
    for (size_t i = 0; i < nsps.size(); i++) shared_nsps[i + 1] = nsps[i];
    shm_toc_insert(pcxt->toc, kKeyNamespaces, shared_nsps);
    pg_atomic_uint32* progress =
        static_cast<pg_atomic_uint32*>(shm_toc_allocate(pcxt->toc, sizeof(pg_atomic_uint32)));
    pg_atomic_init_u32(progress, 0);
    shm_toc_insert(pcxt->toc, kKeyProgress, progress);
    st->progress = progress;
    shm_mq* mq = shm_mq_create(shm_toc_allocate(pcxt->toc, kQueueSize), kQueueSize);
    shm_toc_insert(pcxt->toc, kKeyQueue, mq);
    shm_mq_set_receiver(mq, MyProc);
    LaunchParallelWorkers(pcxt);
    if (pcxt->nworkers_launched == 0) return;
    st->mqh = shm_mq_attach(mq, pcxt->seg, nullptr);
    shm_mq_set_handle(st->mqh, pcxt->worker[0].bgwhandle);
  });
  if (!st->mqh) stop();  // no worker: the reader computes the definitions itself
}

void ViewDefinitions::passed(ExprSource kind) {
  if (st_->progress) pg_atomic_fetch_or_u32(st_->progress, kind_bit(kind));
}

// Takes one message from the worker (waiting for one when wait); false when there was
// none (or the worker is done).
bool ViewDefinitions::receive(bool wait) {
  State* st = st_.get();
  if (!st->mqh || st->detached) return false;
  struct Received {
    Size nbytes;
    void* data;
    shm_mq_result res;
  };
  Received r = pg_call([&] {
    Received m{0, nullptr, SHM_MQ_DETACHED};
    m.res = shm_mq_receive(st->mqh, &m.nbytes, &m.data, !wait);
    return m;
  });
  if (r.res == SHM_MQ_WOULD_BLOCK) return false;
  if (r.res != SHM_MQ_SUCCESS) {  // detached: the worker is done (or failed)
    st->detached = true;
    return false;
  }
  if (r.nbytes < sizeof(MessageHead)) return true;
  MessageHead head;
  memcpy(&head, r.data, sizeof(head));
  const char* text = static_cast<const char*>(r.data) + sizeof(head);
  const size_t length = r.nbytes - sizeof(head);
  if (head.kind == kMessageView) {
    if (head.isnull)
      st->views[head.view] = Value();
    else
      st->views[head.view] = std::string(text, length);
  } else if (head.kind == kMessageExpr) {
    State::Prepared& p = st->prepared[head.source];
    p.taken = false;
    p.hash = head.tree_hash;
    p.length = head.tree_length;
    p.text.text.assign(text, length);
    p.text.key_hash = head.key_hash;
    p.text.columns = head.columns;
  }
  return true;
}

bool ViewDefinitions::take(uint64_t source, uint64_t hash, size_t length, PreparedText& out) {
  State* st = st_.get();
  if (!st->mqh) return false;
  State::Prepared* p = st->prepared.find(source);
  while (!p) {
    if (!receive(false)) return false;
    p = st->prepared.find(source);
  }
  if (p->taken) return false;
  p->taken = true;
  const bool same = p->hash == hash && p->length == length;
  if (same) out = std::move(p->text);
  p->text.text = std::string();
  return same;
}

bool ViewDefinitions::collect(std::unordered_map<Oid, Value>& out) {
  State* st = st_.get();
  if (!st->mqh) return false;
  // The reader needs no more expressions: the worker goes on to the views.
  passed(ExprSource::kDefault);
  passed(ExprSource::kCheck);
  passed(ExprSource::kPredicate);
  st->prepared = FlatMap<uint64_t, State::Prepared>();
  while (receive(true)) {
    st->prepared = FlatMap<uint64_t, State::Prepared>();
  }
  // Raises the worker's error, if it had one.
  pg_call([&] { WaitForParallelWorkersToFinish(st->pcxt); });
  out.swap(st->views);
  stop();
  return true;
}

}  // namespace squash::catalog
