// Internals of the catalog reader: Expressions through the server's deparser, cached by node tree
// (deparse.cpp).
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

namespace squash::catalog {

struct Relation;

// Folds sub-trees made only of constants and the casts and arrays around them into one
// constant, so an expression reads the same after a dump and reload (normalize_expr.cpp).
// Calls PostgreSQL: use inside pg_call.
Node* fold_constant_casts(Node* node);

class ViewDefinitions;

// A text the parallel worker deparsed: the cache key's deparse, the key's tree_hash and
// how many column placeholders it has.
struct PreparedText {
  std::string text;
  uint64_t key_hash = 0;
  uint32_t columns = 0;
};

// For the parallel worker (parallel_views.cpp). The hash of a tree's text (FNV-1a).
uint64_t tree_hash(std::string_view tree) noexcept;
// The cache key of a tree (Deparser), malloc'ed; null when it is not cacheable (or on
// any failure). Calls no PostgreSQL function.
// columns: how many column references it replaced.
char* worker_rewrite(const char* tree, size_t length, uint32_t* columns) noexcept;
// The server's deparse of a cache key, as the Deparser does it (palloc'ed; may ereport).
char* worker_deparse(const char* key);

// Which stored expression a tree is (Deparser::expr's source): the parallel worker
// deparses defaults, CHECKs and partial-index predicates ahead of the reader.
enum class ExprSource : uint64_t { kDefault = 1, kCheck = 2, kPredicate = 3 };
inline uint64_t expr_source(ExprSource kind, uint32_t oid, int attnum = 0) {
  return (static_cast<uint64_t>(kind) << 56) | (static_cast<uint64_t>(oid) << 16) |
         static_cast<uint16_t>(attnum);
}

struct Deparsed {
  std::string text;
  Oid type = 0;
  Oid collation = 0;
  bool function_like = false;  // prints as a function call (needs no parentheses in an index)
};

// Deparses stored expressions (pg_node_tree text) with a fixed search_path, exactly once
// per distinct tree: trees are compared without their :location fields, and column
// references are replaced by placeholders, so the same expression on a thousand tables is
// deparsed once and only the column names are filled in per table.
class Deparser {
 public:
  Deparser();
  ~Deparser();
  Deparser(const Deparser&) = delete;
  Deparser& operator=(const Deparser&) = delete;

  // One expression; rel names the columns a Var refers to (null when it has none).
  // source (expr_source) names the catalog row, for the worker's ready texts.
  std::string expr(std::string_view tree, const Relation* rel, uint64_t source = 0);
  // A list of expressions (pg_index.indexprs) with their types and collations.
  std::vector<Deparsed> list(std::string_view tree, const Relation* rel);

  size_t calls() const { return calls_; }
  size_t hits() const { return hits_; }
  size_t prepared_hits() const { return prepared_hits_; }
  // Where texts the parallel worker deparsed ahead come from (null: none).
  void set_prepared(ViewDefinitions* prepared) { prepared_ = prepared; }

 private:
  struct Template;
  struct Seen;
  // The result: a cached template's items, or result_.
  const std::vector<Deparsed>& run(std::string_view tree, const Relation* rel, bool is_list,
                                   uint64_t source);
  // The template with rel's column names filled in; null when that does not work out.
  const std::vector<Deparsed>* instantiate(const Template& t, const Relation* rel, size_t columns);

  std::unordered_map<std::string, std::unique_ptr<Template>> cache_;
  std::unordered_map<size_t, std::unique_ptr<Seen>> seen_;  // by hash of the tree text
  std::unordered_set<size_t> once_;  // hashes of the rewritten trees deparsed once
  std::unique_ptr<Template> last_;   // the template of a tree met once, until the next call
  std::vector<Deparsed> result_;
  std::string buffer_;
  void* memory_ = nullptr;  // MemoryContext for the server's deparser, reset per call
  size_t calls_ = 0, hits_ = 0, prepared_hits_ = 0;
  ViewDefinitions* prepared_ = nullptr;
};

}  // namespace squash::catalog
