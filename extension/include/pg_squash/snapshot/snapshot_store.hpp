// Taking snapshots of the live schema and keeping them in squash.snapshot_store.
#pragma once

#include <optional>
#include <string>

#include "pg_squash/catalog/catalog_reader.hpp"
#include "pg_squash/model/diff.hpp"
#include "pg_squash/model/flat_snapshot.hpp"
#include "pg_squash/model/snapshot.hpp"
#include "pg_squash/pg/spi.hpp"

namespace squash {

template <typename SnapshotType>
struct Stored {
  std::string label;
  std::string fingerprint;
  SnapshotType snapshot;
  catalog::Scope scope;  // the scope it was taken with (every user schema when unset)
};
using StoredSnapshot = Stored<model::Snapshot>;
using StoredFlatSnapshot = Stored<model::FlatSnapshot>;

// Reads the live schema in scope (normalized, with server_version filled in).
model::Snapshot take_snapshot(Spi& spi, const catalog::Scope& scope);
// The same in the compact form: cheaper when only fingerprinted and stored.
model::FlatSnapshot take_flat_snapshot(Spi& spi, const catalog::Scope& scope);
// The live schema's fingerprint.
std::string take_fingerprint(Spi& spi, const catalog::Scope& scope);

// Stores a snapshot under a new label; an existing label is an error, never overwritten.
void store_snapshot(Spi& spi, const std::string& label, const model::Snapshot& snapshot,
                    const std::string& fingerprint, const catalog::Scope& scope);
void store_snapshot(Spi& spi, const std::string& label, const model::FlatSnapshot& snapshot,
                    const std::string& fingerprint, const catalog::Scope& scope);

// Loads and verifies a stored snapshot: its fingerprint must be the recorded one (the one a
// version 2 document carries under its checksum, or for version 1 computed again); unknown
// label or corrupt document is an error.
StoredFlatSnapshot load_flat_snapshot(Spi& spi, const std::string& label);

// squash_diff of two stored snapshots, read in place without decoding either
// (stored_diff.hpp); each document is checked against its recorded fingerprint as
// load_flat_snapshot checks it. std::nullopt: a document that must be decoded instead.
std::optional<std::vector<model::Difference>> diff_stored_snapshots(Spi& spi,
                                                                    const std::string& source,
                                                                    const std::string& target);
StoredSnapshot load_snapshot(Spi& spi, const std::string& label);

// Text argument n as a checked label; NULL is an error naming `what`.
std::string label_arg(FunctionCallInfo fcinfo, int n, const char* what);

}  // namespace squash
