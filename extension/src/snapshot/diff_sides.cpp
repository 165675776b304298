// Loading both sides of a comparison (see diff_sides.hpp): one place for squash_diff,
// squash_diff_json and squash_diff_sql.
#include "pg_squash/snapshot/diff_sides.hpp"

#include "pg_squash/pg/srf.hpp"
#include "pg_squash/snapshot/labels.hpp"

namespace squash {

namespace {

template <typename SnapshotType, typename Load, typename Take>
DiffSides<SnapshotType> load(Spi& spi, const DiffLabels& labels, Load load_stored, Take take_live) {
  DiffSides<SnapshotType> sides{load_stored(spi, labels.source), {}};
  if (labels.target)
    sides.target = load_stored(spi, *labels.target).snapshot;
  else
    sides.target = take_live(spi, sides.source.scope);
  return sides;
}

}  // namespace

DiffLabels diff_labels(FunctionCallInfo fcinfo, int source_arg) {
  DiffLabels labels{label_arg(fcinfo, source_arg, "source label"),
                    text_arg(fcinfo, source_arg + 1)};
  if (labels.target) check_label(*labels.target);
  return labels;
}

DiffSides<model::FlatSnapshot> load_flat_sides(Spi& spi, const DiffLabels& labels) {
  return load<model::FlatSnapshot>(
      spi, labels, [](Spi& s, const std::string& l) { return load_flat_snapshot(s, l); },
      [](Spi& s, const catalog::Scope& scope) { return take_flat_snapshot(s, scope); });
}

DiffSides<model::Snapshot> load_sides(Spi& spi, const DiffLabels& labels) {
  return load<model::Snapshot>(
      spi, labels, [](Spi& s, const std::string& l) { return load_snapshot(s, l); },
      [](Spi& s, const catalog::Scope& scope) { return take_snapshot(s, scope); });
}

}  // namespace squash
