// The two sides of a comparison as squash_diff and its relatives take them: snapshot
// `source` (a stored label) and `target` (a stored label, or the live schema read with the
// source's schema scope).
#pragma once

#include <optional>
#include <string>

#include "pg_squash/snapshot/snapshot_store.hpp"

namespace squash {

struct DiffLabels {
  std::string source;
  std::optional<std::string> target;  // nullopt: the live schema
};

template <typename SnapshotType>
struct DiffSides {
  Stored<SnapshotType> source;
  SnapshotType target;
};

// Arguments source_arg and source_arg + 1 of a SQL call, checked.
DiffLabels diff_labels(FunctionCallInfo fcinfo, int source_arg = 0);

DiffSides<model::FlatSnapshot> load_flat_sides(Spi& spi, const DiffLabels& labels);
DiffSides<model::Snapshot> load_sides(Spi& spi, const DiffLabels& labels);

}  // namespace squash
