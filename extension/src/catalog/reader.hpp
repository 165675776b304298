// Internals of the catalog reader, shared by the read_*.cpp files (see catalog_reader.hpp).
//
// The reader runs one query per catalog over every schema in scope (never one per table),
// takes the rows straight from the executor (query.cpp), and builds each object's
// description from the catalog fields in C++. The server's deparsers run only for real
// expressions, through a cache keyed by the expression's node tree (deparse.cpp). Joins
// are avoided: their plans depend on catalog statistics, which are stale right after a
// large migration; rows are matched to their relation through an in-memory map instead.
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
#include "common.hpp"
#include "deparse.hpp"
#include "parallel_views.hpp"
#include "query.hpp"

namespace squash::catalog {

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
  // Aggregates in scope (not an extension's), found by read_routines for read_aggregates.
  std::vector<Oid> aggregates;
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
// Kinds with a reader of their own (one query per catalog, see read_aggregates.cpp).
void read_aggregates(Context& ctx);
void read_operators(Context& ctx);
void read_casts(Context& ctx);
void read_collations(Context& ctx);
void read_opclasses(Context& ctx);    // operator families and classes
void read_text_search(Context& ctx);  // parsers, templates, dictionaries, configurations
void read_conversions(Context& ctx);
void read_languages(Context& ctx);  // procedural languages and transforms
void read_access_methods(Context& ctx);
void read_triggers(Context& ctx);
void read_event_triggers(Context& ctx);
void read_policies(Context& ctx);
void read_extensions(Context& ctx);
void read_schemas(Context& ctx);
void read_unmodelled(Context& ctx);
void load_comments(Context& ctx);
void load_roles(Context& ctx);

}  // namespace squash::catalog
