// Deparsing stored expressions, once per distinct expression (see reader.hpp).
//
// A stored expression (pg_attrdef.adbin, pg_constraint.conbin, pg_index.indpred, ...) is
// the text of a node tree. Two trees that differ only in their :location fields (where
// the expression stood in the original statement) deparse identically, so the cache key
// is the tree with every location set to -1. Column references (Var nodes) are the only
// part that depends on the table: each is replaced by a Param whose number encodes the
// column ($7000003 for column 3), the tree is deparsed without any table context, and the
// column names of the table at hand are substituted into the cached text. The
// deparser prints a Param and a Var alike (both are "simple" nodes: same parentheses,
// same operator and function resolution), so the result equals what pg_get_expr gives
// with the table: the server's pg_get_expr does the deparsing in both cases.
//
// Trees with sub-queries (policies with EXISTS (...)) or unusual Vars take the ordinary
// path: deparse with the table as context, uncached.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "reader.hpp"

extern "C" {
#include "nodes/nodeFuncs.h"
#include "nodes/pg_list.h"
#include "nodes/primnodes.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
}

namespace squash::catalog {

namespace {

constexpr int kMarkerBase = 7000000;  // Param number of column n: kMarkerBase + n
constexpr int kMaxAttnum = 1664;      // MaxTupleAttributeNumber

// The rewritten tree: the cache key, and the column of each placeholder.
struct Rewritten {
  std::string key;
  std::vector<int> attnos;
  bool cacheable = true;  // false: has sub-queries or Vars we cannot replace
};

bool starts_with(std::string_view s, size_t at, std::string_view prefix) {
  return s.compare(at, prefix.size(), prefix) == 0;
}

// Reads ":name value" pairs of a flat node ({VAR ...}) up to its closing brace.
// Returns the position after the brace, or npos when the node is not flat.
size_t read_fields(std::string_view tree, size_t at,
                   std::vector<std::pair<std::string_view, std::string_view>>& fields) {
  size_t i = at;
  while (i < tree.size() && tree[i] != '}') {
    if (tree[i] == '{' || tree[i] == '(' || tree[i] == '\\' || tree[i] == '"')
      return std::string_view::npos;
    if (tree[i] == ':') {
      size_t name_end = tree.find(' ', i);
      if (name_end == std::string_view::npos) return std::string_view::npos;
      size_t value_start = name_end + 1;
      size_t value_end = value_start;
      while (value_end < tree.size() && tree[value_end] != ' ' && tree[value_end] != '}')
        value_end++;
      fields.emplace_back(tree.substr(i + 1, name_end - i - 1),
                          tree.substr(value_start, value_end - value_start));
      i = value_end;
    } else {
      i++;
    }
  }
  return i < tree.size() ? i + 1 : std::string_view::npos;
}

int64_t to_int(std::string_view s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

Rewritten rewrite(std::string_view tree, bool replace_vars) {
  Rewritten out;
  out.key.reserve(tree.size());
  size_t copied = 0;  // tree[copied, i) is still to be appended unchanged
  auto flush = [&](size_t upto) { out.key.append(tree.data() + copied, upto - copied); };
  size_t i = 0;
  while (i < tree.size()) {
    const char c = tree[i];
    if (c != '\\' && c != '{' && c != ' ') {
      i++;
      continue;
    }
    if (c == '\\') {  // an escaped character inside a token: never structure
      i += 2;
      continue;
    }
    if (c == '{') {
      if (starts_with(tree, i, "{QUERY") || starts_with(tree, i, "{SUBLINK") ||
          starts_with(tree, i, "{SUBPLAN")) {
        out.cacheable = false;
      } else if (starts_with(tree, i, "{VAR ")) {
        std::vector<std::pair<std::string_view, std::string_view>> f;
        size_t end = read_fields(tree, i + 5, f);
        std::string_view varno, attno, type, typmod, coll, levelsup;
        for (auto& [name, value] : f) {
          if (name == "varno")
            varno = value;
          else if (name == "varattno")
            attno = value;
          else if (name == "vartype")
            type = value;
          else if (name == "vartypmod")
            typmod = value;
          else if (name == "varcollid")
            coll = value;
          else if (name == "varlevelsup")
            levelsup = value;
        }
        const int64_t a = to_int(attno);
        if (!replace_vars || end == std::string_view::npos || varno != "1" || levelsup != "0" ||
            a < 1 || a > kMaxAttnum || type.empty() || typmod.empty() || coll.empty()) {
          out.cacheable = false;
        } else {
          flush(i);
          out.key += "{PARAM :paramkind 0 :paramid ";
          out.key += std::to_string(kMarkerBase + a);
          out.key += " :paramtype ";
          out.key += type;
          out.key += " :paramtypmod ";
          out.key += typmod;
          out.key += " :paramcollid ";
          out.key += coll;
          out.key += " :location -1}";
          out.attnos.push_back(static_cast<int>(a));
          i = copied = end;
          continue;
        }
      }
      i++;
      continue;
    }
    // A space: " :location N" becomes " :location -1".
    if (starts_with(tree, i, " :location ")) {
      size_t j = i + 11;
      if (j < tree.size() && tree[j] == '-') j++;
      while (j < tree.size() && tree[j] >= '0' && tree[j] <= '9') j++;
      flush(i);
      out.key += " :location -1";
      i = copied = j;
      continue;
    }
    i++;
  }
  flush(std::min(i, tree.size()));
  return out;
}

// PostgreSQL's looks_like_function (ruleutils.c): whether an index expression prints as
// a function call and so needs no parentheses of its own.
bool looks_like_function(Node* node) {
  if (node == nullptr) return false;
  switch (nodeTag(node)) {
    case T_FuncExpr: {
      CoercionForm f = reinterpret_cast<FuncExpr*>(node)->funcformat;
      return f == COERCE_EXPLICIT_CALL || f == COERCE_SQL_SYNTAX;
    }
    case T_NullIfExpr:
    case T_CoalesceExpr:
    case T_MinMaxExpr:
    case T_SQLValueFunction:
    case T_XmlExpr:
      return true;
    default:
      return false;
  }
}

// What the server's deparser returns, in the deparse memory context (plain C data: the
// callable of a pg_call must not own C++ objects while it calls PostgreSQL).
struct RawItem {
  char* text;
  Oid type;
  Oid collation;
  bool function_like;
};

struct RawResult {
  int count;
  RawItem* items;
};

// pg_get_expr(tree, relid): the server's own rendering, PRETTYFLAG_INDENT and all, so an
// attribute reads exactly as pg_get_expr / pg_get_indexdef / pg_dump print it.
// Whether fold_constant_casts (normalize_expr.cpp) can change the tree: it only rewrites
// these nodes. Any other tree goes to pg_get_expr as it is, without a parse and a print
// of our own (node names never occur inside a tree's constants, printed as bytes).
bool may_fold(const char* tree) {
  return strstr(tree, "{RELABELTYPE") || strstr(tree, "{ARRAYCOERCEEXPR") ||
         strstr(tree, "{ARRAYEXPR");
}

char* get_expr(Node* node, const char* tree, Oid relid) {
  text* t;
  if (!node && !may_fold(tree)) {
    t = cstring_to_text(tree);
  } else {
    if (!node) node = static_cast<Node*>(stringToNode(tree));
    t = cstring_to_text(nodeToString(fold_constant_casts(node)));
  }
  Datum d = DirectFunctionCall2(pg_get_expr, PointerGetDatum(t), ObjectIdGetDatum(relid));
  return text_to_cstring(DatumGetTextPP(d));
}

RawResult server_deparse(MemoryContext memory, const char* tree, bool is_list, Oid relid) {
  auto started = std::chrono::steady_clock::now();
  RawResult result = pg_call([&] {
    MemoryContext old = MemoryContextSwitchTo(memory);
    RawResult r;
    if (!is_list) {
      // One expression: pg_get_expr parses the tree itself; type and collation are only
      // wanted for index expressions (lists).
      r.count = 1;
      r.items = static_cast<RawItem*>(palloc0(sizeof(RawItem)));
      r.items[0].text = get_expr(nullptr, tree, relid);
      MemoryContextSwitchTo(old);
      return r;
    }
    List* nodes = castNode(List, stringToNode(tree));
    r.count = list_length(nodes);
    r.items = static_cast<RawItem*>(palloc0(sizeof(RawItem) * (r.count > 0 ? r.count : 1)));
    int n = 0;
    ListCell* lc;
    foreach (lc, nodes) {
      Node* e = static_cast<Node*>(lfirst(lc));
      r.items[n].text = get_expr(e, nullptr, relid);
      r.items[n].type = exprType(e);
      r.items[n].collation = exprCollation(e);
      r.items[n].function_like = looks_like_function(e);
      n++;
    }
    MemoryContextSwitchTo(old);
    return r;
  });
  profile().deparse_ms +=
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return result;
}

// Replaces every $70000NN placeholder by the column name; returns how many it replaced,
// or -1 on a placeholder that names no live column.
int substitute(const std::string& text, const Relation& rel, std::string& out) {
  out.clear();
  out.reserve(text.size() + 16);
  int count = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '$' && i + 8 <= text.size() && text.compare(i + 1, 3, "700") == 0) {
      size_t j = i + 1;
      while (j < text.size() && text[j] >= '0' && text[j] <= '9') j++;
      int64_t v = to_int(std::string_view(text).substr(i + 1, j - i - 1));
      if (j - i - 1 == 7 && v > kMarkerBase && v <= kMarkerBase + kMaxAttnum) {
        const std::string* name = rel.attname(static_cast<int>(v - kMarkerBase));
        if (!name) return -1;
        out += quote(*name);
        count++;
        i = j;
        continue;
      }
    }
    out += text[i++];
  }
  return count;
}

}  // namespace

uint64_t tree_hash(std::string_view tree) noexcept {
  return std::hash<std::string_view>{}(tree);
}

char* worker_rewrite(const char* tree, size_t length, uint32_t* columns) noexcept {
  try {
    Rewritten rw = rewrite(std::string_view(tree, length), true);
    if (!rw.cacheable) return nullptr;
    *columns = static_cast<uint32_t>(rw.attnos.size());
    char* key = static_cast<char*>(malloc(rw.key.size() + 1));
    if (key) memcpy(key, rw.key.c_str(), rw.key.size() + 1);
    return key;
  } catch (...) {
    return nullptr;
  }
}

char* worker_deparse(const char* key) {
  return get_expr(nullptr, key, InvalidOid);
}

struct Deparser::Template {
  std::vector<Deparsed> items;  // texts with placeholders
};

Deparser::Deparser() {
  memory_ = pg_call([] {
    return AllocSetContextCreate(CurrentMemoryContext, "pg_squash deparse", ALLOCSET_DEFAULT_SIZES);
  });
}

Deparser::~Deparser() {
  boundary::try_postgres([](void* m) { MemoryContextDelete(static_cast<MemoryContext>(m)); },
                         memory_);
}

static std::vector<Deparsed> collect(const RawResult& raw) {
  std::vector<Deparsed> items(raw.count);
  for (int k = 0; k < raw.count; k++) {
    items[k].text = raw.items[k].text;
    items[k].type = raw.items[k].type;
    items[k].collation = raw.items[k].collation;
    items[k].function_like = raw.items[k].function_like;
  }
  return items;
}

// A tree text met before whose rewritten form was already cached: the same text again
// (the same expression on a table of the same layout, often at the same :location) skips
// the rewrite.
struct Deparser::Seen {
  std::string tree;
  bool with_rel = false, is_list = false;
  const Template* tmpl = nullptr;
  size_t columns = 0;  // placeholders in the template
};

const std::vector<Deparsed>* Deparser::instantiate(const Template& t, const Relation* rel,
                                                   size_t columns) {
  if (columns == 0) return &t.items;
  result_ = t.items;
  int replaced = 0;
  for (Deparsed& d : result_) {
    int n = substitute(d.text, *rel, buffer_);
    if (n < 0) return nullptr;
    replaced += n;
    d.text.swap(buffer_);
  }
  // Every column reference prints exactly once; any other count means a placeholder
  // look-alike inside a literal: deparse the real thing instead.
  return replaced == static_cast<int>(columns) ? &result_ : nullptr;
}

const std::vector<Deparsed>& Deparser::run(std::string_view tree, const Relation* rel, bool is_list,
                                           uint64_t source) {
  MemoryContext memory = static_cast<MemoryContext>(memory_);
  calls_++;
  const size_t hash = tree_hash(tree);
  if (auto s = seen_.find(hash); s != seen_.end()) {
    const Seen& seen = *s->second;
    if (seen.tree == tree && seen.with_rel == (rel != nullptr) && seen.is_list == is_list) {
      if (const std::vector<Deparsed>* items = instantiate(*seen.tmpl, rel, seen.columns)) {
        hits_++;
        return *items;
      }
    }
  }
  // The parallel worker may have deparsed this very tree already, as below (same
  // function, same settings, same snapshot: the same text); the tree's hash and length
  // make sure it is the same tree. Its first occurrence: kept as below, not cached.
  if (source != 0 && !is_list && rel && prepared_) {
    PreparedText p;
    if (prepared_->take(source, hash, tree.size(), p)) {
      prepared_hits_++;
      once_.insert(p.key_hash);
      last_ = std::make_unique<Template>();
      last_->items.resize(1);
      last_->items[0].text.swap(p.text);
      if (const std::vector<Deparsed>* items = instantiate(*last_, rel, p.columns)) return *items;
    }
  }
  Rewritten rw = rewrite(tree, rel != nullptr);
  if (!rel && !rw.attnos.empty())
    throw Error("pg_squash: internal error: a column reference outside any table");
  if (rw.cacheable) {
    auto it = cache_.find(rw.key);
    if (it == cache_.end()) {
      auto t = std::make_unique<Template>();
      RawResult raw = server_deparse(memory, rw.key.c_str(), is_list, InvalidOid);
      t->items = collect(raw);
      pg_call([&] { MemoryContextReset(memory); });
      // A tree met for the first time is not kept: in a schema whose expressions are all
      // different, a cache of them would only cost memory. Its second occurrence is.
      if (once_.insert(tree_hash(rw.key)).second) {
        last_ = std::move(t);
        if (const std::vector<Deparsed>* items = instantiate(*last_, rel, rw.attnos.size()))
          return *items;
        it = cache_.end();
      } else {
        it = cache_.emplace(std::move(rw.key), std::move(t)).first;
      }
    } else {
      hits_++;
      // A repeat: remember this very text too (unique expressions are never kept twice).
      if (!seen_.count(hash)) {
        auto seen = std::make_unique<Seen>();
        seen->tree = std::string(tree);
        seen->with_rel = rel != nullptr;
        seen->is_list = is_list;
        seen->tmpl = it->second.get();
        seen->columns = rw.attnos.size();
        seen_.emplace(hash, std::move(seen));
      }
    }
    if (it != cache_.end())
      if (const std::vector<Deparsed>* items = instantiate(*it->second, rel, rw.attnos.size()))
        return *items;
  }
  std::string whole(tree);
  RawResult raw = server_deparse(memory, whole.c_str(), is_list, rel ? rel->oid : InvalidOid);
  result_ = collect(raw);
  pg_call([&] { MemoryContextReset(memory); });
  return result_;
}

std::string Deparser::expr(std::string_view tree, const Relation* rel, uint64_t source) {
  const std::vector<Deparsed>& items = run(tree, rel, false, source);
  return items.empty() ? std::string() : items[0].text;
}

std::vector<Deparsed> Deparser::list(std::string_view tree, const Relation* rel) {
  return run(tree, rel, true, 0);
}

}  // namespace squash::catalog
