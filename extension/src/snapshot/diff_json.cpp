// squash_diff_json(): the differences squash_diff() lists, as a document for tools and CI.
#include <string>

#include "pg_squash/model/changes.hpp"
#include "pg_squash/model/fingerprint.hpp"
#include "pg_squash/pg/srf.hpp"
#include "pg_squash/snapshot/diff_sides.hpp"

using namespace squash;

// squash_diff_json(source text, target text DEFAULT NULL) -> jsonb
SQUASH_FUNCTION(squash_diff_json) {
  DiffLabels labels = diff_labels(fcinfo);
  std::string doc;
  {
    Spi spi;
    DiffSides<model::Snapshot> sides = load_sides(spi, labels);
    doc = model::changes_json(model::object_changes(sides.source.snapshot, sides.target),
                              labels.source, labels.target, sides.source.fingerprint,
                              model::fingerprint(sides.target));
  }
  return jsonb_datum(doc);
}
