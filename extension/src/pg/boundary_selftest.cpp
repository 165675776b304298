// squash.boundary_selftest(mode): exercises both directions of the boundary so the tests
// can prove that errors cross it cleanly, that C++ objects unwind, and that nothing leaks.
#include <stdexcept>
#include <string>
#include <vector>

#include "pg_squash/pg/boundary.hpp"

extern "C" {
#include "utils/builtins.h"
}

namespace {

long live_objects = 0;  // backends are single-threaded

// A C++ object with a destructor and heap memory, alive while the error is raised.
struct Tracked {
  std::vector<std::string> payload;
  Tracked() : payload(64, std::string(256, 'x')) { ++live_objects; }
  ~Tracked() { --live_objects; }
  Tracked(const Tracked&) = delete;
  Tracked& operator=(const Tracked&) = delete;
};

}  // namespace

// Modes: 'cpp' throws a C++ exception; 'pg' raises a PostgreSQL error (invalid integer
// input, SQLSTATE 22P02) through pg_call; 'squash' raises pg_squash's own error with
// DETAIL and HINT; 'live' returns how many Tracked objects are alive (0 unless leaked).
SQUASH_FUNCTION(squash_boundary_selftest) {
  text* arg = PG_GETARG_TEXT_PP(0);
  std::string mode(VARDATA_ANY(arg), VARSIZE_ANY_EXHDR(arg));
  if (mode == "live") return Int64GetDatum(live_objects);

  Tracked alive;
  if (mode == "cpp") throw std::runtime_error("selftest: C++ exception thrown on purpose");
  if (mode == "pg") {
    squash::pg_call([] { return DirectFunctionCall1(int4in, CStringGetDatum("not a number")); });
    throw std::logic_error("selftest: int4in accepted bad input");
  }
  if (mode == "squash")
    throw squash::Error("selftest: pg_squash error", ERRCODE_DATA_EXCEPTION, "the detail",
                        "the hint");
  throw squash::Error("selftest: unknown mode \"" + mode + "\"", ERRCODE_INVALID_PARAMETER_VALUE,
                      {}, "use cpp, pg, squash or live");
}
