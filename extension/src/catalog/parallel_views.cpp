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
#include <cstring>

#include "reader.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/parallel.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "storage/proc.h"
#include "storage/shm_mq.h"
#include "storage/shm_toc.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
}

namespace {

constexpr uint64 kKeyNamespaces = 1;  // uint32 count, then the schema OIDs
constexpr uint64 kKeyQueue = 2;
constexpr Size kQueueSize = Size(1) << 20;

// A message: the view's OID, 1 when the definition is NULL, then the text.
struct MessageHead {
  Oid view;
  char isnull;
};

}  // namespace

// The worker's entry point (plain C: no C++ object lives across PostgreSQL calls here; an
// error goes to the leader through the parallel machinery).
extern "C" PGDLLEXPORT void squash_view_worker_main(dsm_segment* seg, shm_toc* toc);

extern "C" void squash_view_worker_main(dsm_segment* seg, shm_toc* toc) {
  const uint32* nsps = static_cast<const uint32*>(shm_toc_lookup(toc, kKeyNamespaces, false));
  shm_mq* mq = static_cast<shm_mq*>(shm_toc_lookup(toc, kKeyQueue, false));
  shm_mq_set_sender(mq, MyProc);
  shm_mq_handle* mqh = shm_mq_attach(mq, seg, nullptr);

  // The views in scope, in pg_class order.
  List* views = NIL;
  {
    Relation rel = table_open(RelationRelationId, AccessShareLock);
    SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, GetActiveSnapshot(), 0, nullptr);
    HeapTuple tuple;
    while ((tuple = systable_getnext(scan)) != nullptr) {
      Form_pg_class c = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple));
      if (c->relkind != RELKIND_VIEW && c->relkind != RELKIND_MATVIEW) continue;
      bool in_scope = false;
      for (uint32 i = 1; i <= nsps[0] && !in_scope; i++) in_scope = nsps[i] == c->relnamespace;
      if (in_scope) views = lappend_oid(views, c->oid);
    }
    systable_endscan(scan);
    table_close(rel, AccessShareLock);
  }

  MemoryContext per_view =
      AllocSetContextCreate(CurrentMemoryContext, "pg_squash view worker", ALLOCSET_DEFAULT_SIZES);
  ListCell* lc;
  foreach (lc, views) {
    MemoryContext old = MemoryContextSwitchTo(per_view);
    const Oid view = lfirst_oid(lc);
    LOCAL_FCINFO(fcinfo, 1);
    InitFunctionCallInfoData(*fcinfo, nullptr, 1, InvalidOid, nullptr, nullptr);
    fcinfo->args[0].value = ObjectIdGetDatum(view);
    fcinfo->args[0].isnull = false;
    Datum d = pg_get_viewdef(fcinfo);
    MessageHead head{view, static_cast<char>(fcinfo->isnull ? 1 : 0)};
    const char* definition = fcinfo->isnull ? "" : text_to_cstring(DatumGetTextPP(d));
    const Size length = strlen(definition);
    char* message = static_cast<char*>(palloc(sizeof(head) + length));
    memcpy(message, &head, sizeof(head));
    memcpy(message + sizeof(head), definition, length);
    shm_mq_result res = shm_mq_send(mqh, sizeof(head) + length, message, false, true);
    MemoryContextSwitchTo(old);
    MemoryContextReset(per_view);
    if (res != SHM_MQ_SUCCESS) break;  // the leader is gone
  }
}

namespace squash::catalog {

struct ViewDefinitions::State {
  ParallelContext* pcxt = nullptr;
  shm_mq_handle* mqh = nullptr;
  bool in_parallel_mode = false;
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
  pg_call([&] {
    EnterParallelMode();
    st->in_parallel_mode = true;
    ParallelContext* pcxt =
        CreateParallelContext("$libdir/pg_squash", "squash_view_worker_main", 1);
    st->pcxt = pcxt;
    const Size nsp_bytes = sizeof(uint32) * (nsps.size() + 1);
    shm_toc_estimate_chunk(&pcxt->estimator, nsp_bytes);
    shm_toc_estimate_chunk(&pcxt->estimator, kQueueSize);
    shm_toc_estimate_keys(&pcxt->estimator, 2);
    InitializeParallelDSM(pcxt);
    if (pcxt->seg == nullptr || pcxt->nworkers == 0) return;  // no dynamic shared memory
    uint32* shared_nsps = static_cast<uint32*>(shm_toc_allocate(pcxt->toc, nsp_bytes));
    shared_nsps[0] = static_cast<uint32>(nsps.size());
    for (size_t i = 0; i < nsps.size(); i++) shared_nsps[i + 1] = nsps[i];
    shm_toc_insert(pcxt->toc, kKeyNamespaces, shared_nsps);
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

bool ViewDefinitions::collect(std::unordered_map<Oid, Value>& out) {
  State* st = st_.get();
  if (!st->mqh) return false;
  struct Received {
    Size nbytes;
    void* data;
    shm_mq_result res;
  };
  for (;;) {
    Received r = pg_call([&] {
      Received m{0, nullptr, SHM_MQ_DETACHED};
      m.res = shm_mq_receive(st->mqh, &m.nbytes, &m.data, false);
      return m;
    });
    if (r.res != SHM_MQ_SUCCESS) break;  // detached: the worker is done (or failed)
    if (r.nbytes < sizeof(MessageHead)) continue;
    MessageHead head;
    memcpy(&head, r.data, sizeof(head));
    if (head.isnull)
      out[head.view] = Value();
    else
      out[head.view] =
          std::string(static_cast<const char*>(r.data) + sizeof(head), r.nbytes - sizeof(head));
  }
  // Raises the worker's error, if it had one.
  pg_call([&] { WaitForParallelWorkersToFinish(st->pcxt); });
  stop();
  return true;
}

}  // namespace squash::catalog
