// The boundary's two halves: turning C++ exceptions into ERRORs, and PostgreSQL errors
// into C++ exceptions. See boundary.hpp for the rules.
#include <cstdio>
#include <cstring>
#include <new>

#include "pg_squash/pg/boundary.hpp"

extern "C" {
#include "utils/memutils.h"
}

namespace squash {

const char* PgError::what() const noexcept {
  return data_ && data_->message ? data_->message : "PostgreSQL error";
}

namespace boundary {

static void copy_text(char* dst, size_t size, const char* src) noexcept {
  if (!src) src = "";
  size_t n = strlen(src);
  if (n >= size) {
    // Truncate on a UTF-8 character boundary and say so.
    static const char kMore[] = " ...";
    n = size - sizeof(kMore);
    while (n > 0 && (static_cast<unsigned char>(src[n]) & 0xC0) == 0x80) n--;
    memcpy(dst, src, n);
    memcpy(dst + n, kMore, sizeof(kMore));
  } else {
    memcpy(dst, src, n + 1);
  }
}

void capture(PendingError& out, const std::exception* e) noexcept {
  out.pg = nullptr;
  out.sqlstate = ERRCODE_INTERNAL_ERROR;
  out.message[0] = out.detail[0] = out.hint[0] = '\0';
  if (const auto* pg = dynamic_cast<const PgError*>(e); pg && pg->data()) {
    out.pg = pg->data();
    return;
  }
  if (const auto* own = dynamic_cast<const Error*>(e)) {
    out.sqlstate = own->sqlstate();
    copy_text(out.message, sizeof out.message, own->what());
    copy_text(out.detail, sizeof out.detail, own->detail().c_str());
    copy_text(out.hint, sizeof out.hint, own->hint().c_str());
    return;
  }
  if (dynamic_cast<const std::bad_alloc*>(e)) {
    out.sqlstate = ERRCODE_OUT_OF_MEMORY;
    copy_text(out.message, sizeof out.message, "pg_squash: out of memory");
    return;
  }
  char buf[sizeof out.message];
  snprintf(buf, sizeof buf, "pg_squash: internal error: %s",
           e ? e->what() : "unknown C++ exception");
  copy_text(out.message, sizeof out.message, buf);
}

void raise(const PendingError& err) {
  if (err.pg) ReThrowError(err.pg);
  ereport(ERROR, (errcode(err.sqlstate), errmsg("%s", err.message),
                  err.detail[0] ? errdetail("%s", err.detail) : 0,
                  err.hint[0] ? errhint("%s", err.hint) : 0));
  pg_unreachable();
}

namespace {
MemoryContext current_call_context = nullptr;  // backends are single-threaded
}  // namespace

MemoryContext call_context() noexcept {
  return current_call_context;
}

CallContextScope::CallContextScope() noexcept : previous_(current_call_context) {
  current_call_context = CurrentMemoryContext;
}

CallContextScope::~CallContextScope() {
  current_call_context = previous_;
}

ErrorData* try_postgres(void (*fn)(void*), void* arg) noexcept {
  MemoryContext caller = CurrentMemoryContext;
  ErrorData* volatile caught = nullptr;
  PG_TRY();
  { fn(arg); }
  PG_CATCH();
  {
    MemoryContextSwitchTo(caller);
    caught = CopyErrorData();
    FlushErrorState();
  }
  PG_END_TRY();
  return caught;
}

}  // namespace boundary
}  // namespace squash
