// Subtransaction (see subtransaction.hpp).
#include "pg_squash/pg/subtransaction.hpp"

extern "C" {
#include "access/xact.h"
#include "utils/resowner.h"
}

namespace squash {

Subtransaction::Subtransaction() : context_(CurrentMemoryContext), owner_(CurrentResourceOwner) {
  pg_call([] { BeginInternalSubTransaction(nullptr); });
  open_ = true;
  MemoryContextSwitchTo(context_);
}

void Subtransaction::restore() noexcept {
  MemoryContextSwitchTo(context_);
  CurrentResourceOwner = owner_;
}

void Subtransaction::commit() {
  pg_call([] { ReleaseCurrentSubTransaction(); });
  open_ = false;
  restore();
}

Subtransaction::~Subtransaction() {
  if (!open_) return;
  MemoryContextSwitchTo(context_);
  boundary::try_postgres([](void*) { RollbackAndReleaseCurrentSubTransaction(); }, nullptr);
  restore();
}

}  // namespace squash
