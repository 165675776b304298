// The C++ / PostgreSQL boundary: the only two ways across it.
//
// 1. SQL -> C++: every SQL-callable function is declared with SQUASH_FUNCTION. Its C++
//    body may throw; the extern "C" guard catches everything and raises ERROR only after
//    every C++ destructor has run.
// 2. C++ -> PostgreSQL: a PostgreSQL call that can ereport while C++ objects are alive
//    goes through pg_call(). A PostgreSQL error becomes squash::PgError (the original
//    ErrorData, SQLSTATE and all) and unwinds like any C++ exception.
//
// Rules: never throw inside pg_call's callable; never let a bare ereport run while an
// object with a destructor is alive; raise pg_squash's own errors with squash::Error.
#pragma once

// C++ standard headers first: port.h turns snprintf & co. into macros.
#include <cstddef>
#include <exception>
#include <string>
#include <type_traits>
#include <utility>

extern "C" {
#include "postgres.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/elog.h"
}

namespace squash {

// A PostgreSQL error caught by pg_call(). The ErrorData lives in the memory context that
// was current at the call; the guard hands it back to PostgreSQL unchanged.
class PgError : public std::exception {
 public:
  explicit PgError(ErrorData* data) noexcept : data_(data) {}
  const char* what() const noexcept override;
  ErrorData* data() const noexcept { return data_; }
  int sqlstate() const noexcept { return data_ ? data_->sqlerrcode : 0; }

 private:
  ErrorData* data_;
};

// An error pg_squash raises itself; becomes an ordinary ERROR with these fields.
class Error : public std::exception {
 public:
  explicit Error(std::string message, int sqlstate = ERRCODE_INTERNAL_ERROR,
                 std::string detail = {}, std::string hint = {})
      : sqlstate_(sqlstate),
        message_(std::move(message)),
        detail_(std::move(detail)),
        hint_(std::move(hint)) {}
  const char* what() const noexcept override { return message_.c_str(); }
  int sqlstate() const noexcept { return sqlstate_; }
  const std::string& detail() const noexcept { return detail_; }
  const std::string& hint() const noexcept { return hint_; }

 private:
  int sqlstate_;
  std::string message_, detail_, hint_;
};

namespace boundary {

// Where the guard keeps an error between the catch block and ereport: plain storage,
// no destructor, so nothing is skipped when ereport longjmps out.
struct PendingError {
  ErrorData* pg = nullptr;
  int sqlstate = 0;
  char message[1024];
  char detail[8192];
  char hint[1024];
};

void capture(PendingError& out, const std::exception* e) noexcept;
[[noreturn]] void raise(const PendingError& err);

// Runs fn(arg) under PG_TRY; returns the copied ErrorData on a PostgreSQL error, else null.
ErrorData* try_postgres(void (*fn)(void*), void* arg) noexcept;

// The memory context that was current when the running SQUASH_FUNCTION was entered (null
// outside one). A result Datum is made there: made in a context an SPI connection or a
// reader switched to, it would be freed before the caller reads it.
MemoryContext call_context() noexcept;

// Sets call_context() for one call; nests. Trivial to destroy, and always destroyed before
// the guard raises (no longjmp crosses it).
class CallContextScope {
 public:
  CallContextScope() noexcept;
  ~CallContextScope();
  CallContextScope(const CallContextScope&) = delete;
  CallContextScope& operator=(const CallContextScope&) = delete;

 private:
  MemoryContext previous_;
};

}  // namespace boundary

// Calls f() (a PostgreSQL call, or a few of them) so that an ereport becomes PgError.
// f should not throw; if it does, the exception is carried out of PG_TRY and rethrown.
template <typename F>
auto pg_call(F&& f) -> decltype(f()) {
  using R = decltype(f());
  using Fn = std::remove_reference_t<F>;
  if constexpr (std::is_void_v<R>) {
    struct Slot {
      Fn* f;
      std::exception_ptr thrown;
    } slot{&f, nullptr};
    auto trampoline = [](void* p) {
      auto* s = static_cast<Slot*>(p);
      try {
        (*s->f)();
      } catch (...) {
        s->thrown = std::current_exception();
      }
    };
    if (ErrorData* e = boundary::try_postgres(trampoline, &slot)) throw PgError(e);
    if (slot.thrown) std::rethrow_exception(slot.thrown);
  } else {
    static_assert(std::is_trivially_destructible_v<R>,
                  "pg_call returns only PostgreSQL values (Datum, pointers, scalars)");
    struct Slot {
      Fn* f;
      R result;
      std::exception_ptr thrown;
    } slot{&f, R{}, nullptr};
    auto trampoline = [](void* p) {
      auto* s = static_cast<Slot*>(p);
      try {
        s->result = (*s->f)();
      } catch (...) {
        s->thrown = std::current_exception();
      }
    };
    if (ErrorData* e = boundary::try_postgres(trampoline, &slot)) throw PgError(e);
    if (slot.thrown) std::rethrow_exception(slot.thrown);
    return slot.result;
  }
}

// CHECK_FOR_INTERRUPTS for C++ loops: a cancel arrives as PgError.
inline void check_interrupts() {
  if (INTERRUPTS_PENDING_CONDITION()) pg_call([] { CHECK_FOR_INTERRUPTS(); });
}

// The guard behind SQUASH_FUNCTION.
template <Datum (*Body)(FunctionCallInfo)>
Datum guard(FunctionCallInfo fcinfo) {
  boundary::PendingError err;
  {
    boundary::CallContextScope call;
    try {
      return Body(fcinfo);
    } catch (const std::exception& e) {
      boundary::capture(err, &e);
    } catch (...) {
      boundary::capture(err, nullptr);
    }
  }
  // Every C++ object of the body, and the exception itself, is gone here.
  boundary::raise(err);
}

}  // namespace squash

// Declares an SQL-callable function NAME whose C++ body follows the macro.
#define SQUASH_FUNCTION(name)                        \
  static Datum name##_body(FunctionCallInfo fcinfo); \
  extern "C" {                                       \
  PG_FUNCTION_INFO_V1(name);                         \
  Datum name(PG_FUNCTION_ARGS) {                     \
    return ::squash::guard<name##_body>(fcinfo);     \
  }                                                  \
  }                                                  \
  static Datum name##_body([[maybe_unused]] FunctionCallInfo fcinfo)
