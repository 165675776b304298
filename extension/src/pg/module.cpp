// Module entry: the magic block and the settings pg_squash reads.
#include "pg_squash/pg/boundary.hpp"
#include "pg_squash/pg/settings.hpp"

extern "C" {
#include "utils/guc.h"

PG_MODULE_MAGIC;

void _PG_init(void);
}

namespace squash::settings {

char* version_table = nullptr;

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
#if PG_VERSION_NUM >= 150000
  MarkGUCPrefixReserved("pg_squash");
#else
  EmitWarningsOnPlaceholders("pg_squash");
#endif
}
