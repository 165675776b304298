// Internals of the catalog reader, shared by the read_*.cpp files (see catalog_reader.hpp).
//
// The reader runs one query per catalog over every schema in scope (never one per table),
// takes the rows straight from the executor (query.cpp), and builds each object's
// description from the catalog fields in C++. The server's deparsers run only for real
// expressions, through a cache keyed by the expression's node tree (deparse.cpp). Joins
// are avoided: their plans depend on catalog statistics, which are stale right after a
// large migration; rows are matched to their relation through an in-memory map instead.
#pragma once

// C++ standard and model headers before any PostgreSQL header (see boundary.hpp).
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

namespace squash::catalog {

// ---------------------------------------------------------------------------------------
// Query results (query.cpp)
// ---------------------------------------------------------------------------------------

// Where read_catalog spends its time (reported at DEBUG1).
struct Profile {
  double execute_ms = 0;  // running catalog queries, handling their rows
  double deparse_ms = 0;  // the server's deparser
  uint64_t rows = 0;
};
Profile& profile();

// One row of a streamed catalog query (scan), read straight from the executor's slot.
// Valid only inside the callback; view() of a computed cell until the next call for the
// same column.
class Row {
 public:
  struct State;
  explicit Row(State* state) : state_(state) {}
  int columns() const;
  bool null(int c) const;
  Oid oid(int c) const;                // 0 for NULL
  int64_t num(int c) const;            // 0 for NULL
  bool flag(int c) const;              // false for NULL
  char ch(int c) const;                // '\0' for NULL
  std::string_view view(int c) const;  // the cell as text; "" for NULL
  std::string str(int c) const { return std::string(view(c)); }
  Value value(int c) const { return null(c) ? Value() : Value(str(c)); }

 private:
  State* state_;
};

// Runs a read-only query in the caller's snapshot and calls fn for every row as the
// executor produces it (values go into the SQL text, quoted: no parameters). fn must not
// run catalog queries itself. A permission error on a catalog becomes a clear pg_squash
// error naming the role.
void scan(Spi& spi, const std::string& sql, const std::function<void(const Row&)>& fn);

// Rows of a catalog query, every cell as text (SQL NULL distinguishable), stored in one
// buffer: for the smaller queries whose rows are needed more than once.
class Rows {
 public:
  size_t size() const { return nrows_; }
  bool empty() const { return nrows_ == 0; }
  int columns() const { return ncols_; }

  bool null(size_t r, int c) const { return len_[r * ncols_ + c] < 0; }
  std::string_view view(size_t r, int c) const {
    const int32_t n = len_[r * ncols_ + c];
    return n < 0 ? std::string_view() : std::string_view(buf_.data() + off_[r * ncols_ + c], n);
  }
  std::string str(size_t r, int c) const { return std::string(view(r, c)); }
  Value value(size_t r, int c) const {
    return null(r, c) ? Value() : Value(std::string(view(r, c)));
  }
  Oid oid(size_t r, int c) const;      // 0 for NULL
  int64_t num(size_t r, int c) const;  // 0 for NULL
  bool flag(size_t r, int c) const { return view(r, c) == "t"; }
  char ch(size_t r, int c) const {
    std::string_view v = view(r, c);
    return v.empty() ? '\0' : v[0];
  }

 private:
  friend Rows query(Spi& spi, const std::string& sql);
  size_t nrows_ = 0;
  int ncols_ = 0;
  std::string buf_;
  std::vector<uint32_t> off_;
  std::vector<int32_t> len_;
};

// scan() into Rows.
Rows query(Spi& spi, const std::string& sql);

// A system catalog read straight from its heap in the caller's snapshot, as a read-only
// query sees it, without planner or executor: for the large catalogs (pg_class,
// pg_attribute, ...), whose rows the reader filters itself. The fixed part of the current
// row is read through fixed() (the catalog's Form_ struct); the variable part by
// attribute number.
class CatalogScan {
 public:
  // deform: rows whose cells are read several at a time are taken apart once per row
  // rather than walked from the start for each cell.
  explicit CatalogScan(Oid catalog, bool deform = false);
  ~CatalogScan();
  CatalogScan(const CatalogScan&) = delete;
  CatalogScan& operator=(const CatalogScan&) = delete;

  bool next();                    // to the next visible row; false at the end
  size_t estimated_rows() const;  // the catalog's reltuples (0 when never counted)
  template <typename Form>
  const Form& row() const {
    return *static_cast<const Form*>(fixed());
  }
  bool null(int attnum) const;
  // The cell as text (as Row::view); "" for NULL. Valid until the next call for the column.
  std::string_view view(int attnum);
  // The numbers of an int2vector / oidvector cell appended to out; how many (0 for NULL).
  size_t append_numbers(int attnum, std::vector<int64_t>& out);
  Value value(int attnum) { return null(attnum) ? Value() : Value(std::string(view(attnum))); }

 private:
  struct State;
  const void* fixed() const;
  std::unique_ptr<State> st_;
};

// ---------------------------------------------------------------------------------------
// Text helpers (common.cpp)
// ---------------------------------------------------------------------------------------

// Elements of a one-dimensional array in text form ("{a,\"b c\",NULL}"); NULL as "NULL".
std::vector<std::string> parse_array(std::string_view text);
// "{1,2,3}" for a list of numbers, to put into SQL as '{...}'::pg_catalog.oid[].
template <typename T>
std::string array_literal(const T& values) {
  std::string out = "{";
  bool first = true;
  for (const auto& v : values) {
    if (!first) out += ',';
    first = false;
    out += std::to_string(v);
  }
  return out + "}";
}
// Space-separated numbers (int2vector / oidvector text).
std::vector<int64_t> parse_vector(std::string_view text);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// Sorted "key=value" options (reloptions, attoptions), joined by ", "; "" when NULL/empty.
std::string render_options(std::string_view array_text,
                           const std::vector<std::string_view>& drop_prefixes = {});
// identity parts joined: quote_ident(schema) "." quote_ident(name)
std::string qualified(std::string_view schema, std::string_view name);
std::string quote(std::string_view name);                     // quote_ident rules
void append_quoted(std::string& out, std::string_view name);  // out += quote(name)
std::string bool_text(bool b);

// ---------------------------------------------------------------------------------------
// Expressions (deparse.cpp)
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// View definitions (parallel_views.cpp)
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// What every reader shares (catalog_reader.cpp)
// ---------------------------------------------------------------------------------------

// An optional text kept out of line, for the catalog fields that are NULL in nearly
// every row (ACLs, options, ...): 8 bytes where a Value takes 40, in structures that
// exist once per relation or column. Reads like a Value: test it, then *text.
class OptText {
 public:
  OptText() = default;
  OptText(const OptText& o) : p_(o.p_ ? std::make_unique<std::string>(*o.p_) : nullptr) {}
  OptText(OptText&&) noexcept = default;
  OptText& operator=(const OptText& o) {
    p_ = o.p_ ? std::make_unique<std::string>(*o.p_) : nullptr;
    return *this;
  }
  OptText& operator=(OptText&&) noexcept = default;
  OptText& operator=(std::string_view text) {
    p_ = std::make_unique<std::string>(text);
    return *this;
  }
  OptText& operator=(const Value& v) {
    p_ = v ? std::make_unique<std::string>(*v) : nullptr;
    return *this;
  }

  explicit operator bool() const { return p_ != nullptr; }
  const std::string& operator*() const { return *p_; }
  const std::string* operator->() const { return p_.get(); }
  Value as_value() const { return p_ ? Value(*p_) : Value(); }

 private:
  std::unique_ptr<std::string> p_;
};

struct Column {
  int attnum = 0;
  std::string name;  // raw
  Oid type = 0;
  int32_t typmod = -1;
  Oid collation = 0;
  bool not_null = false;
  char identity = '\0';   // 'a', 'd' or none
  char generated = '\0';  // 's' or none
  int stattarget = -1;
  char storage = '\0';
  char compression = '\0';
  bool is_local = true;
  int inhcount = 0;
  OptText options;           // attoptions text
  OptText acl;               // attacl text
  bool has_default = false;  // a default (or generation) expression,
  std::string default_expr;  // deparsed
};

struct Relation {
  Oid oid = 0;
  Oid nsp = 0;
  std::string name;      // raw
  std::string identity;  // quoted schema.name
  char kind = '\0';      // relkind
  bool kept = false;     // in the snapshot (not excluded, not an extension member)
  bool is_partition = false;
  Oid owner = 0;
  Oid type = 0;  // reltype (composite types: the pg_type row)
  char persistence = 'p';
  char replident = 'd';
  bool rls = false, rls_forced = false;
  Oid am_oid = 0;
  std::string_view am;  // access method (in Context::access_methods), "" for none
  Oid of_type = 0;
  OptText options;                   // reloptions text
  OptText acl;                       // relacl text (NULL: the default)
  OptText partkey;                   // pg_get_partkeydef for partitioned tables
  OptText partbound;                 // deparsed bound of a partition
  std::vector<std::string> parents;  // identities, by inhseqno (partitions: the parent)
  std::vector<Column> columns;       // live columns in attnum order
  std::vector<int> attcol;           // by attnum - 1: index in columns, -1 for a gap

  const Column* column(int attnum) const {
    if (attnum < 1 || attnum > static_cast<int>(attcol.size())) return nullptr;
    const int k = attcol[attnum - 1];
    return k < 0 ? nullptr : &columns[k];
  }
  const std::string* attname(int attnum) const {
    const Column* c = column(attnum);
    return c ? &c->name : nullptr;
  }
};

// Map from an integer key (an OID, a pair of OIDs) to T for the hot lookups (every row of
// every catalog finds its relation, every object its comment): entries in one vector in
// insertion order, found through an open-addressing index, no node per entry. Key 0 is
// never used. Pointers into it stay valid until the next insert.
template <typename K, typename T>
class FlatMap {
 public:
  T* find(K key) {
    if (!dense_.empty()) {
      if (key < dense_base_ || key - dense_base_ >= dense_.size()) return nullptr;
      const uint32_t index = dense_[key - dense_base_];
      return index ? &entries_[index - 1].second : nullptr;
    }
    if (slots_.empty() || key == 0) return nullptr;
    for (size_t i = slot(key);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.index == 0) return nullptr;
      if (s.key == key) return &entries_[s.index - 1].second;
    }
  }
  const T* find(K key) const { return const_cast<FlatMap*>(this)->find(key); }
  T& operator[](K key) {
    if (T* found = find(key)) return *found;
    if ((entries_.size() + 1) * 2 > slots_.size()) rehash(slots_.empty() ? 64 : slots_.size() * 2);
    entries_.emplace_back(key, T());
    size_t i = slot(key);
    while (slots_[i].index != 0) i = (i + 1) & mask_;
    slots_[i] = {key, static_cast<uint32_t>(entries_.size())};
    if (!dense_.empty()) {
      if (key >= dense_base_ && key - dense_base_ < dense_.size())
        dense_[key - dense_base_] = static_cast<uint32_t>(entries_.size());
      else
        dense_.clear();  // back to the hash index
    }
    return entries_.back().second;
  }
  // Once the map is filled: when its keys span a range at most 8 times their number,
  // find() takes them from a table indexed by key (no hashing; keys looked up in
  // ascending order, as catalog rows mostly come, touch the table in order).
  void index_densely() {
    dense_.clear();
    if (entries_.empty()) return;
    K lo = entries_.front().first, hi = lo;
    for (const auto& e : entries_) {
      lo = std::min(lo, e.first);
      hi = std::max(hi, e.first);
    }
    if (static_cast<uint64_t>(hi - lo) / 8 >= entries_.size()) return;
    dense_base_ = lo;
    dense_.assign(static_cast<size_t>(hi - lo) + 1, 0);
    for (size_t e = 0; e < entries_.size(); e++)
      dense_[entries_[e].first - lo] = static_cast<uint32_t>(e + 1);
  }
  void reserve(size_t n) {
    entries_.reserve(n);
    size_t want = 64;
    while (want < n * 2) want *= 2;
    if (want > slots_.size()) rehash(want);
  }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  auto begin() { return entries_.begin(); }
  auto end() { return entries_.end(); }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }

 private:
  // The key is kept in the slot too: a probe touches only the slot array.
  struct Slot {
    K key;
    uint32_t index;  // index + 1 into entries_; 0 is empty
  };
  size_t slot(K key) const {
    return static_cast<size_t>((static_cast<uint64_t>(key) * 0x9E3779B97F4A7C15ull) >> 20) & mask_;
  }
  void rehash(size_t n) {
    slots_.assign(n, Slot{0, 0});
    mask_ = n - 1;
    for (size_t e = 0; e < entries_.size(); e++) {
      size_t i = slot(entries_[e].first);
      while (slots_[i].index != 0) i = (i + 1) & mask_;
      slots_[i] = {entries_[e].first, static_cast<uint32_t>(e + 1)};
    }
  }
  std::vector<std::pair<K, T>> entries_;
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  std::vector<uint32_t> dense_;  // by key - dense_base_: index + 1 into entries_; 0: none
  K dense_base_ = 0;
};

template <typename T>
using OidMap = FlatMap<Oid, T>;

struct TypeInfo {
  std::string name;  // format_type with the typmod
  char storage = '\0';
  Oid collation = 0;
};

// Numbers of a catalog vector, within an IndexInfo.
struct IntSpan {
  const int64_t* first = nullptr;
  size_t count = 0;
  size_t size() const { return count; }
  int64_t operator[](size_t i) const { return first[i]; }
  const int64_t* begin() const { return first; }
  const int64_t* end() const { return first + count; }
};

struct IndexInfo {
  Oid table = 0;
  bool unique = false, nulls_not_distinct = false, clustered = false, replica_identity = false;
  int nkey = 0;
  // indkey, indclass, indcollation and indoption, one after another in ints.
  uint32_t counts[4] = {0, 0, 0, 0};
  std::vector<int64_t> ints;
  OptText exprs;      // indexprs
  OptText predicate;  // indpred

  IntSpan key() const { return part(0); }
  IntSpan opclass() const { return part(1); }
  IntSpan collation() const { return part(2); }
  IntSpan option() const { return part(3); }

 private:
  IntSpan part(int which) const {
    size_t at = 0;
    for (int k = 0; k < which; k++) at += counts[k];
    return {ints.data() + at, counts[which]};
  }
};

// An object of a kind the snapshot does not model: reported, never silently skipped.
struct Unmodelled {
  std::string identity;  // schema-qualified name (with arguments where the kind has them)
  std::string catalog;   // the catalog it was found in, e.g. "pg_ts_config"
  std::string what;      // human words, e.g. "text search configuration"
  std::string acl = {};  // default privileges: what they grant
};

// The object a reader added last, for its attributes (which must follow it: an attribute
// set on an object that is no longer the last is an internal error).
class ObjectRef {
 public:
  ObjectRef(model::FlatSnapshot& snap, size_t index) : snap_(&snap), index_(index) {}
  void set(std::string_view key, std::string_view value) {
    if (snap_->size() != index_ + 1) misplaced();
    snap_->set(key, value);
  }

 private:
  [[noreturn]] static void misplaced();
  model::FlatSnapshot* snap_;
  size_t index_;
};

struct Context {
  Context(Spi& s, model::FlatSnapshot& o) : spi(s), out(o) {}

  Spi& spi;
  model::FlatSnapshot& out;
  bool whole_database = true;
  std::string nsp_array;                      // "{oid,...}" of the schemas in scope
  std::unordered_map<Oid, std::string> nsps;  // schemas in scope: oid -> raw name
  std::unordered_map<Oid, std::string> roles;
  std::unordered_map<Oid, std::string> access_methods;           // pg_am: oid -> name
  std::unordered_map<Oid, std::unordered_set<Oid>> ext_members;  // classid -> objids
  FlatMap<uint64_t, std::string> comments;                       // (classoid, objoid) -> text
  FlatMap<uint64_t, std::string> column_comments;                // (relid, attnum)
  std::vector<Oid> comment_classes;        // the classoids in comments (a few): others have none
  OidMap<Relation> relations;              // every relation in a schema in scope
  std::unordered_set<Oid> version_tables;  // excluded bookkeeping tables
  // (table oid << 16 | attnum) -> identity sequence options
  std::unordered_map<uint64_t, std::string> identity_sequences;
  std::unordered_set<Oid> identity_sequence_oids;
  OidMap<IndexInfo> indexes;             // indexes of kept relations
  OidMap<std::string> index_constraint;  // index -> its constraint's name
  // CHECK constraints of domains in scope, found by read_constraints for read_types.
  struct DomainCheck {
    Oid domain = 0;
    std::string name;  // raw
    std::string bin;   // conbin
    bool validated = true;
  };
  std::vector<DomainCheck> domain_checks;
  std::vector<Unmodelled> unmodelled;  // emitted last, by read_unmodelled
  Deparser deparser;
  std::vector<Oid> nsp_oids;         // the schemas in scope, sorted
  ViewDefinitions view_definitions;  // declared last: ended first

  // Runs a catalog query; "$NSPS" in sql stands for the array of schemas in scope (a
  // constant, so the planner can hash it).
  Rows query(const std::string& sql);
  void scan(const std::string& sql, const std::function<void(const Row&)>& fn);

  bool in_scope(Oid nsp) const { return nsps.count(nsp) != 0; }
  bool extension_member(Oid classid, Oid objid) const;
  const Relation* relation(Oid oid) const;       // any relation in scope, or null
  const Relation* kept_relation(Oid oid) const;  // only one in the snapshot

  // Type names (format_type) and storage/collation defaults, fetched in bulk.
  void need_type(Oid type, int32_t typmod);
  void fetch_types();
  const TypeInfo& type(Oid type, int32_t typmod);
  // Collation names, schema-qualified and quoted, fetched in bulk.
  void need_collation(Oid coll);
  void fetch_collations();
  const std::string& collation(Oid coll);

  std::string role(Oid oid) const;
  const std::string* comment(Oid classoid, Oid objoid) const;
  // Owner, ACL and comment of an object. objtype is acldefault's ('r', 's', 'f', 'T',
  // 'n'; '\0': the object has no ACL); a NULL acl is the default one.
  void attach_common(ObjectRef obj, Oid classoid, Oid objoid, Oid owner, char objtype,
                     const Value& acl);
  const std::string& default_acl(char objtype, Oid owner);

  ObjectRef add(std::string_view kind, std::string_view identity);

 private:
  std::unordered_map<uint64_t, TypeInfo> types_;
  std::unordered_set<uint64_t> types_wanted_;
  std::unordered_map<Oid, std::string> collations_;
  std::unordered_set<Oid> collations_wanted_;
  std::unordered_map<uint64_t, std::string> default_acls_;
};

inline uint64_t key2(uint32_t a, uint32_t b) {
  return (static_cast<uint64_t>(a) << 32) | b;
}

// Sentinel typmod: format_type(type, NULL) (function arguments, as regprocedure prints).
constexpr int32_t kNoTypmod = INT32_MIN;

// ACL (aclitem[] text) as sorted
// "grantee=privileges" lines; grant options marked with '*'; PUBLIC for the empty grantee.
std::string render_acl(std::string_view acl_text);

// The readers, in the order read_catalog runs them.
void load_relations(Context& ctx);
void read_sequences(Context& ctx);
// Column defaults: as late as read_tables allows, so the parallel worker has deparsed
// more of them (read_relations.cpp).
void load_defaults(Context& ctx);
void read_tables(Context& ctx);
void load_indexes(Context& ctx);
void read_constraints(Context& ctx);
void read_indexes(Context& ctx);
void read_views(Context& ctx);
void read_types(Context& ctx);
void read_routines(Context& ctx);
void read_triggers(Context& ctx);
void read_event_triggers(Context& ctx);
void read_policies(Context& ctx);
void read_extensions(Context& ctx);
void read_schemas(Context& ctx);
void read_unmodelled(Context& ctx);
void load_comments(Context& ctx);
void load_roles(Context& ctx);

}  // namespace squash::catalog
