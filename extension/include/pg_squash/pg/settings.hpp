// Settings (GUCs) defined in module.cpp.
#pragma once

#include "pg_squash/pg/privileges.hpp"

namespace squash::settings {

extern char* version_table;  // pg_squash.version_table
// pg_squash.view_worker_min_relations: below this many pg_class rows a snapshot reads
// without its parallel view worker (0: always with one when it can start).
extern int view_worker_min_relations;

// pg_squash.version_table split by parse_ident's rules ("alembic_version" when unset).
// Throws for a setting that is not a name or schema.name.
QualifiedName version_table_name();

}  // namespace squash::settings
