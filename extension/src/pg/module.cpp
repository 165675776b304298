// Module entry: the magic block and the settings pg_squash reads.
#include <climits>

#include "pg_squash/pg/boundary.hpp"
#include "pg_squash/pg/settings.hpp"

extern "C" {
#include "utils/guc.h"

PG_MODULE_MAGIC;

void _PG_init(void);
}

namespace squash::settings {

char* version_table = nullptr;
int view_worker_min_relations = 5000;

QualifiedName version_table_name() {
  return parse_qualified_name(version_table && *version_table ? version_table : "alembic_version",
                              "pg_squash.version_table");
}

}  // namespace squash::settings

// Runs once per backend when the library loads; plain C, no C++ objects alive.
void _PG_init(void) {
  DefineCustomStringVariable(
      "pg_squash.version_table",
      "Alembic version table that squash_stamp() rewrites (optionally schema-qualified).",
      "Matches Alembic's version_table / version_table_schema settings.",
      &squash::settings::version_table, "alembic_version", PGC_USERSET, 0, nullptr, nullptr,
      nullptr);
  DefineCustomIntVariable(
      "pg_squash.view_worker_min_relations",
      "Fewest pg_class rows for which a snapshot starts its parallel view worker.",
      "Counted with the system relations (about 400 in an empty database) and estimated "
      "from pg_class's size as the planner does. Below it, starting the worker costs more "
      "than it saves; 0 starts one whenever one can start. The fingerprint is the same "
      "either way.",
      &squash::settings::view_worker_min_relations, 5000, 0, INT_MAX, PGC_USERSET, 0, nullptr,
      nullptr, nullptr);
#if PG_VERSION_NUM >= 150000
  MarkGUCPrefixReserved("pg_squash");
#else
  EmitWarningsOnPlaceholders("pg_squash");
#endif
}
