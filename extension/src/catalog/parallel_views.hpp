// Internals of the catalog reader: View definitions and expressions from a parallel worker
// (parallel_views.cpp).
#pragma once

// C++ standard and model headers before any PostgreSQL header (see pg/boundary.hpp).
#include <algorithm>
#include <climits>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "pg_squash/catalog/catalog_reader.hpp"
#include "query.hpp"
#include "common.hpp"
#include "deparse.hpp"

namespace squash::catalog {

// pg_get_viewdef of every view and materialized view in the given schemas, run by a
// parallel worker while the reader goes on with other catalogs. Before the views, the
// worker also deparses the partial-index predicates, CHECKs and defaults in scope (in
// that order: the reverse of the reader's), each distinct tree once, as Deparser would
// (the cache key, without table context); the reader takes these texts instead of
// deparsing them itself, and tells the worker which kinds it is past (passed()), so the
// worker skips them. The caller is in parallel mode from start() until collect() or
// destruction (only read-only catalog queries then).
class ViewDefinitions {
 public:
  ViewDefinitions();
  ~ViewDefinitions();
  ViewDefinitions(const ViewDefinitions&) = delete;
  ViewDefinitions& operator=(const ViewDefinitions&) = delete;

  // Launches the worker; does nothing when none can run.
  void start(const std::vector<Oid>& nsps);
  // The reader is done with the expressions of this kind.
  void passed(ExprSource kind);
  // The worker's text of the expression source (expr_source) whose tree has this hash
  // and length, into out; false when it has none (yet).
  bool take(uint64_t source, uint64_t hash, size_t length, PreparedText& out);
  // The worker's definitions (view OID -> text, NULL as the function returned it), after
  // it finished; false when there was no worker. Raises the worker's error, if any.
  bool collect(std::unordered_map<Oid, Value>& out);

 private:
  struct State;
  bool receive(bool wait);
  void stop();  // ends the worker and parallel mode
  std::unique_ptr<State> st_;
};

}  // namespace squash::catalog
