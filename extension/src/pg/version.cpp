// squash_version(): proves the library loads and says which build answers.
#include "pg_squash/pg/boundary.hpp"
#include "pg_squash/pg/version.hpp"

extern "C" {
#include "utils/builtins.h"
}

SQUASH_FUNCTION(squash_version) {
  return squash::pg_call([] { return CStringGetTextDatum(PG_SQUASH_VERSION); });
}
