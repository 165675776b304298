// The catalog facts the generator needs besides a snapshot, read from the live database.
#pragma once

#include "pg_squash/generator/ddl.hpp"
#include "pg_squash/pg/spi.hpp"

namespace squash::generator {

// Dependencies between the live schema's objects (pg_depend) and which routines have
// SQL-standard bodies. Call with the reader's pinned output settings.
void read_order_facts(Spi& spi, CatalogFacts& facts);

}  // namespace squash::generator
