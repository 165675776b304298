// The catalog reader: the only code that knows catalog layouts and server versions. It
// turns the live schema into a model::Snapshot, reading the catalogs through SPI in the
// calling query's MVCC snapshot, without per-table locks.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pg_squash/model/flat_snapshot.hpp"
#include "pg_squash/model/snapshot.hpp"
#include "pg_squash/pg/spi.hpp"

namespace squash::catalog {

struct Scope {
  // NULL: every user schema. Otherwise exactly these schemas (an unknown one is an error).
  std::optional<std::vector<std::string>> schemas;
};

// Reads every modelled object kind in scope. Objects of kinds that are not modelled are
// still recorded, as kind "unmodelled". Returns a normalized snapshot.
model::FlatSnapshot read_catalog_flat(Spi& spi, const Scope& scope);
// The same as a model::Snapshot (for diff and the generators).
model::Snapshot read_catalog(Spi& spi, const Scope& scope);

}  // namespace squash::catalog
