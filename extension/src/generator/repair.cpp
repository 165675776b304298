// The repair script (see repair.hpp). Both snapshots get the generator's plan; an object
// that differs is altered in place where PostgreSQL can, otherwise its step is dropped from
// the target's plan (with every step that depends on it, in reverse creation order) and
// created again from the source's (in creation order). The statements that create and drop
// are the plans' own; only the in-place ALTERs are written here.
#include "pg_squash/generator/repair.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <unordered_map>

#include "ddl_plan.hpp"
#include "pg_squash/model/changes.hpp"
#include "pg_squash/model/identity.hpp"

namespace squash::generator {

namespace {

using model::Object;

std::string last_part(const std::string& identity) {
  return std::string(model::split_last(identity).name);
}
std::string parent_part(const std::string& identity) {
  return std::string(model::split_last(identity).parent);
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool same(const std::string* a, const std::string* b) {
  return (!a && !b) || (a && b && *a == *b);
}

// The attributes whose values differ between two versions of an object.
std::set<std::string> changed_keys(const Object& a, const Object& b) {
  std::set<std::string> out;
  for (const model::Attribute& x : a.attrs)
    if (!same(&x.value, b.get(x.key))) out.insert(x.key);
  for (const model::Attribute& x : b.attrs)
    if (!a.get(x.key)) out.insert(x.key);
  return out;
}

bool only(const std::set<std::string>& keys, std::initializer_list<const char*> allowed) {
  for (const std::string& k : keys)
    if (std::find_if(allowed.begin(), allowed.end(), [&](const char* a) { return k == a; }) ==
        allowed.end())
      return false;
  return true;
}

// ACL lines "grantee=privileges" -> grantees.
std::vector<std::string> grantees(const std::string* acl) {
  std::vector<std::string> out;
  if (!acl) return out;
  size_t start = 0;
  while (start < acl->size()) {
    size_t end = acl->find('\n', start);
    if (end == std::string::npos) end = acl->size();
    const std::string line = acl->substr(start, end - start);
    const size_t eq = line.rfind('=');
    if (eq != std::string::npos && eq > 0) out.push_back(line.substr(0, eq));
    start = end + 1;
  }
  return out;
}

// How an object is named by COMMENT ON, ALTER ... OWNER TO and GRANT ... ON.
struct Ref {
  std::string comment_on;  // empty: takes no comment this way
  std::string alter;       // "TABLE public.t" for ALTER ... OWNER TO; empty: no owner
  std::string grant_on;    // "TABLE public.t"; empty: no grants
};

Ref ref_of(const Object& o) {
  const std::string& k = o.kind;
  const std::string& id = o.identity;
  if (k == "schema") return {"SCHEMA " + id, "SCHEMA " + id, "SCHEMA " + id};
  if (k == "table") return {"TABLE " + id, "TABLE " + id, "TABLE " + id};
  if (k == "view") return {"VIEW " + id, "VIEW " + id, "TABLE " + id};
  if (k == "materialized view")
    return {"MATERIALIZED VIEW " + id, "MATERIALIZED VIEW " + id, "TABLE " + id};
  if (k == "sequence") return {"SEQUENCE " + id, "SEQUENCE " + id, "SEQUENCE " + id};
  if (k == "column") return {"COLUMN " + id, "", "TABLE " + parent_part(id)};
  if (k == "enum" || k == "composite type" || k == "base type")
    return {"TYPE " + id, "TYPE " + id, "TYPE " + id};
  if (k == "shell type") return {"TYPE " + id, "TYPE " + id, ""};
  if (k == "domain") return {"DOMAIN " + id, "DOMAIN " + id, "DOMAIN " + id};
  if (k == "function") return {"FUNCTION " + id, "FUNCTION " + id, "FUNCTION " + id};
  if (k == "procedure") {
    const std::string ref = "PROCEDURE " + procedure_ref(id);
    return {ref, ref, ref};
  }
  if (k == "aggregate") {
    const std::string* args = o.get("arguments");
    const std::string sig = routine_name(id) + "(" + (args && !args->empty() ? *args : "*") + ")";
    return {"AGGREGATE " + sig, "AGGREGATE " + sig, "FUNCTION " + id};
  }
  if (k == "index") return {"INDEX " + id, "", ""};
  if (k == "constraint") return {"CONSTRAINT " + last_part(id) + " ON " + parent_part(id), "", ""};
  if (k == "trigger") return {"TRIGGER " + last_part(id) + " ON " + parent_part(id), "", ""};
  if (k == "policy") return {"POLICY " + last_part(id) + " ON " + parent_part(id), "", ""};
  if (k == "event trigger") return {"EVENT TRIGGER " + id, "EVENT TRIGGER " + id, ""};
  if (k == "operator") return {"OPERATOR " + id, "OPERATOR " + id, ""};
  if (k == "collation") return {"COLLATION " + id, "COLLATION " + id, ""};
  if (k == "cast") return {"CAST " + id, "", ""};
  if (k == "extension") return {"EXTENSION " + id, "", ""};
  // The kinds issue #15 added, named as their plans name them (ddl_*.cpp).
  if (k == "foreign table") return {"FOREIGN TABLE " + id, "FOREIGN TABLE " + id, "TABLE " + id};
  if (k == "range type") return {"TYPE " + id, "TYPE " + id, "TYPE " + id};
  if (k == "language") {
    const bool trusted = o.get("trusted") && *o.get("trusted") == "true";
    return {"LANGUAGE " + id, "LANGUAGE " + id, trusted ? "LANGUAGE " + id : ""};
  }
  if (k == "transform") return {"TRANSFORM " + id, "", ""};
  if (k == "access method") return {"ACCESS METHOD " + id, "", ""};
  if (k == "conversion") return {"CONVERSION " + id, "CONVERSION " + id, ""};
  if (k == "operator family") return {"OPERATOR FAMILY " + id, "OPERATOR FAMILY " + id, ""};
  if (k == "operator class") return {"OPERATOR CLASS " + id, "OPERATOR CLASS " + id, ""};
  if (k == "text search parser") return {"TEXT SEARCH PARSER " + id, "", ""};
  if (k == "text search template") return {"TEXT SEARCH TEMPLATE " + id, "", ""};
  if (k == "text search dictionary")
    return {"TEXT SEARCH DICTIONARY " + id, "TEXT SEARCH DICTIONARY " + id, ""};
  if (k == "text search configuration")
    return {"TEXT SEARCH CONFIGURATION " + id, "TEXT SEARCH CONFIGURATION " + id, ""};
  if (k == "foreign-data wrapper")
    return {"FOREIGN DATA WRAPPER " + id, "FOREIGN DATA WRAPPER " + id,
            "FOREIGN DATA WRAPPER " + id};
  if (k == "foreign server") return {"SERVER " + id, "SERVER " + id, "FOREIGN SERVER " + id};
  if (k == "publication") return {"PUBLICATION " + id, "PUBLICATION " + id, ""};
  if (k == "subscription") return {"SUBSCRIPTION " + id, "SUBSCRIPTION " + id, ""};
  if (k == "statistics") return {"STATISTICS " + id, "STATISTICS " + id, ""};
  if (k == "rule") return {"RULE " + last_part(id) + " ON " + parent_part(id), "", ""};
  return {};
}

// Widening type changes keep every value; any other change of type may lose data.
bool widening(const std::string& from, const std::string& to) {
  auto varchar_len = [](const std::string& t, const char* base) -> long {
    const std::string b = std::string(base) + "(";
    if (!starts_with(t, b) || !ends_with(t, ")")) return -1;
    try {
      return std::stol(t.substr(b.size(), t.size() - b.size() - 1));
    } catch (...) {
      return -1;
    }
  };
  static const std::vector<std::string> ints = {"smallint", "integer", "bigint", "numeric"};
  auto rank = [&](const std::string& t) {
    auto it = std::find(ints.begin(), ints.end(), t);
    return it == ints.end() ? -1 : static_cast<int>(it - ints.begin());
  };
  if (rank(from) >= 0 && rank(to) > rank(from)) return true;
  if (from == "real" && to == "double precision") return true;
  for (const char* base : {"character varying", "character"}) {
    const long a = varchar_len(from, base);
    if (a < 0) continue;
    if (to == "text" || to == "character varying") return true;
    const long b = varchar_len(to, "character varying");
    if (b >= a) return true;
  }
  if (starts_with(from, "numeric(") && to == "numeric") return true;
  if (from == "character varying" && to == "text") return true;
  return false;
}

// The identity sequence's options without "AS type" (the column's type decides it).
std::string identity_options(const std::string& text) {
  const size_t start = text.find(" START WITH ");
  if (start == std::string::npos) return text;
  const size_t as = text.rfind(" AS ", start);
  if (as == std::string::npos) return text;
  return text.substr(0, as) + text.substr(start);
}

std::string column_definition(const Object& c) {
  std::string d = last_part(c.identity) + " " + attr_or(c, "type", "text");
  if (const std::string* coll = c.get("collation")) d += " COLLATE " + *coll;
  if (const std::string* g = c.get("generated"))
    d += " GENERATED ALWAYS AS (" + reparseable(*g) + ") STORED";
  if (const std::string* identity = c.get("identity")) {
    d += std::string(" GENERATED ") + (*identity == "always" ? "ALWAYS" : "BY DEFAULT") +
         " AS IDENTITY";
    if (const std::string* seq = c.get("identity_sequence"))
      d += " (" + identity_options(*seq) + ")";
  }
  if (const std::string* def = c.get("default")) d += " DEFAULT " + reparseable(*def);
  if (is_true(c, "not_null")) d += " NOT NULL";
  return d;
}

// ---- statements and locks -----------------------------------------------------------

struct Statement {
  std::string sql;
  std::string destructive;  // why it loses data; empty when it does not
  // Committed before the script's transaction: a transaction may not use an enum label it
  // added (55P04), and the script may (a default, a partial index).
  bool before_transaction = false;
};

// A relation name at the start of text: up to the first space outside double quotes.
std::string name_at(const std::string& text, size_t pos) {
  bool quoted = false;
  size_t end = pos;
  for (; end < text.size(); end++) {
    if (text[end] == '"') quoted = !quoted;
    if (!quoted && (text[end] == ' ' || text[end] == '\n' || text[end] == '(')) break;
  }
  return text.substr(pos, end - pos);
}

enum LockMode { kShareUpdateExclusive = 1, kShare, kShareRowExclusive, kAccessExclusive };
const char* lock_name(int mode) {
  switch (mode) {
    case kShareUpdateExclusive:
      return "SHARE UPDATE EXCLUSIVE";
    case kShare:
      return "SHARE";
    case kShareRowExclusive:
      return "SHARE ROW EXCLUSIVE";
    default:
      return "ACCESS EXCLUSIVE";
  }
}

// The strongest lock a statement takes on an existing relation, as PostgreSQL documents
// it for each command (a relation created by the script itself is nobody else's yet).
void note_locks(const std::string& sql, std::map<std::string, int>& locks,
                const std::set<std::string>& created,
                const std::unordered_map<std::string, std::string>& index_tables) {
  auto take = [&](const std::string& rel, int mode) {
    if (rel.empty() || created.count(rel)) return;
    int& m = locks[rel];
    m = std::max(m, mode);
  };
  for (const char* p : {"ALTER TABLE ONLY ", "ALTER TABLE "}) {
    if (!starts_with(sql, p)) continue;
    const std::string rel = name_at(sql, std::string(p).size());
    if (sql.find(" VALIDATE CONSTRAINT ") != std::string::npos) {
      take(rel, kShareUpdateExclusive);
    } else if (sql.find(" FOREIGN KEY ") != std::string::npos &&
               sql.find(" ADD CONSTRAINT ") != std::string::npos) {
      take(rel, kShareRowExclusive);
      const size_t r = sql.find(" REFERENCES ");
      if (r != std::string::npos) take(name_at(sql, r + 12), kShareRowExclusive);
    } else {
      take(rel, kAccessExclusive);
    }
    for (const char* part : {" ATTACH PARTITION ", " DETACH PARTITION "}) {
      const size_t at = sql.find(part);
      if (at != std::string::npos) take(name_at(sql, at + strlen(part)), kAccessExclusive);
    }
    return;
  }
  auto after_on = [&](size_t from) {
    const size_t on = sql.find(" ON ", from);
    return on == std::string::npos ? std::string() : name_at(sql, on + 4);
  };
  if (starts_with(sql, "CREATE INDEX ") || starts_with(sql, "CREATE UNIQUE INDEX ")) {
    take(after_on(0), kShare);
  } else if (starts_with(sql, "DROP INDEX ") || starts_with(sql, "ALTER INDEX ")) {
    auto it = index_tables.find(name_at(sql, starts_with(sql, "DROP") ? 11 : 12));
    if (it != index_tables.end())
      take(it->second, starts_with(sql, "DROP") ? kAccessExclusive : kShareUpdateExclusive);
  } else if (starts_with(sql, "CREATE TRIGGER ") ||
             starts_with(sql, "CREATE CONSTRAINT TRIGGER ")) {
    take(after_on(0), kShareRowExclusive);
  } else if (starts_with(sql, "DROP TRIGGER ") || starts_with(sql, "CREATE POLICY ") ||
             starts_with(sql, "DROP POLICY ") || starts_with(sql, "ALTER POLICY ") ||
             starts_with(sql, "ALTER TRIGGER ")) {
    take(after_on(0), kAccessExclusive);
  } else {
    for (const char* p :
         {"DROP TABLE ", "DROP VIEW ", "DROP MATERIALIZED VIEW ", "ALTER VIEW ",
          "ALTER FOREIGN TABLE ", "ALTER MATERIALIZED VIEW ", "DROP SEQUENCE ", "ALTER SEQUENCE "})
      if (starts_with(sql, p)) {
        size_t at = std::string(p).size();
        if (sql.compare(at, 10, "IF EXISTS ") == 0) at += 10;
        take(name_at(sql, at), kAccessExclusive);
      }
  }
}

// ---- the two plans ------------------------------------------------------------------

struct Side {
  Side(const model::Snapshot& s, const CatalogFacts& f, const RepairOptions& r)
      : snap(s), plan(s, f, make_options(r)) {
    plan.build();
    order = plan.order();
    position.resize(plan.steps().size());
    for (size_t k = 0; k < order.size(); k++) position[order[k]] = k;
    objects.resize(plan.steps().size());
    for (const auto& [key, step] : plan.claims()) objects[step].push_back(key);
    for (const Object& o : snap.objects)
      if (o.kind == "index")
        if (const std::string* p = o.get("partition_of")) index_children[*p].push_back(o.identity);
    dependents.resize(plan.steps().size());
    for (size_t i = 0; i < plan.steps().size(); i++)
      for (size_t d : plan.steps()[i].after)
        if (d != i && d < dependents.size()) dependents[d].push_back(i);
  }
  const Options& make_options(const RepairOptions& r) {
    options.format = "sql";
    options.with_owners = true;
    options.quote_ident = r.quote_ident;
    // Tables are dropped and created one by one here: a parent's ADD COLUMN step would
    // reach children that exist already.
    options.replay_inheritance = false;
    return options;
  }
  const Object* find(const std::string& kind, const std::string& identity) const {
    auto lo = std::lower_bound(snap.objects.begin(), snap.objects.end(),
                               std::make_pair(std::string_view(kind), std::string_view(identity)),
                               [](const Object& o, const auto& key) {
                                 if (o.kind != key.first) return o.kind < key.first;
                                 return o.identity < key.second;
                               });
    if (lo == snap.objects.end() || lo->kind != kind || lo->identity != identity) return nullptr;
    return &*lo;
  }
  std::optional<size_t> step_of(const std::string& kind, const std::string& identity) const {
    auto it = plan.claims().find(ObjectKey{kind, identity});
    if (it == plan.claims().end()) return std::nullopt;
    return it->second;
  }
  // The object a step is labelled after ("kind identity").
  const Object* primary(size_t step) const {
    for (const ObjectKey& k : objects[step])
      if (plan.steps()[step].label == k.kind + " " + k.identity) return find(k.kind, k.identity);
    return objects[step].empty() ? nullptr
                                 : find(objects[step].front().kind, objects[step].front().identity);
  }
  std::vector<const Object*> columns(const std::string& table) const {
    std::vector<const Object*> out;
    auto lo = std::lower_bound(snap.objects.begin(), snap.objects.end(), std::string("column"),
                               [](const Object& o, const std::string& k) { return o.kind < k; });
    for (; lo != snap.objects.end() && lo->kind == "column"; ++lo)
      if (parent_part(lo->identity) == table) out.push_back(&*lo);
    return out;
  }

  const model::Snapshot& snap;
  Options options;
  Plan plan;
  std::vector<size_t> order, position;
  std::vector<std::vector<ObjectKey>> objects;  // step -> what it creates
  std::vector<std::vector<size_t>> dependents;  // step -> steps that come after it
  std::map<std::string, std::vector<std::string>> index_children;  // partitions' indexes
};

// Whether the side's plan knows how to create the object (its kind is one the generator
// writes).
bool expressible(const Side& side, const Object& o) {
  // Its shell and canonical function are not steps this script drops and creates with it.
  if (o.kind == "range type" && o.get("canonical")) return false;
  for (const std::string& m : side.plan.not_expressible())
    if (m == o.kind + " " + o.identity || starts_with(m, o.identity + " (")) return false;
  return true;
}

std::vector<std::string> column_order(const Side& side, const std::string& table) {
  const Object* o = side.find("column order", table);
  return o ? split_list(attr_or(*o, "columns", "")) : std::vector<std::string>{};
}

// Whether version a sorts before b, part by part ("1.10" after "1.9").
bool older_version(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    const size_t ie = std::min(a.find('.', i), a.size()), je = std::min(b.find('.', j), b.size());
    const std::string x = a.substr(i, ie - i), y = b.substr(j, je - j);
    const bool numeric = !x.empty() && !y.empty() &&
                         x.find_first_not_of("0123456789") == std::string::npos &&
                         y.find_first_not_of("0123456789") == std::string::npos;
    if (numeric && x.size() != y.size()) return x.size() < y.size();
    if (x != y) return x < y;
    i = ie + 1;
    j = je + 1;
  }
  return a.size() - std::min(i, a.size()) < b.size() - std::min(j, b.size());
}

// A child's column that its parent's ADD or DROP COLUMN brings or takes with it: every
// column of a partition, an inheritance child's column that is not also its own.
bool follows_parent(const Side& has, const Side& lacks, const Object& column) {
  const std::string table = parent_part(column.identity), name = last_part(column.identity);
  const Object* t = has.find("table", table);
  const Object* other = lacks.find("table", table);
  if (!t || !other || !same(t->get("partition_of"), other->get("partition_of")) ||
      !same(t->get("inherits"), other->get("inherits")))
    return false;
  std::vector<std::string> parents;
  if (const std::string* p = t->get("partition_of"))
    parents.push_back(*p);
  else if (is_true(column, "inherited") && !is_true(column, "local"))
    if (const std::string* i = t->get("inherits")) parents = split_list(*i);
  for (const std::string& p : parents)
    if (has.find("column", p + "." + name) && !lacks.find("column", p + "." + name)) return true;
  return false;
}

// An inherited column whose parent's column changes type or collation the same way: the
// parent's ALTER COLUMN ... TYPE converts it (PostgreSQL refuses one on the child itself).
bool type_follows_parent(const Side& src, const Side& dst, const Object& s, const Object& t) {
  const std::string table = parent_part(t.identity), name = last_part(t.identity);
  const Object* st = src.find("table", table);
  const Object* tt = dst.find("table", table);
  if (!st || !tt || !same(st->get("partition_of"), tt->get("partition_of")) ||
      !same(st->get("inherits"), tt->get("inherits")))
    return false;
  std::vector<std::string> parents;
  if (const std::string* p = tt->get("partition_of"))
    parents.push_back(*p);
  else if (is_true(t, "inherited"))
    if (const std::string* i = tt->get("inherits")) parents = split_list(*i);
  for (const std::string& p : parents) {
    const Object* sp = src.find("column", p + "." + name);
    const Object* tp = dst.find("column", p + "." + name);
    if (sp && tp && same(sp->get("type"), s.get("type")) &&
        same(sp->get("collation"), s.get("collation")) && same(tp->get("type"), t.get("type")) &&
        same(tp->get("collation"), t.get("collation")))
      return true;
  }
  return false;
}

class Builder {
 public:
  Builder(const model::Snapshot& source, const CatalogFacts& sf, const model::Snapshot& target,
          const CatalogFacts& tf, const RepairOptions& options)
      : opt_(options), src_(source, sf, options), dst_(target, tf, options) {}

  void build();
  struct Script script() const;

  std::vector<std::string> destructive;
  std::vector<std::string> not_expressible;
  std::vector<std::string> unsupported;  // differences the script cannot make
  size_t statements = 0;

 private:
  // Marks the target's step to be dropped, and what that takes with it.
  void drop(size_t target_step);
  void create(size_t source_step);
  void replace(const Object& source_object, const Object& target_object);
  void alter(const Object* in_source, std::vector<Statement> statements);
  void alter_table(const Object& s, const Object& t);
  bool restructure(const Object& s, const Object& t);
  bool inherit_in_place(const Object& s, const Object& t) const;
  // Whether the script detaches the table from its partitioned parent.
  bool detached(const std::string& table) const {
    const Object* t = dst_.find("table", table);
    const Object* s = src_.find("table", table);
    return restructured_.count(table) && s && t && t->get("partition_of") &&
           !same(t->get("partition_of"), s->get("partition_of"));
  }
  bool alter_constraint(const Object& s, const Object& t, std::set<std::string> keys);
  bool alter_view_options(const Object& s, const Object& t, const std::set<std::string>& keys);
  void alter_foreign_column(const Object* s, const Object* t);
  void alter_column(const Object* s, const Object* t);
  void alter_base_type(const Object& s, const Object& t, const std::set<std::string>& keys);
  bool alter_composite(const Object& s, const Object& t, const std::set<std::string>& keys);
  void alter_common(const Object& s, const Object& t, const std::set<std::string>& keys,
                    std::vector<Statement>& out);
  void acl_statements(const Object& s, const Object& t, std::vector<Statement>& out,
                      const std::string& column = {});
  void rename(const Object& s, const Object& t);
  void changed(const Object& s, const Object& t);
  void rebuild_table(const Object& s, const Object& t, const std::string& why);
  void relabel_enum(const Object& s, const Object& t);
  void table_uses(size_t step, const Object& table);
  void extension_columns(const Object& extension);
  void drop_column_first(std::vector<Statement>& into, const Object& column);
  void drop_views_over(const std::string& table, const std::string& column);
  std::vector<std::string> drop_statements(size_t target_step) const;
  std::vector<std::string> create_statements(size_t source_step);
  void close();

  std::string role(const std::string& name) const {
    return opt_.quote_ident ? opt_.quote_ident(name) : name;
  }
  // An enum of either side, or an array of one.
  bool is_enum(std::string type) const {
    if (ends_with(type, "[]")) type.resize(type.size() - 2);
    return src_.find("enum", type) || dst_.find("enum", type);
  }

  const RepairOptions& opt_;
  Side src_, dst_;
  std::set<size_t> drops_, creates_;  // target steps, source steps
  // Tables rebuilt with their rows: target step -> the name the old table is renamed to.
  std::map<size_t, std::string> rebuilt_;
  std::map<size_t, std::vector<Statement>> after_create_;  // source step -> statements
  std::vector<Statement> final_;                           // before the validations
  std::set<std::string> relabelled_;                       // enums created again
  std::vector<Statement> default_drops_;  // first: defaults that use what is dropped
  std::set<std::string> default_dropped_;
  // Columns dropped just before a type or function they use (target step -> statements).
  std::map<size_t, std::vector<Statement>> pre_drops_;
  std::set<std::string> early_column_drops_;
  std::vector<Statement> extension_drops_;  // before the first extension dropped
  std::map<size_t, std::string> drop_why_;  // target step -> why it loses data
  std::set<std::string> handled_;           // "kind\0identity" of the source's objects done
  std::map<size_t, std::vector<Statement>> alters_;  // source step -> in-place statements
  std::vector<Statement> renames_, validates_, column_drops_;
  std::vector<std::optional<size_t>> rename_steps_;  // the target step each rename touches
  std::vector<Statement> out_drops_, out_creates_;
  // Tables whose parents change in place (DETACH / NO INHERIT / NOT OF before the drops,
  // ATTACH / INHERIT / OF once everything is created, then partitions' indexes attached):
  // their columns' and constraints' inherited and local flags follow from that.
  std::set<std::string> restructured_;
  std::vector<Statement> early_, late_, late_index_;
};

void Builder::drop(size_t step) {
  if (!drops_.insert(step).second) return;
  // What is built on it goes first and comes back after; a table's columns that use it
  // have their defaults dropped for the time being.
  for (size_t d : dst_.dependents[step]) {
    const Object* p = dst_.primary(d);
    // A default set after its table (the generator's "column default" step) is the table's.
    const std::string& label = dst_.plan.steps()[d].label;
    if (!p && starts_with(label, "column default "))
      p = dst_.find("table", parent_part(label.substr(15)));
    if (p && p->kind == "table") {
      table_uses(step, *p);
      continue;
    }
    drop(d);
  }
  // A base type goes with its shell and the functions it names (DROP TYPE ... CASCADE
  // takes its input and output functions): all are created again.
  for (const ObjectKey& k : dst_.objects[step]) {
    if (k.kind != "base type") continue;
    if (auto sh = dst_.step_of(kBaseTypeShell, k.identity)) drop(*sh);
    if (const Object* b = dst_.find("base type", k.identity))
      for (const std::string& f : base_type_functions(*b, true))
        for (const Object& fn : dst_.snap.objects)
          if (fn.kind == "function" && compact_signature(fn.identity) == f)
            if (auto fs = dst_.step_of("function", fn.identity)) drop(*fs);
  }
  if (const Object* p = dst_.primary(step); p && p->kind == "extension") extension_columns(*p);
  // A partitioned index takes its partitions' indexes with it.
  for (const ObjectKey& k : dst_.objects[step]) {
    if (k.kind != "index") continue;
    auto children = dst_.index_children.find(k.identity);
    if (children == dst_.index_children.end()) continue;
    for (const std::string& child : children->second)
      if (auto c = dst_.step_of("index", child)) drop(*c);
  }
  // A table takes the sequences its columns own with it (a rebuilt one keeps them).
  if (const Object* p = dst_.primary(step); p && p->kind == "table" && !rebuilt_.count(step))
    for (const Object& o : dst_.snap.objects)
      if (o.kind == "sequence")
        if (const std::string* own = o.get("owned_by"))
          if (parent_part(*own) == p->identity)
            if (auto s = dst_.step_of("sequence", o.identity)) drops_.insert(*s);
}

void Builder::create(size_t step) {
  creates_.insert(step);
}

// Drops until every object the creates make is gone, and creates whatever the drops took
// that the source still has.
void Builder::close() {
  for (bool again = true; again;) {
    again = false;
    for (size_t d : std::vector<size_t>(drops_.begin(), drops_.end()))
      for (const ObjectKey& k : dst_.objects[d])
        if (auto s = k.kind == "column default" ? std::nullopt : src_.step_of(k.kind, k.identity))
          if (creates_.insert(*s).second) again = true;
    for (size_t c : std::vector<size_t>(creates_.begin(), creates_.end()))
      for (const ObjectKey& k : src_.objects[c])
        if (auto t = k.kind == "column default" ? std::nullopt : dst_.step_of(k.kind, k.identity))
          if (!drops_.count(*t) && !(k.kind == "enum" && relabelled_.count(k.identity))) {
            drop(*t);
            again = true;
          }
  }
  // A sequence created again starts over; its ownership comes back with it.
  for (size_t i = 0; i < src_.plan.steps().size(); i++) {
    const Step& s = src_.plan.steps()[i];
    if (starts_with(s.label, "sequence ownership ") && !s.after.empty() &&
        creates_.count(s.after.front()))
      creates_.insert(i);
  }
}

void Builder::replace(const Object& s, const Object& t) {
  if (auto ts = dst_.step_of(t.kind, t.identity)) drop(*ts);
  if (auto ss = src_.step_of(s.kind, s.identity)) create(*ss);
}

void Builder::alter(const Object* in_source, std::vector<Statement> statements) {
  if (statements.empty()) return;
  std::optional<size_t> step;
  if (in_source) {
    const std::string& k = in_source->kind;
    if (k == "column" || k == "column order")
      step = src_.step_of("table", parent_part(in_source->identity));
    if (!step && k == "column") step = src_.step_of("view", parent_part(in_source->identity));
    if (!step && k == "column")
      step = src_.step_of("materialized view", parent_part(in_source->identity));
    if (!step && k == "column")
      step = src_.step_of("foreign table", parent_part(in_source->identity));
    if (!step) step = src_.step_of(k, in_source->identity);
  }
  if (step) {
    for (Statement& st : statements) alters_[*step].push_back(std::move(st));
    return;
  }
  for (Statement& st : statements) {
    renames_.push_back(std::move(st));
    rename_steps_.push_back(std::nullopt);
  }
}

void Builder::acl_statements(const Object& s, const Object& t, std::vector<Statement>& out,
                             const std::string& column) {
  const Ref r = ref_of(s);
  if (r.grant_on.empty()) return;
  const std::string col = column.empty() ? "" : " (" + column + ")";
  for (const std::string& g : grantees(t.get("acl")))
    out.push_back({"REVOKE ALL" + col + " ON " + r.grant_on + " FROM " + g, ""});
  // The source's own grants, as its plan writes them.
  // A column's grants are in its relation's step.
  std::optional<size_t> step;
  if (s.kind != "column") {
    step = src_.step_of(s.kind, s.identity);
  } else {
    for (const char* kind : {"table", "view", "materialized view"})
      if (!step) step = src_.step_of(kind, parent_part(s.identity));
  }
  if (!step) return;
  for (const std::string& st : src_.plan.steps()[*step].sql) {
    if (!starts_with(st, "GRANT ") && !starts_with(st, "REVOKE ")) continue;
    const size_t on = st.find(" ON " + r.grant_on + " ");
    if (on == std::string::npos) continue;
    const bool is_column = st.find(" (") != std::string::npos && st.find(" (") < on;
    if (column.empty() ? is_column && starts_with(st, "REVOKE ")
                       : !is_column || st.find(col + " ON ") == std::string::npos)
      continue;
    out.push_back({st, ""});
  }
}

// Comment, owner and privileges: the same way for every kind.
void Builder::alter_common(const Object& s, const Object& t, const std::set<std::string>& keys,
                           std::vector<Statement>& out) {
  const Ref r = ref_of(s);
  // A sequence linked to a column follows its table's owner (and may not be given another).
  const bool linked = s.kind == "sequence" && s.get("owned_by");
  if (keys.count("owner") && !r.alter.empty() && !linked) {
    if (const std::string* owner = s.get("owner"))
      out.push_back({"ALTER " + r.alter + " OWNER TO " + role(*owner), ""});
  }
  if (keys.count("comment") && !r.comment_on.empty()) {
    const std::string* c = s.get("comment");
    out.push_back({"COMMENT ON " + r.comment_on + " IS " + (c ? sql_literal(*c) : "NULL"), ""});
  }
  if (keys.count("acl")) acl_statements(s, t, out);
}

void Builder::drop_views_over(const std::string& table, const std::string& column) {
  auto step = dst_.step_of("table", table);
  if (!step) return;
  for (size_t d : dst_.dependents[*step]) {
    const Object* p = dst_.primary(d);
    if (!p) continue;
    if (p->kind == "view" || p->kind == "materialized view") {
      drop(d);
    } else if (p->kind == "trigger" || p->kind == "policy") {
      // Only those that name the column.
      for (const model::Attribute& a : p->attrs)
        if (a.value.find(column) != std::string::npos) {
          drop(d);
          break;
        }
    }
  }
}

// Unquoted name part: "\"Odd\"\"x\"" -> Odd"x.
std::string raw_name(const std::string& part) {
  if (part.size() < 2 || part.front() != '"') return part;
  std::string out;
  for (size_t i = 1; i + 1 < part.size(); i++) {
    out += part[i];
    if (part[i] == '"') i++;
  }
  return out;
}

// The name an object is renamed to while its replacement is built: short (a name of 63
// bytes plus a suffix would be truncated back to itself) and derived from the identity
// (FNV-1a), so the same schemas give the same script.
std::string aside_name(const std::string& identity) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : identity) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char hex[17];
  snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return std::string("pg_squash_old_") + hex;
}

// The table is renamed aside, its indexes and keys dropped (their names are the new
// table's), the source's table created, the rows copied over, the old table dropped.
void Builder::rebuild_table(const Object& s, const Object& t, const std::string& why) {
  handled_.insert("table\x01" + s.identity);
  // Rows of partitions or inheritance children are not the parent's own (copied FROM ONLY):
  // renaming the parent aside and dropping it would drop them. Not done here.
  for (const Object& o : dst_.snap.objects) {
    if (o.kind != "table" && o.kind != "foreign table") continue;
    const std::string* p = o.get("partition_of");
    const std::string* i = o.get("inherits");
    bool child = p && *p == t.identity;
    if (i)
      for (const std::string& parent : split_list(*i)) child = child || parent == t.identity;
    // A child the source lacks is dropped before the rebuild (and listed as such).
    if (child && src_.find(o.kind, o.identity)) {
      unsupported.push_back("table " + t.identity + " would be rebuilt (" + why + "), but " +
                            o.identity + " is its partition or child: its rows would be lost");
      return;
    }
  }
  auto ts = dst_.step_of("table", t.identity);
  auto ss = src_.step_of("table", s.identity);
  if (!ts || !ss) return;
  const std::string aside = role(aside_name(t.identity));
  const std::string old = parent_part(t.identity) + "." + aside;
  rebuilt_[*ts] = aside;
  drop(*ts);
  drop_why_[*ts] = "table " + t.identity + " rebuilt (" + why +
                   "): its rows are copied into a new table and the old one is dropped";
  create(*ss);
  // The copy: columns both have, through text where the type changed.
  std::string names, values;
  bool identity_always = false;
  std::vector<Statement> copy;
  for (const Object* c : src_.columns(s.identity)) {
    const std::string name = last_part(c->identity);
    const Object* tc = dst_.find("column", t.identity + "." + name);
    // (A column its parent's DROP COLUMN takes is gone from the old table.)
    if (!tc || c->get("generated") || follows_parent(dst_, src_, *tc)) continue;
    const std::string type = attr_or(*c, "type", "text");
    names += (names.empty() ? "" : ", ") + name;
    values += (values.empty() ? "" : ", ") +
              (attr_or(*tc, "type", "text") == type && !relabelled_.count(type)
                   ? name
                   : name + "::text::" + type);
    if (attr_or(*c, "identity", "") == "always") identity_always = true;
  }
  if (!names.empty())
    copy.push_back({"INSERT INTO " + s.identity + " (" + names + ")" +
                        (identity_always ? " OVERRIDING SYSTEM VALUE" : "") + " SELECT " + values +
                        " FROM ONLY " + old,
                    ""});
  for (const Object* c : src_.columns(s.identity))
    if (c->get("identity") && dst_.find("column", t.identity + "." + last_part(c->identity)))
      copy.push_back({"SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence(" +
                          sql_literal(s.identity) + ", " +
                          sql_literal(raw_name(last_part(c->identity))) +
                          "), m) FROM (SELECT pg_catalog.max(" + last_part(c->identity) +
                          ") AS m FROM " + s.identity + ") x WHERE m IS NOT NULL",
                      ""});
  // Sequences the old table's columns owned now belong to the new one.
  for (const Object& o : dst_.snap.objects)
    if (o.kind == "sequence")
      if (const std::string* own = o.get("owned_by"))
        if (parent_part(*own) == t.identity) {
          if (const Object* so = src_.find("sequence", o.identity))
            if (const std::string* sown = so->get("owned_by"))
              copy.push_back({"ALTER SEQUENCE " + o.identity + " OWNED BY " + *sown, ""});
        }
  copy.push_back({"DROP TABLE " + old, ""});
  after_create_[*ss] = std::move(copy);
}

// A dropped object that a table of the target uses: a column default calling it is dropped
// first and set again from the source; a column of its type cannot stay (not supported).
void Builder::table_uses(size_t step, const Object& table) {
  if (auto ts = dst_.step_of("table", table.identity); ts && drops_.count(*ts)) return;
  std::vector<std::string> names;
  for (const ObjectKey& k : dst_.objects[step])
    names.push_back(k.kind == "function" || k.kind == "procedure" || k.kind == "aggregate"
                        ? routine_name(k.identity)
                        : k.identity);
  for (const Object* c : dst_.columns(table.identity))
    for (const std::string& n : names) {
      const std::string type = attr_or(*c, "type", "");
      const bool uses_type =
          type == n || type == n + "[]" ||
          (c->get("generated") && c->get("generated")->find(n) != std::string::npos);
      if (!src_.find("column", c->identity) && src_.find("table", table.identity)) {
        // The source lacks the column: it goes before what it uses.
        const std::string* d = c->get("default");
        if (uses_type || attr_or(*c, "collation", "") == n ||
            (d && d->find(n) != std::string::npos))
          drop_column_first(pre_drops_[step], *c);
      } else if (const Object* sc = src_.find("column", c->identity);
                 sc && attr_or(*c, "collation", "") == n && attr_or(*sc, "collation", "") != n) {
        // Off the collation before it goes; the column's own change sets the source's.
        drop_views_over(table.identity, last_part(c->identity));
        pre_drops_[step].push_back({"ALTER TABLE " + table.identity + " ALTER COLUMN " +
                                        last_part(c->identity) + " TYPE " + type +
                                        " COLLATE pg_catalog.\"default\"",
                                    ""});
      } else if (uses_type) {
        unsupported.push_back("column " + c->identity + " uses " + n +
                              ", which must be dropped and created again");
      } else if (const std::string* d = c->get("default")) {
        if (d->find(n) == std::string::npos || !default_dropped_.insert(c->identity).second)
          continue;
        const std::string col =
            "ALTER TABLE " + table.identity + " ALTER COLUMN " + last_part(c->identity);
        default_drops_.push_back({col + " DROP DEFAULT", ""});
        if (const Object* sc = src_.find("column", c->identity))
          if (const std::string* sd = sc->get("default"))
            alter(sc, {{col + " SET DEFAULT " + reparseable(*sd), ""}});
      }
    }
}

void Builder::drop_column_first(std::vector<Statement>& into, const Object& column) {
  const std::string table = parent_part(column.identity), name = last_part(column.identity);
  const std::string sql = "ALTER TABLE " + table + " DROP COLUMN " + name;
  if (!early_column_drops_.insert(sql).second) return;
  drop_views_over(table, name);
  into.push_back({sql, "column " + column.identity + " dropped: its values are lost"});
}

// An extension's types are not in the snapshot: a column the source lacks, of a type in the
// extension's schema that the snapshot does not define, goes before the extension.
void Builder::extension_columns(const Object& extension) {
  const std::string prefix = attr_or(extension, "schema", "public") + ".";
  for (const Object& c : dst_.snap.objects) {
    if (c.kind != "column" || src_.find("column", c.identity)) continue;
    const std::string table = parent_part(c.identity);
    if (!dst_.find("table", table) || !src_.find("table", table)) continue;
    std::string type = attr_or(c, "type", "");
    while (ends_with(type, "[]")) type.resize(type.size() - 2);
    if (!starts_with(type, prefix)) continue;
    bool own = false;
    for (const char* kind : {"enum", "domain", "composite type", "range type", "base type"})
      own = own || dst_.find(kind, type);
    if (!own) drop_column_first(extension_drops_, c);
  }
}

// Labels reordered or removed: the old type is renamed aside, the source's created, every
// column converted through text (a value with a label the source lacks fails the script),
// the old type dropped. What else uses the type is dropped first and created again.
void Builder::relabel_enum(const Object& s, const Object& t) {
  auto ts = dst_.step_of("enum", t.identity);
  auto ss = src_.step_of("enum", s.identity);
  if (!ts || !ss) return;
  relabelled_.insert(s.identity);
  for (size_t d : dst_.dependents[*ts]) {
    const Object* p = dst_.primary(d);
    if (!p || p->kind != "table") drop(d);
  }
  const std::string aside = role(aside_name(t.identity));
  renames_.push_back({"ALTER TYPE " + t.identity + " RENAME TO " + aside, ""});
  rename_steps_.push_back(std::nullopt);
  create(*ss);
  std::vector<Statement> convert;
  for (const Object& c : dst_.snap.objects) {
    if (c.kind != "column") continue;
    const std::string type = attr_or(c, "type", "");
    if (type != t.identity && type != t.identity + "[]") continue;
    const std::string table = parent_part(c.identity), name = last_part(c.identity);
    const Object* sc = src_.find("column", c.identity);
    if (!src_.find("table", table) || !dst_.find("table", table) || !sc) continue;
    drop_views_over(table, name);
    const std::string col = "ALTER TABLE " + table + " ALTER COLUMN " + name;
    if (c.get("default")) convert.push_back({col + " DROP DEFAULT", ""});
    const std::string to = attr_or(*sc, "type", type);
    convert.push_back({col + " TYPE " + to + " USING " + name + "::text::" + to, ""});
    if (const std::string* d = sc->get("default"))
      convert.push_back({col + " SET DEFAULT " + reparseable(*d), ""});
  }
  convert.push_back({"DROP TYPE " + parent_part(t.identity) + "." + aside, ""});
  after_create_[*ss] = std::move(convert);
  std::vector<Statement> rest;
  alter_common(s, t, changed_keys(s, t), rest);
  alter(&s, std::move(rest));
}

// What ALTER TYPE ... SET changes in place: the optional support functions and the
// storage (but never to plain). Anything else drops the type, with its functions, and
// creates it again: refused without allow_destructive.
void Builder::alter_base_type(const Object& s, const Object& t, const std::set<std::string>& keys) {
  static const std::pair<const char*, const char*> kSettable[] = {
      {"receive", "RECEIVE"},       {"send", "SEND"},       {"typmod_in", "TYPMOD_IN"},
      {"typmod_out", "TYPMOD_OUT"}, {"analyze", "ANALYZE"}, {"subscript", "SUBSCRIPT"}};
  bool in_place = !(keys.count("storage") && attr_or(s, "storage", "plain") == "plain");
  for (const std::string& k : keys) {
    bool settable = k == "comment" || k == "owner" || k == "acl" || k == "storage";
    for (const auto& [key, option] : kSettable) settable = settable || k == key;
    in_place = in_place && settable;
  }
  if (!in_place) {
    std::string what;
    for (const std::string& k : keys) what += (what.empty() ? "" : ", ") + k;
    replace(s, t);
    if (auto ts = dst_.step_of("base type", t.identity))
      drop_why_[*ts] = "base type " + t.identity + " dropped and created again (" + what +
                       " changed): what uses it is dropped with it";
    return;
  }
  std::vector<std::string> set;
  for (const auto& [key, option] : kSettable)
    if (keys.count(key)) {
      const std::string* f = s.get(key);
      set.push_back(std::string(option) + " = " + (f ? routine_name(*f) : "NONE"));
    }
  if (keys.count("storage")) set.push_back("STORAGE = " + attr_or(s, "storage", "plain"));
  std::vector<Statement> out;
  if (!set.empty()) {
    std::string sql = "ALTER TYPE " + s.identity + " SET (";
    for (size_t k = 0; k < set.size(); k++) sql += (k ? ", " : "") + set[k];
    out.push_back({sql + ")", ""});
  }
  alter_common(s, t, keys, out);
  alter(&s, std::move(out));
}

namespace {

// A composite type's attribute ("name type [COLLATE c]") split after its name.
std::pair<std::string, std::string> attribute_parts(const std::string& item) {
  size_t end = 0;
  if (!item.empty() && item[0] == '"') {
    for (end = 1; end < item.size(); end++) {
      if (item[end] != '"') continue;
      if (end + 1 < item.size() && item[end + 1] == '"') {
        end++;  // a doubled quote inside the name
        continue;
      }
      break;
    }
    end++;
  } else {
    end = item.find(' ');
  }
  if (end == std::string::npos || end >= item.size()) return {item, ""};
  return {item.substr(0, end), item.substr(end + 1)};
}

}  // namespace

// ALTER TYPE ... DROP, ALTER and ADD ATTRIBUTE, when those make the source's attributes in
// its order (ADD puts one last). A column of the type keeps its values in the attributes
// that stay; one it loses is destructive. PostgreSQL refuses ALTER ATTRIBUTE ... TYPE while a
// column uses the type. False: the type must be dropped and created again.
bool Builder::alter_composite(const Object& s, const Object& t, const std::set<std::string>& keys) {
  if (!only(keys, {"comment", "owner", "acl", "attributes"})) return false;
  std::vector<std::pair<std::string, std::string>> want, have;
  for (const std::string& a : split_list(attr_or(s, "attributes", "")))
    want.push_back(attribute_parts(a));
  for (const std::string& a : split_list(attr_or(t, "attributes", "")))
    have.push_back(attribute_parts(a));
  auto find = [](const std::vector<std::pair<std::string, std::string>>& list,
                 const std::string& name) -> const std::string* {
    for (const auto& [n, def] : list)
      if (n == name) return &def;
    return nullptr;
  };
  std::vector<std::string> columns;  // the target's columns of the type
  for (const Object& c : dst_.snap.objects) {
    // A typed table would need CASCADE, which alters the table too: the type is dropped
    // and created instead.
    if (c.kind == "table" && same(c.get("of_type"), &t.identity)) return false;
    if (c.kind != "column") continue;
    const std::string type = attr_or(c, "type", "");
    if (type == t.identity || type == t.identity + "[]") columns.push_back(c.identity);
  }
  const std::string at = "ALTER TYPE " + s.identity;
  std::vector<Statement> out;
  std::vector<std::string> order;
  for (const auto& [name, def] : have) {
    const std::string* w = find(want, name);
    if (!w) {
      std::string why = "attribute " + name + " of composite type " + s.identity + " dropped";
      if (!columns.empty()) {
        why += ": its values in column";
        for (size_t i = 0; i < columns.size(); i++) why += (i ? ", " : " ") + columns[i];
        why += " are lost";
      }
      out.push_back({at + " DROP ATTRIBUTE " + name, columns.empty() ? "" : why});
      continue;
    }
    order.push_back(name);
    if (*w == def) continue;
    if (!columns.empty()) return false;
    out.push_back({at + " ALTER ATTRIBUTE " + name + " TYPE " + *w, ""});
  }
  for (const auto& [name, def] : want)
    if (!find(have, name)) {
      out.push_back({at + " ADD ATTRIBUTE " + name + " " + def, ""});
      order.push_back(name);
    }
  for (size_t i = 0; i < want.size(); i++)
    if (order[i] != want[i].first) return false;
  alter_common(s, t, keys, out);
  alter(&s, std::move(out));
  return true;
}

// A foreign table's column: its options (OPTIONS (DROP / SET / ADD ...)) and comment in
// place; anything else, or a column added or dropped, creates the foreign table again (its
// rows are not its own).
void Builder::alter_foreign_column(const Object* s, const Object* t) {
  const std::string& id = s ? s->identity : t->identity;
  const std::string table = parent_part(id), name = last_part(id);
  const Object* sf = src_.find("foreign table", table);
  const Object* tf = dst_.find("foreign table", table);
  if (!sf || !tf) return;  // created or dropped as a whole
  const std::set<std::string> keys = s && t ? changed_keys(*s, *t) : std::set<std::string>{};
  auto secret = [](const Object* c) {
    const std::string* fo = c ? c->get("fdw_options") : nullptr;
    return fo && fo->find(" (secret)") != std::string::npos;
  };
  if (!s || !t || !only(keys, {"fdw_options", "comment"}) || secret(s) || secret(t)) {
    replace(*sf, *tf);
    return;
  }
  std::vector<Statement> out;
  if (keys.count("fdw_options")) {
    // Items "name 'value'", by name.
    auto items = [](const Object* c) {
      std::map<std::string, std::string> out;
      const std::string* fo = c->get("fdw_options");
      for (const std::string& item : split_list(fo ? *fo : ""))
        out[item.substr(0, item.find(' '))] = item;
      return out;
    };
    const auto want = items(s), have = items(t);
    std::string change;
    auto add = [&](const std::string& piece) { change += (change.empty() ? "" : ", ") + piece; };
    for (const auto& [key, item] : have)
      if (!want.count(key)) add("DROP " + key);
    for (const auto& [key, item] : want) {
      auto h = have.find(key);
      if (h == have.end())
        add("ADD " + item);
      else if (h->second != item)
        add("SET " + item);
    }
    out.push_back(
        {"ALTER FOREIGN TABLE " + table + " ALTER COLUMN " + name + " OPTIONS (" + change + ")",
         ""});
  }
  if (keys.count("comment")) {
    const std::string* c = s->get("comment");
    out.push_back({"COMMENT ON COLUMN " + id + " IS " + (c ? sql_literal(*c) : "NULL"), ""});
  }
  alter(s, std::move(out));
}

void Builder::alter_column(const Object* s, const Object* t) {
  const std::string& id = s ? s->identity : t->identity;
  const std::string table = parent_part(id);
  const std::string name = last_part(id);
  if (src_.find("foreign table", table) || dst_.find("foreign table", table)) {
    alter_foreign_column(s, t);
    return;
  }
  if (!src_.find("table", table)) {
    // A view's column: its default, comment and grants; anything else comes with the view.
    if (s && t) {
      std::vector<Statement> out;
      const std::set<std::string> keys = changed_keys(*s, *t);
      for (const std::string& k : keys)
        if (k != "comment" && k != "acl" && k != "default") {
          for (const char* kind : {"view", "materialized view"})
            if (const Object* sv = src_.find(kind, table))
              if (const Object* tv = dst_.find(kind, table)) replace(*sv, *tv);
          return;
        }
      if (keys.count("default")) {
        const std::string* d = s->get("default");
        out.push_back({"ALTER VIEW " + table + " ALTER COLUMN " + name +
                           (d ? " SET DEFAULT " + reparseable(*d) : " DROP DEFAULT"),
                       ""});
      }
      alter_common(*s, *t, keys, out);
      alter(s, std::move(out));
    }
    return;
  }
  if (!dst_.find("table", table)) return;  // the whole table is created
  const std::string at = "ALTER TABLE " + table;
  std::vector<Statement> out;
  if (!s) {
    drop_views_over(table, name);
    if (follows_parent(dst_, src_, *t)) return;
    column_drops_.push_back(
        {at + " DROP COLUMN " + name, "column " + id + " dropped: its values are lost"});
    return;
  }
  if (!t) {
    if (!follows_parent(src_, dst_, *s))
      out.push_back({at + " ADD COLUMN " + column_definition(*s), ""});
    if (const std::string* c = s->get("comment"))
      out.push_back({"COMMENT ON COLUMN " + id + " IS " + sql_literal(*c), ""});
    if (s->get("acl")) {
      Object none;
      none.kind = s->kind;
      none.identity = id;
      acl_statements(*s, none, out, name);
    }
    alter(s, std::move(out));
    return;
  }
  std::set<std::string> keys = changed_keys(*s, *t);
  if (restructured_.count(table)) {  // INHERIT / NO INHERIT set them
    keys.erase("inherited");
    keys.erase("local");
  }
  const std::string col = at + " ALTER COLUMN " + name;
  if (keys.count("generated") && !s->get("generated")) {
    // The values stay, as a plain column's.
    out.push_back({col + " DROP EXPRESSION", ""});
    keys.erase("generated");
  }
  if (keys.count("generated") || keys.count("inherited") || keys.count("local")) {
    rebuild_table(*src_.find("table", table), *dst_.find("table", table),
                  "column " + name + " changed what PostgreSQL cannot alter in place");
    return;
  }
  const std::string* sd = s->get("default");
  if (keys.count("type") || keys.count("collation")) {
    const std::string from = attr_or(*t, "type", "text"), to = attr_or(*s, "type", "text");
    drop_views_over(table, name);
    // The old default may not cast to the new type: set again afterwards.
    if (t->get("default")) out.push_back({col + " DROP DEFAULT", ""});
    if (!type_follows_parent(src_, dst_, *s, *t)) {
      std::string sql = col + " TYPE " + to;
      if (const std::string* coll = s->get("collation")) sql += " COLLATE " + *coll;
      // No cast links an enum to another type but text's I/O: go through it.
      if (from != to)
        sql += " USING " + name + (is_enum(from) || is_enum(to) ? "::text::" : "::") + to;
      out.push_back({sql, from == to || widening(from, to)
                              ? std::string()
                              : "column " + id + " type " + from + " -> " + to +
                                    ": values that do not fit are lost or refused"});
    }
    if (sd) out.push_back({col + " SET DEFAULT " + reparseable(*sd), ""});
  } else if (keys.count("default")) {
    out.push_back({sd ? col + " SET DEFAULT " + reparseable(*sd) : col + " DROP DEFAULT", ""});
  }
  // An identity column's NOT NULL can only go after the identity; an identity needs it first.
  const bool identity_changed = keys.count("identity") || keys.count("identity_sequence");
  if (identity_changed && t->get("identity")) out.push_back({col + " DROP IDENTITY", ""});
  if (keys.count("not_null"))
    out.push_back({col + (is_true(*s, "not_null") ? " SET NOT NULL" : " DROP NOT NULL"), ""});
  if (identity_changed) {
    if (const std::string* identity = s->get("identity")) {
      std::string sql = col + " ADD GENERATED " +
                        (*identity == "always" ? "ALWAYS" : "BY DEFAULT") + " AS IDENTITY";
      if (const std::string* seq = s->get("identity_sequence"))
        sql += " (" + identity_options(*seq) + ")";
      out.push_back({sql, t->get("identity") ? "identity sequence of column " + id +
                                                   " created again: it starts over"
                                             : std::string()});
    }
  }
  if (keys.count("storage"))
    out.push_back({col + " SET STORAGE " + attr_or(*s, "storage", "EXTENDED"), ""});
  if (keys.count("compression"))
    out.push_back({col + " SET COMPRESSION " + attr_or(*s, "compression", "DEFAULT"), ""});
  if (keys.count("statistics"))
    out.push_back({col + " SET STATISTICS " + attr_or(*s, "statistics", "-1"), ""});
  if (keys.count("options")) {
    if (const std::string* o = t->get("options")) {
      std::string names;
      for (const std::string& item : split_list(*o))
        names += (names.empty() ? "" : ", ") + item.substr(0, item.find('='));
      out.push_back({col + " RESET (" + names + ")", ""});
    }
    if (const std::string* o = s->get("options")) out.push_back({col + " SET (" + *o + ")", ""});
  }
  if (keys.count("comment")) {
    const std::string* c = s->get("comment");
    out.push_back({"COMMENT ON COLUMN " + id + " IS " + (c ? sql_literal(*c) : "NULL"), ""});
  }
  if (keys.count("acl")) acl_statements(*s, *t, out, name);
  alter(s, std::move(out));
}

// What ALTER TABLE changes in place besides parents, type and access method.
const std::initializer_list<const char*> kTableInPlace = {
    "comment",          "owner",   "acl",        "rls_enabled", "rls_forced",
    "replica_identity", "options", "persistence"};

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// The objects of a kind whose identity is the table's name and one more part (its columns,
// its constraints).
std::vector<const Object*> parts_of(const Side& side, const std::string& kind,
                                    const std::string& table) {
  std::vector<const Object*> out;
  auto lo = std::lower_bound(side.snap.objects.begin(), side.snap.objects.end(), kind,
                             [](const Object& o, const std::string& k) { return o.kind < k; });
  for (; lo != side.snap.objects.end() && lo->kind == kind; ++lo)
    if (parent_part(lo->identity) == table) out.push_back(&*lo);
  return out;
}

// Whether NO INHERIT and INHERIT leave the table's columns and check constraints as the
// source has them: PostgreSQL makes one local when NO INHERIT leaves it no parent, and
// INHERIT changes no local flag. Otherwise the table is rebuilt.
bool Builder::inherit_in_place(const Object& s, const Object& t) const {
  const std::vector<std::string> want = split_list(attr_or(s, "inherits", "")),
                                 have = split_list(attr_or(t, "inherits", ""));
  std::vector<std::string> result;
  for (const std::string& p : have)
    if (contains(want, p)) result.push_back(p);
  for (const std::string& p : want)
    if (!contains(result, p)) result.push_back(p);
  if (result != want) return false;  // INHERIT appends: another order needs a rebuild
  auto inherits = [](const Object* parent) {
    return parent && (parent->kind == "column" ||
                      (attr_or(*parent, "type", "") == "check" && !is_true(*parent, "noinherit")));
  };
  for (const char* kind : {"column", "constraint"}) {
    const std::vector<const Object*> mine = parts_of(src_, kind, s.identity);
    if (mine.size() != parts_of(dst_, kind, t.identity).size()) return false;
    for (const Object* sc : mine) {
      const std::string name = last_part(sc->identity);
      const Object* tc = dst_.find(kind, t.identity + "." + name);
      if (!tc) return false;
      size_t after = 0, kept = 0;
      for (const std::string& p : want)
        if (inherits(src_.find(kind, p + "." + name))) after++;
      for (const std::string& p : have)
        if (contains(want, p) && inherits(dst_.find(kind, p + "." + name))) kept++;
      const bool local = kept == 0 || !is_true(*tc, "inherited") || is_true(*tc, "local");
      if (after == 0 ? sc->get("inherited") != nullptr
                     : !is_true(*sc, "inherited") || is_true(*sc, "local") != local)
        return false;
    }
  }
  return true;
}

// Partitions attached or detached, parents inherited or not, the row type and the access
// method: in place, the rows kept. False when something else needs a rebuild (or none of
// these changed).
bool Builder::restructure(const Object& s, const Object& t) {
  const std::set<std::string> keys = changed_keys(s, t);
  const bool set_am = opt_.server_version >= 150000;
  bool any = false;
  for (const std::string& k : keys) {
    const bool structural = (k == "access_method" && set_am) || k == "of_type" ||
                            k == "partition_of" || k == "partition_bound" || k == "inherits";
    any = any || structural;
    if (!structural && !only({k}, kTableInPlace)) return false;
  }
  if (!any || (keys.count("inherits") && !inherit_in_place(s, t))) return false;
  const std::string at = "ALTER TABLE " + s.identity;
  if (keys.count("partition_of") || keys.count("partition_bound")) {
    if (const std::string* p = t.get("partition_of"))
      early_.push_back({"ALTER TABLE " + *p + " DETACH PARTITION " + t.identity, ""});
    if (const std::string* p = s.get("partition_of"))
      late_.push_back({"ALTER TABLE " + *p + " ATTACH PARTITION " + s.identity + " " +
                           attr_or(s, "partition_bound", "DEFAULT"),
                       ""});
  }
  if (keys.count("inherits")) {
    const std::vector<std::string> want = split_list(attr_or(s, "inherits", "")),
                                   have = split_list(attr_or(t, "inherits", ""));
    for (const std::string& p : have)
      if (!contains(want, p)) early_.push_back({at + " NO INHERIT " + p, ""});
    for (const std::string& p : want)
      if (!contains(have, p)) late_.push_back({at + " INHERIT " + p, ""});
  }
  if (keys.count("of_type")) {
    if (t.get("of_type")) early_.push_back({at + " NOT OF", ""});
    if (const std::string* type = s.get("of_type")) late_.push_back({at + " OF " + *type, ""});
  }
  if (keys.count("access_method"))
    alter(&s, {{at + " SET ACCESS METHOD " + attr_or(s, "access_method", "heap"), ""}});
  restructured_.insert(s.identity);
  return true;
}

void Builder::alter_table(const Object& s, const Object& t) {
  std::set<std::string> keys = changed_keys(s, t);
  if (restructured_.count(s.identity))
    for (const char* k :
         {"access_method", "of_type", "partition_of", "partition_bound", "inherits"})
      keys.erase(k);
  if (!only(keys, kTableInPlace)) {
    std::string what;
    for (const std::string& k : keys) what += (what.empty() ? "" : ", ") + k;
    rebuild_table(s, t, what + " changed");
    return;
  }
  const std::string at = "ALTER TABLE " + s.identity;
  std::vector<Statement> out;
  if (keys.count("rls_enabled"))
    out.push_back(
        {at + (is_true(s, "rls_enabled") ? " ENABLE" : " DISABLE") + " ROW LEVEL SECURITY", ""});
  if (keys.count("rls_forced"))
    out.push_back(
        {at + (is_true(s, "rls_forced") ? " FORCE" : " NO FORCE") + " ROW LEVEL SECURITY", ""});
  if (keys.count("replica_identity")) {
    const std::string ri = attr_or(s, "replica_identity", "default");
    // USING INDEX comes with the index (its replica_identity attribute).
    if (ri != "index")
      out.push_back({"ALTER TABLE ONLY " + s.identity + " REPLICA IDENTITY " +
                         (ri == "full"      ? "FULL"
                          : ri == "nothing" ? "NOTHING"
                                            : "DEFAULT"),
                     ""});
  }
  if (keys.count("persistence"))
    out.push_back({at + (attr_or(s, "persistence", "permanent") == "unlogged" ? " SET UNLOGGED"
                                                                              : " SET LOGGED"),
                   ""});
  if (keys.count("options")) {
    if (const std::string* o = t.get("options")) {
      std::string names;
      for (const std::string& item : split_list(*o))
        names += (names.empty() ? "" : ", ") + item.substr(0, item.find('='));
      if (!names.empty()) out.push_back({at + " RESET (" + names + ")", ""});
    }
    if (const std::string* o = s.get("options"))
      if (!o->empty()) out.push_back({at + " SET (" + *o + ")", ""});
  }
  alter_common(s, t, keys, out);
  alter(&s, std::move(out));
}

void Builder::rename(const Object& s, const Object& t) {
  const std::string& k = s.kind;
  const std::string from = last_part(t.identity), to = last_part(s.identity);
  const std::string parent = parent_part(s.identity);
  std::string sql;
  if (k == "index") {
    sql = "ALTER INDEX " + t.identity + " RENAME TO " + to;
  } else if (k == "constraint") {
    sql = "ALTER TABLE " + parent + " RENAME CONSTRAINT " + from + " TO " + to;
  } else if (k == "column" && src_.find("table", parent)) {
    sql = "ALTER TABLE " + parent + " RENAME COLUMN " + from + " TO " + to;
  } else if (k == "trigger") {
    sql = "ALTER TRIGGER " + from + " ON " + parent + " RENAME TO " + to;
  } else if (k == "policy") {
    sql = "ALTER POLICY " + from + " ON " + parent + " RENAME TO " + to;
  } else {
    replace(s, t);
    return;
  }
  renames_.push_back({sql, ""});
  rename_steps_.push_back(k == "column" ? dst_.step_of("table", parent)
                                        : dst_.step_of(k, t.identity));
}

// ALTER FUNCTION (or PROCEDURE) with the options that changed, as the source has them;
// its SET lines are those of the source's CREATE statement.
std::string routine_options(const Object& s, const std::set<std::string>& keys,
                            const std::string& create) {
  const bool builtin_lang =
      attr_or(s, "language", "") == "c" || attr_or(s, "language", "") == "internal";
  std::string sql = "ALTER " + ref_of(s).alter;
  if (keys.count("volatility")) {
    const std::string v = attr_or(s, "volatility", "volatile");
    sql += v == "immutable" ? " IMMUTABLE" : v == "stable" ? " STABLE" : " VOLATILE";
  }
  if (keys.count("strict")) sql += is_true(s, "strict") ? " STRICT" : " CALLED ON NULL INPUT";
  if (keys.count("leakproof")) sql += is_true(s, "leakproof") ? " LEAKPROOF" : " NOT LEAKPROOF";
  if (keys.count("security_definer"))
    sql += is_true(s, "security_definer") ? " SECURITY DEFINER" : " SECURITY INVOKER";
  if (keys.count("parallel")) sql += " PARALLEL " + attr_or(s, "parallel", "unsafe");
  if (keys.count("cost")) sql += " COST " + attr_or(s, "cost", builtin_lang ? "1" : "100");
  if (keys.count("rows")) sql += " ROWS " + attr_or(s, "rows", "1000");
  if (keys.count("support")) sql += " SUPPORT " + routine_name(attr_or(s, "support", ""));
  if (keys.count("config")) {
    sql += " RESET ALL";
    // The lines after LANGUAGE, up to the body.
    size_t at = create.find('\n');
    at = at == std::string::npos ? at : create.find('\n', at + 1);
    while (at != std::string::npos && create.compare(at, 9, "\n    SET ") == 0) {
      const size_t end = create.find('\n', at + 1);
      sql += create.substr(at + 4, end == std::string::npos ? std::string::npos : end - at - 4);
      at = end;
    }
  }
  return sql == "ALTER " + ref_of(s).alter ? std::string() : sql;
}

// A definition without the clauses ALTER CONSTRAINT sets (or NOT VALID).
std::string without(std::string def, std::initializer_list<const char*> clauses) {
  for (const char* c : clauses)
    for (size_t at; (at = def.find(c)) != std::string::npos;) def.erase(at, strlen(c));
  return def;
}

// In place: a foreign key's deferral (ALTER CONSTRAINT), a validation (VALIDATE
// CONSTRAINT), an inherited check made local too (ADD CONSTRAINT merges it).
bool Builder::alter_constraint(const Object& s, const Object& t, std::set<std::string> keys) {
  const std::string table = parent_part(s.identity), name = last_part(s.identity);
  const std::string at = "ALTER TABLE " + table;
  if (restructured_.count(table)) {  // INHERIT / NO INHERIT set them
    keys.erase("inherited");
    keys.erase("local");
    if (keys.empty()) return true;
  }
  const std::string sd = attr_or(s, "definition", ""), td = attr_or(t, "definition", "");
  std::vector<Statement> out;
  if (attr_or(s, "type", "") == "foreign key" &&
      only(keys, {"deferrable", "deferred", "definition", "comment"}) &&
      without(sd, {" DEFERRABLE", " INITIALLY DEFERRED"}) ==
          without(td, {" DEFERRABLE", " INITIALLY DEFERRED"})) {
    if (keys.count("deferrable") || keys.count("deferred"))
      out.push_back({at + " ALTER CONSTRAINT " + name +
                         (is_true(s, "deferrable") ? " DEFERRABLE" : " NOT DEFERRABLE") +
                         (is_true(s, "deferred") ? " INITIALLY DEFERRED" : " INITIALLY IMMEDIATE"),
                     ""});
  } else if (only(keys, {"validated", "definition", "comment"}) && is_true(s, "validated") &&
             sd == without(td, {" NOT VALID"})) {
    if (keys.count("validated")) validates_.push_back({at + " VALIDATE CONSTRAINT " + name, ""});
  } else if (only(keys, {"local"}) && is_true(s, "local")) {
    out.push_back({at + " ADD CONSTRAINT " + name + " " + reparseable(sd), ""});
  } else {
    return false;
  }
  alter_common(s, t, keys, out);
  alter(&s, std::move(out));
  return true;
}

// A view's options (check_option, security_barrier, security_invoker) and a materialized
// view's storage options and access method: ALTER ... SET / RESET, nothing dropped.
bool Builder::alter_view_options(const Object& s, const Object& t,
                                 const std::set<std::string>& keys) {
  const bool view = s.kind == "view";
  const bool set_am = opt_.server_version >= 150000;
  for (const std::string& k : keys)
    if (!(k == "comment" || k == "owner" || k == "acl" || k == "options" ||
          (view && (k == "check_option" || k == "security_barrier" || k == "security_invoker")) ||
          (!view && k == "access_method" && set_am)))
      return false;
  const std::string at =
      std::string(view ? "ALTER VIEW " : "ALTER MATERIALIZED VIEW ") + s.identity;
  std::vector<std::string> reset, set;
  if (keys.count("options")) {
    for (const std::string& item : split_list(attr_or(t, "options", "")))
      reset.push_back(item.substr(0, item.find('=')));
    for (const std::string& item : split_list(attr_or(s, "options", ""))) {
      const std::string key = item.substr(0, item.find('='));
      reset.erase(std::remove(reset.begin(), reset.end(), key), reset.end());
      set.push_back(item);
    }
  }
  for (const char* k : {"check_option", "security_barrier", "security_invoker"}) {
    if (!keys.count(k)) continue;
    if (const std::string* v = s.get(k))
      set.push_back(std::string(k) + " = " + *v);
    else
      reset.push_back(k);
  }
  auto list = [](const std::vector<std::string>& v) {
    std::string out;
    for (const std::string& x : v) out += (out.empty() ? "" : ", ") + x;
    return out;
  };
  std::vector<Statement> out;
  if (!reset.empty()) out.push_back({at + " RESET (" + list(reset) + ")", ""});
  if (!set.empty()) out.push_back({at + " SET (" + list(set) + ")", ""});
  if (keys.count("access_method"))
    out.push_back({at + " SET ACCESS METHOD " + attr_or(s, "access_method", "heap"), ""});
  alter_common(s, t, keys, out);
  alter(&s, std::move(out));
  return true;
}

void Builder::changed(const Object& s, const Object& t) {
  const std::string& k = s.kind;
  std::set<std::string> keys = changed_keys(s, t);
  std::vector<Statement> out;
  const bool common_only = only(keys, {"comment", "owner", "acl"});
  if (k == "table") {
    alter_table(s, t);
    return;
  }
  if (k == "column") {
    alter_column(&s, &t);
    return;
  }
  if (k == "column order") return;  // checked once the columns are known
  if (common_only && !ref_of(s).comment_on.empty()) {
    alter_common(s, t, keys, out);
    alter(&s, std::move(out));
    return;
  }
  if (k == "sequence" && only(keys, {"comment", "owner", "acl", "type", "start", "increment", "min",
                                     "max", "cache", "cycle", "owned_by"})) {
    std::string sql = "ALTER SEQUENCE " + s.identity;
    if (keys.count("type")) sql += " AS " + attr_or(s, "type", "bigint");
    if (keys.count("increment")) sql += " INCREMENT BY " + attr_or(s, "increment", "1");
    if (keys.count("min")) sql += " MINVALUE " + attr_or(s, "min", "1");
    if (keys.count("max")) sql += " MAXVALUE " + attr_or(s, "max", "9223372036854775807");
    if (keys.count("start")) sql += " START WITH " + attr_or(s, "start", "1");
    if (keys.count("cache")) sql += " CACHE " + attr_or(s, "cache", "1");
    if (keys.count("cycle")) sql += is_true(s, "cycle") ? " CYCLE" : " NO CYCLE";
    if (keys.count("owned_by")) sql += " OWNED BY " + attr_or(s, "owned_by", "NONE");
    if (sql != "ALTER SEQUENCE " + s.identity) out.push_back({sql, ""});
    alter_common(s, t, keys, out);
    alter(&s, std::move(out));
    return;
  }
  if ((k == "function" || k == "procedure") &&
      only(keys,
           {"comment", "owner", "acl", "body", "volatility", "strict", "leakproof", "parallel",
            "cost", "rows", "security_definer", "config", "language", "support"})) {
    // ("window" is not here: PostgreSQL cannot change a routine's kind in place.)
    // CREATE OR REPLACE keeps what depends on it.
    auto step = src_.step_of(k, s.identity);
    if (step && (keys.count("body") || keys.count("language") || keys.count("library") ||
                 (keys.count("support") && !s.get("support")))) {
      std::string sql = src_.plan.steps()[*step].sql.front();
      if (starts_with(sql, "CREATE ")) sql = "CREATE OR REPLACE " + sql.substr(7);
      out.push_back({sql, ""});
    } else if (step) {
      const std::string sql = routine_options(s, keys, src_.plan.steps()[*step].sql.front());
      if (!sql.empty()) out.push_back({sql, ""});
    }
    alter_common(s, t, keys, out);
    alter(&s, std::move(out));
    return;
  }
  if (k == "index" && only(keys, {"comment", "clustered", "replica_identity", "partition_of"}) &&
      // An index leaves its parent only with its table (DETACH PARTITION).
      !(keys.count("partition_of") && !s.get("partition_of") &&
        !restructured_.count(attr_or(s, "table", "")))) {
    const std::string table = attr_or(s, "table", "");
    if (keys.count("clustered"))
      out.push_back({"ALTER TABLE " + table +
                         (is_true(s, "clustered") ? " CLUSTER ON " + last_part(s.identity)
                                                  : " SET WITHOUT CLUSTER"),
                     ""});
    // (Another index or none: the table's replica_identity says so.)
    if (keys.count("replica_identity") && is_true(s, "replica_identity"))
      out.push_back(
          {"ALTER TABLE ONLY " + table + " REPLICA IDENTITY USING INDEX " + last_part(s.identity),
           ""});
    // Attached already when its table was (then nothing happens).
    if (const std::string* p = s.get("partition_of"); p && keys.count("partition_of"))
      late_index_.push_back({"ALTER INDEX " + *p + " ATTACH PARTITION " + s.identity, ""});
    alter_common(s, t, keys, out);
    alter(&s, std::move(out));
    return;
  }
  if (k == "constraint" && alter_constraint(s, t, keys)) return;
  if ((k == "view" || k == "materialized view") && alter_view_options(s, t, keys)) return;
  if (k == "trigger" && only(keys, {"comment", "enabled"})) {
    const std::string table = attr_or(s, "table", parent_part(s.identity));
    const std::string e = attr_or(s, "enabled", "origin");
    const std::string n = last_part(s.identity);
    out.push_back({"ALTER TABLE " + table +
                       (e == "disabled"  ? " DISABLE TRIGGER "
                        : e == "replica" ? " ENABLE REPLICA TRIGGER "
                        : e == "always"  ? " ENABLE ALWAYS TRIGGER "
                                         : " ENABLE TRIGGER ") +
                       n,
                   ""});
    alter_common(s, t, keys, out);
    alter(&s, std::move(out));
    return;
  }
  if (k == "policy" && only(keys, {"comment", "using", "with_check", "roles"}) &&
      !(keys.count("using") && !s.get("using")) &&
      !(keys.count("with_check") && !s.get("with_check"))) {
    std::string sql = "ALTER POLICY " + last_part(s.identity) + " ON " + parent_part(s.identity);
    if (keys.count("roles")) sql += " TO " + attr_or(s, "roles", "PUBLIC");
    if (keys.count("using")) sql += " USING (" + reparseable(*s.get("using")) + ")";
    if (keys.count("with_check")) sql += " WITH CHECK (" + reparseable(*s.get("with_check")) + ")";
    if (keys.count("roles") || keys.count("using") || keys.count("with_check"))
      out.push_back({sql, ""});
    alter_common(s, t, keys, out);
    alter(&s, std::move(out));
    return;
  }
  if (k == "extension" && keys.count("version") &&
      older_version(attr_or(s, "version", ""), attr_or(t, "version", ""))) {
    // Extensions ship no downgrade paths: dropped and created at the source's version.
    replace(s, t);
    return;
  }
  if (k == "extension" && only(keys, {"version", "schema"})) {
    if (keys.count("schema"))
      out.push_back(
          {"ALTER EXTENSION " + s.identity + " SET SCHEMA " + attr_or(s, "schema", "public"), ""});
    if (keys.count("version"))
      out.push_back(
          {"ALTER EXTENSION " + s.identity + " UPDATE TO " + sql_literal(attr_or(s, "version", "")),
           ""});
    alter(&s, std::move(out));
    return;
  }
  if (k == "enum" && only(keys, {"comment", "owner", "acl", "labels"})) {
    // Labels only added: ADD VALUE in place, each next to a neighbour that exists already.
    const std::vector<std::string> want = split_list(attr_or(s, "labels", ""));
    const std::vector<std::string> have = split_list(attr_or(t, "labels", ""));
    size_t h = 0;
    for (const std::string& w : want)
      if (h < have.size() && have[h] == w) h++;
    if (h == have.size()) {
      std::vector<std::string> now = have;
      for (size_t i = 0; i < want.size(); i++) {
        if (std::find(now.begin(), now.end(), want[i]) != now.end()) continue;
        std::string where;
        if (i > 0)
          where = " AFTER " + want[i - 1];
        else if (!now.empty())
          where = " BEFORE " + now.front();
        out.push_back(
            {"ALTER TYPE " + s.identity + " ADD VALUE IF NOT EXISTS " + want[i] + where, "", true});
        now.insert(i > 0 ? std::find(now.begin(), now.end(), want[i - 1]) + 1 : now.begin(),
                   want[i]);
      }
      alter_common(s, t, keys, out);
      alter(&s, std::move(out));
      return;
    }
  }
  if (k == "enum" && only(keys, {"comment", "owner", "acl", "labels"})) {
    relabel_enum(s, t);
    return;
  }
  if (k == "base type") {
    alter_base_type(s, t, keys);
    return;
  }
  if (k == "composite type" && alter_composite(s, t, keys)) return;
  if (k == "operator" && keys.count("shell")) {
    // Only the CREATE OPERATOR that names a shell makes it, and dropping either operator
    // takes the other's link to it: the operators naming it are created again too.
    const std::string compact = compact_signature(s.identity);
    for (const Object& o : src_.snap.objects)
      if (o.kind == "operator" &&
          (same(o.get("commutator"), &compact) || same(o.get("negator"), &compact))) {
        if (auto ts = dst_.step_of(o.kind, o.identity)) drop(*ts);
        if (auto ss = src_.step_of(o.kind, o.identity)) create(*ss);
      }
  }
  bool domain_alterable = k == "domain";
  for (const std::string& key : keys)
    if (key != "comment" && key != "owner" && key != "acl" && key != "default" &&
        key != "not_null" && key.rfind("constraint ", 0) != 0)
      domain_alterable = false;
  if (domain_alterable) {
    const std::string ad = "ALTER DOMAIN " + s.identity;
    // Constraints: dropped, added NOT VALID, validated at the end.
    for (const std::string& key : keys) {
      if (key.rfind("constraint ", 0) != 0) continue;
      const std::string name = key.substr(11);
      if (t.get(key)) out.push_back({ad + " DROP CONSTRAINT " + name, ""});
      if (const std::string* def = s.get(key)) {
        std::string d = reparseable(*def);
        const bool not_valid = ends_with(d, " NOT VALID");
        if (not_valid) d.resize(d.size() - 10);
        out.push_back({ad + " ADD CONSTRAINT " + name + " " + d + " NOT VALID", ""});
        if (!not_valid) validates_.push_back({ad + " VALIDATE CONSTRAINT " + name, ""});
      }
    }
    if (keys.count("default")) {
      const std::string* d = s.get("default");
      out.push_back({d ? ad + " SET DEFAULT " + reparseable(*d) : ad + " DROP DEFAULT", ""});
    }
    if (keys.count("not_null"))
      out.push_back({ad + (is_true(s, "not_null") ? " SET NOT NULL" : " DROP NOT NULL"), ""});
    alter_common(s, t, keys, out);
    alter(&s, std::move(out));
    return;
  }
  if (k == "view" || k == "materialized view") {
    // Columns' defaults and grants belong to the step too: created again with it.
    replace(s, t);
    return;
  }
  replace(s, t);
}

std::vector<std::string> Builder::drop_statements(size_t step) const {
  const Step& st = dst_.plan.steps()[step];
  const Object* p = dst_.primary(step);
  if (p) {
    const std::string& k = p->kind;
    const std::string name = last_part(p->identity), parent = parent_part(p->identity);
    if (k == "constraint") return {"ALTER TABLE " + parent + " DROP CONSTRAINT " + name};
    if (k == "index") return {"DROP INDEX " + p->identity};
    if (k == "trigger") return {"DROP TRIGGER " + name + " ON " + attr_or(*p, "table", parent)};
    if (k == "policy") return {"DROP POLICY " + name + " ON " + parent};
    if (k == "extension" && st.undo.empty()) return {"DROP EXTENSION " + p->identity};
  }
  if (starts_with(st.label, "sequence ownership ")) return {};
  // An owned sequence goes with its table, when that is dropped too.
  if (p && p->kind == "sequence" && st.undo.empty())
    return {"DROP SEQUENCE IF EXISTS " + p->identity};
  return st.undo;
}

std::vector<std::string> Builder::create_statements(size_t step) {
  std::vector<std::string> out;
  const Step& st = src_.plan.steps()[step];
  const Object* p = src_.primary(step);
  for (const std::string& sql : st.sql) {
    // A foreign key or check on a table with rows: added NOT VALID, validated at the end
    // (the long scan then takes no lock that blocks writes).
    if (p && p->kind == "constraint" && dst_.find("table", parent_part(p->identity)) &&
        starts_with(sql, "ALTER TABLE ") && sql.find(" ADD CONSTRAINT ") != std::string::npos &&
        !ends_with(sql, " NOT VALID")) {
      const std::string type = attr_or(*p, "type", "");
      if (type == "foreign key" || type == "check") {
        out.push_back(sql + " NOT VALID");
        validates_.push_back({"ALTER TABLE " + parent_part(p->identity) + " VALIDATE CONSTRAINT " +
                                  last_part(p->identity),
                              ""});
        continue;
      }
    }
    out.push_back(sql);
  }
  return out;
}

void Builder::build() {
  std::vector<model::ObjectChange> changes = model::object_changes(src_.snap, dst_.snap);
  // Renamed constraints rename their index: that pair is done with them.
  std::set<std::string> skip;
  for (const model::ObjectChange& c : changes)
    if (c.change == model::ChangeKind::kRenamed && c.source->kind == "constraint") {
      skip.insert(std::string(model::split_identity(c.source->identity).front()) + "." +
                  last_part(c.source->identity));
      skip.insert(std::string(model::split_identity(c.target->identity).front()) + "." +
                  last_part(c.target->identity));
    }
  // First: tables whose parents change in place decide their columns' inherited flags.
  for (const model::ObjectChange& c : changes)
    if (c.change == model::ChangeKind::kChanged && c.source->kind == "table")
      restructure(*c.source, *c.target);
  std::set<std::string> order_changed;
  for (const model::ObjectChange& c : changes) {
    // object_changes(source, target): "added" is only in the target (to go), "removed"
    // only in the source (to come).
    const Object* s = c.source;
    const Object* t = c.target;
    const Object& any = s ? *s : *t;
    if (any.kind == "index" && skip.count(any.identity)) continue;
    if (any.kind == "unmodelled") {
      not_expressible.push_back(any.identity + " (" + attr_or(any, "type", "unmodelled") + ")");
      continue;
    }
    if (any.kind == "column order") {
      if (s && t) order_changed.insert(s->identity);
      continue;
    }
    switch (c.change) {
      case model::ChangeKind::kChanged:
        if (!expressible(src_, *s))
          not_expressible.push_back(s->kind + " " + s->identity);
        else
          changed(*s, *t);
        break;
      case model::ChangeKind::kRenamed:
        rename(*s, *t);
        break;
      case model::ChangeKind::kRemoved:  // only in the source: create it
        if (!expressible(src_, *s)) {
          not_expressible.push_back(s->kind + " " + s->identity);
        } else if (s->kind == "column") {
          alter_column(s, nullptr);
        } else if (auto step = src_.step_of(s->kind, s->identity)) {
          create(*step);
        }
        break;
      case model::ChangeKind::kAdded:  // only in the target: drop it
        if (!expressible(dst_, *t)) {
          not_expressible.push_back(t->kind + " " + t->identity);
        } else if (t->kind == "column") {
          if (src_.find("table", parent_part(t->identity)) ||
              src_.find("foreign table", parent_part(t->identity)))
            alter_column(nullptr, t);
        } else if (const std::string table =
                       t->kind == "index" ? attr_or(*t, "table", "") : parent_part(t->identity);
                   (t->kind == "index" || t->kind == "constraint") && detached(table)) {
          // A key or index ATTACH PARTITION made: on its own once DETACH has run (a key's
          // index goes with the key).
          if (t->kind == "index" && t->get("constraint")) break;
          early_.push_back({t->kind == "index" ? "DROP INDEX " + t->identity
                                               : "ALTER TABLE " + table + " DROP CONSTRAINT " +
                                                     last_part(t->identity),
                            ""});
        } else if (auto step = dst_.step_of(t->kind, t->identity)) {
          drop(*step);
          if (t->kind == "table")
            drop_why_[*step] = "table " + t->identity + " dropped: its rows are lost";
          if (t->kind == "sequence")
            drop_why_[*step] = "sequence " + t->identity + " dropped: its position is lost";
        }
        break;
    }
  }
  // Column order: what ADD COLUMN (at the end), DROP COLUMN and RENAME COLUMN make of the
  // target's order must be the source's; otherwise the table is rebuilt.
  for (const std::string& table : order_changed) {
    if (handled_.count("table\x01" + table)) continue;
    std::vector<std::string> have = column_order(dst_, table), want = column_order(src_, table);
    std::map<std::string, std::string> renamed;
    for (const model::ObjectChange& c : changes)
      if (c.change == model::ChangeKind::kRenamed && c.source->kind == "column" &&
          parent_part(c.source->identity) == table)
        renamed[last_part(c.target->identity)] = last_part(c.source->identity);
    std::vector<std::string> result;
    for (const std::string& n : have) {
      const std::string name = renamed.count(n) ? renamed[n] : n;
      if (std::find(want.begin(), want.end(), name) != want.end()) result.push_back(name);
    }
    for (const std::string& n : want)
      if (std::find(result.begin(), result.end(), n) == result.end()) result.push_back(n);
    if (result != want) {
      const Object* s = src_.find("table", table);
      const Object* t = dst_.find("table", table);
      if (s && t) rebuild_table(*s, *t, "column order");
    }
  }
  close();
  // A table rebuilt brings its columns, constraints and indexes: their ALTERs are moot.
  for (size_t c : creates_) alters_.erase(c);
  std::vector<Statement> column_drops;
  for (Statement& st : column_drops_) {
    const std::string table = name_at(st.sql, 12);
    auto ts = dst_.step_of("table", table);
    if ((ts && drops_.count(*ts)) || early_column_drops_.count(st.sql)) continue;
    column_drops.push_back(std::move(st));
  }
  column_drops_ = std::move(column_drops);
  std::vector<Statement> renames;
  for (size_t k = 0; k < renames_.size(); k++)
    if (!rename_steps_[k] || !drops_.count(*rename_steps_[k])) renames.push_back(renames_[k]);
  renames_ = std::move(renames);

  // Drops, in the target's reverse creation order.
  std::vector<size_t> drops(drops_.begin(), drops_.end());
  std::sort(drops.begin(), drops.end(),
            [&](size_t a, size_t b) { return dst_.position[a] > dst_.position[b]; });
  for (size_t d : drops) {
    auto pre = pre_drops_.find(d);
    if (pre != pre_drops_.end())
      out_drops_.insert(out_drops_.end(), pre->second.begin(), pre->second.end());
    const Object* p = dst_.primary(d);
    if (p && p->kind == "extension") {
      // Which extension a type is of is not known: before them all.
      out_drops_.insert(out_drops_.end(), extension_drops_.begin(), extension_drops_.end());
      extension_drops_.clear();
    }
    // An index or constraint of a table dropped here goes with it; a foreign key not (the
    // key it references may be dropped before its table).
    if (p &&
        (p->kind == "index" || p->kind == "constraint" || p->kind == "trigger" ||
         p->kind == "policy") &&
        !(p->kind == "constraint" && attr_or(*p, "type", "") == "foreign key")) {
      const std::string table = p->kind == "index" ? attr_or(*p, "table", "")
                                                   : attr_or(*p, "table", parent_part(p->identity));
      auto ts = dst_.step_of("table", table);
      if (ts && drops_.count(*ts) && !rebuilt_.count(*ts)) continue;
    }
    // A partition's index (or key) goes with its parent's.
    bool with_parent = false;
    for (const ObjectKey& k : dst_.objects[d])
      if (k.kind == "index")
        if (const Object* x = dst_.find("index", k.identity))
          if (const std::string* parent = x->get("partition_of"))
            if (auto ps = dst_.step_of("index", *parent); ps && drops_.count(*ps))
              with_parent = true;
    if (with_parent) continue;
    auto why = drop_why_.find(d);
    const std::string note = why == drop_why_.end() ? std::string() : why->second;
    auto r = rebuilt_.find(d);
    if (r != rebuilt_.end() && p) {
      // Identity columns give their sequence up (values stay); owned sequences stay.
      for (const Object* c : dst_.columns(p->identity))
        if (c->get("identity"))
          out_drops_.push_back({"ALTER TABLE " + p->identity + " ALTER COLUMN " +
                                    last_part(c->identity) + " DROP IDENTITY",
                                ""});
      for (const Object& o : dst_.snap.objects)
        if (o.kind == "sequence")
          if (const std::string* own = o.get("owned_by"))
            if (parent_part(*own) == p->identity)
              out_drops_.push_back({"ALTER SEQUENCE " + o.identity + " OWNED BY NONE", ""});
      out_drops_.push_back({"ALTER TABLE " + p->identity + " RENAME TO " + r->second, note});
      continue;
    }
    for (const std::string& sql : drop_statements(d)) out_drops_.push_back({sql, note});
  }
  // Creates and in-place changes, in the source's creation order.
  for (size_t i : src_.order) {
    if (creates_.count(i)) {
      for (std::string& sql : create_statements(i)) out_creates_.push_back({std::move(sql), ""});
      for (Statement& st : after_create_[i]) out_creates_.push_back(std::move(st));
    }
    auto a = alters_.find(i);
    if (a != alters_.end())
      for (Statement& st : a->second) out_creates_.push_back(std::move(st));
  }
  for (Statement& st : final_) out_creates_.push_back(std::move(st));
  for (auto* list : {&late_, &late_index_})
    for (Statement& st : *list) out_creates_.push_back(std::move(st));
  out_drops_.insert(out_drops_.begin(), default_drops_.begin(), default_drops_.end());
  out_drops_.insert(out_drops_.begin(), early_.begin(), early_.end());
  for (const auto* list : {&out_drops_, &renames_, &column_drops_, &out_creates_, &validates_})
    for (const Statement& st : *list)
      if (!st.destructive.empty()) destructive.push_back(st.destructive);
  std::sort(not_expressible.begin(), not_expressible.end());
  not_expressible.erase(std::unique(not_expressible.begin(), not_expressible.end()),
                        not_expressible.end());
}

// The whole script, in order: drops (dependents first), renames, column drops, creates and
// in-place changes (in the source's creation order), validations.
struct Script {
  std::vector<Statement> statements;
  std::vector<std::string> destructive, not_expressible, unsupported;
  std::map<std::string, int> locks;
};

Script Builder::script() const {
  Script out;
  std::set<std::string> created;
  std::unordered_map<std::string, std::string> index_tables;
  for (const Object& o : dst_.snap.objects)
    if (o.kind == "index") index_tables[o.identity] = attr_or(o, "table", "");
  for (const Object& o : src_.snap.objects)
    if ((o.kind == "table" || o.kind == "view" || o.kind == "materialized view" ||
         o.kind == "sequence") &&
        !dst_.find(o.kind, o.identity))
      created.insert(o.identity);
  for (const auto* list : {&out_drops_, &renames_, &column_drops_, &out_creates_, &validates_})
    for (const Statement& st : *list) {
      out.statements.push_back(st);
      note_locks(st.sql, out.locks, created, index_tables);
    }
  out.destructive = destructive;
  out.not_expressible = not_expressible;
  out.unsupported = unsupported;
  return out;
}

Script make_script(const model::Snapshot& source, const CatalogFacts& sf,
                   const model::Snapshot& target, const CatalogFacts& tf,
                   const RepairOptions& options) {
  Builder b(source, sf, target, tf, options);
  b.build();
  return b.script();
}

std::string lock_lines(const Script& s, const std::string& prefix) {
  std::string out;
  if (s.locks.empty()) return prefix + "   (no lock on an existing table or view)\n";
  // Strongest first, then by name.
  std::vector<std::pair<int, std::string>> sorted;
  for (const auto& [rel, mode] : s.locks) sorted.push_back({-mode, rel});
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [mode, rel] : sorted)
    out += prefix + "   " + lock_name(-mode) + " on " + comment_text(rel) + "\n";
  return out;
}

std::string sql_output(const Script& s, const RepairOptions& o) {
  std::string out;
  out += "-- pg_squash repair script, generated by squash_diff_sql().\n";
  out += "-- Turns " + comment_text(o.target_name) + " (fingerprint " + o.target_fingerprint +
         ")\n-- into the schema of " + comment_text(o.source_name) + " (fingerprint " +
         o.source_fingerprint + ").\n";
  out +=
      "-- One transaction (new enum labels are committed just before it); every lock is held\n"
      "-- until COMMIT, each wait at most lock_timeout.\n";
  out += "-- Locks taken:\n" + lock_lines(s, "--");
  if (!s.destructive.empty()) {
    out += "-- Statements that lose data (allow_destructive), each marked below:\n";
    for (const std::string& d : s.destructive) out += "--   " + comment_text(d) + "\n";
  }
  bool early = false;
  for (const Statement& st : s.statements) {
    if (!st.before_transaction) continue;
    if (!early)
      out +=
          "\n-- New enum labels, committed before the transaction that may use them (IF NOT "
          "EXISTS:\n-- running the script again after a failure is safe).\n";
    early = true;
    out += st.sql + ";\n";
  }
  out += "\nBEGIN;\n";
  out += "SET LOCAL lock_timeout = " + sql_literal(o.lock_timeout) + ";\n";
  out += "SET LOCAL search_path = '';\n";
  out += "SET LOCAL check_function_bodies = off;\n";
  out += "SET LOCAL client_min_messages = warning;\n";
  if (s.statements.empty()) out += "-- Nothing to do: the schemas are equal.\n";
  for (const Statement& st : s.statements) {
    if (st.before_transaction) continue;
    out += "\n";
    if (!st.destructive.empty()) out += "-- DESTRUCTIVE: " + comment_text(st.destructive) + "\n";
    out += st.sql + ";\n";
  }
  out += "\nCOMMIT;\n";
  return out;
}

std::string python_body(const Script& s, const RepairOptions& o) {
  std::string out;
  std::string early;
  for (const Statement& st : s.statements)
    if (st.before_transaction) early += "        _run(" + python_literal(st.sql) + ")\n";
  if (!early.empty())
    out +=
        "    # New enum labels are committed first: a transaction may not use a label it added.\n"
        "    with op.get_context().autocommit_block():\n" +
        early;
  out += "    _begin()\n";
  out += "    _run(\"SELECT pg_catalog.set_config('lock_timeout', " + sql_literal(o.lock_timeout) +
         ", true)\")\n";
  for (const Statement& st : s.statements) {
    if (st.before_transaction) continue;
    if (!st.destructive.empty()) out += "    # DESTRUCTIVE: " + comment_text(st.destructive) + "\n";
    out += "    _run(" + python_literal(st.sql) + ")\n";
  }
  return out + "    _end()\n";
}

std::string alembic_output(const Script& up, const Script& down, const RepairOptions& o) {
  std::string out;
  out += "\"\"\"repair: the schema of " + docstring_line(o.source_name) + "\n\n";
  out += "Generated by pg_squash (squash_diff_sql). upgrade() turns the schema with fingerprint\n" +
         o.target_fingerprint + "\ninto the one with fingerprint\n" + o.source_fingerprint +
         ";\ndowngrade() turns it back (the schema: rows a destructive step dropped do not\n"
         "come back).\n\n";
  out += "Revision ID: " + docstring_line(o.revision) + "\n";
  out += "Revises: " + (o.down_revision ? docstring_line(*o.down_revision) : "") + "\n";
  out += "\"\"\"\n";
  out += "from alembic import op\n";
  out += "import sqlalchemy as sa  # noqa: F401 (the DDL below is raw SQL)\n\n";
  out += "# revision identifiers, used by Alembic.\n";
  out += "revision = " + python_literal(o.revision) + "\n";
  out += "down_revision = " +
         (o.down_revision ? python_literal(*o.down_revision) : std::string("None")) + "\n";
  out += "branch_labels = None\ndepends_on = None\n\n";
  out += "# Locks taken by upgrade(), held until the migration's transaction ends:\n" +
         lock_lines(up, "#");
  if (!up.destructive.empty()) {
    out += "# upgrade() statements that lose data (allow_destructive):\n";
    for (const std::string& d : up.destructive) out += "#   " + comment_text(d) + "\n";
  }
  out += alembic_python_helpers();
  out += "\n\ndef upgrade():\n" + python_body(up, o);
  out += "\n\ndef downgrade():\n";
  if (!down.not_expressible.empty() || !down.unsupported.empty()) {
    std::string list;
    for (const auto* l : {&down.not_expressible, &down.unsupported})
      for (const std::string& m : *l) list += (list.empty() ? "" : ", ") + m;
    out += "    raise NotImplementedError(" +
           python_literal("cannot be created again by a script: " + list) + ")\n";
  } else {
    out += python_body(down, o);
  }
  return out;
}

}  // namespace

Repair repair(const model::Snapshot& source, const CatalogFacts& source_facts,
              const model::Snapshot& target, const CatalogFacts& target_facts,
              const RepairOptions& options) {
  Script up = make_script(source, source_facts, target, target_facts, options);
  Repair r;
  r.destructive = up.destructive;
  r.not_expressible = up.not_expressible;
  r.unsupported = up.unsupported;
  r.statements = up.statements.size();
  if (options.format == "alembic") {
    Script down = make_script(target, target_facts, source, source_facts, options);
    r.text = alembic_output(up, down, options);
  } else {
    r.text = sql_output(up, options);
  }
  return r;
}

void infer_dependencies(const model::Snapshot& snapshot, CatalogFacts& facts) {
  // Names another object's text may use: relations and types by identity, routines by
  // name (every overload).
  std::unordered_map<std::string, std::vector<ObjectKey>> names;
  for (const Object& o : snapshot.objects) {
    const std::string& k = o.kind;
    if (k == "table" || k == "view" || k == "materialized view" || k == "sequence" || k == "enum" ||
        k == "domain" || k == "composite type" || k == "base type" || k == "shell type" ||
        k == "collation")
      names[o.identity].push_back({k, o.identity});
    else if (k == "function" || k == "procedure" || k == "aggregate")
      names[routine_name(o.identity)].push_back({k, o.identity});
    if ((k == "function" || k == "procedure") && attr_or(o, "language", "") == "sql") {
      const std::string body = attr_or(o, "body", "");
      if (starts_with(body, "BEGIN ATOMIC") || starts_with(body, "RETURN "))
        facts.sql_body_routines.insert(o.identity);
    }
  }
  std::unordered_map<std::string, std::string> relation_kind;      // not tables
  std::unordered_map<std::string, std::vector<std::string>> keys;  // table -> its keys
  for (const Object& o : snapshot.objects) {
    if (o.kind == "view" || o.kind == "materialized view" || o.kind == "composite type")
      relation_kind[o.identity] = o.kind;
    const std::string type = o.kind == "constraint" ? attr_or(o, "type", "") : "";
    if (type == "primary key" || type == "unique")
      keys[parent_part(o.identity)].push_back(o.identity);
  }
  auto is_ident = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || static_cast<unsigned char>(c) >= 0x80;
  };
  for (const Object& o : snapshot.objects) {
    if (o.kind == "column order" || o.kind == "schema" || o.kind == "extension") continue;
    ObjectKey self{o.kind, o.identity};
    if (o.kind == "column") {
      const std::string rel = parent_part(o.identity);
      auto it = relation_kind.find(rel);
      self = {it == relation_kind.end() ? "table" : it->second, rel};
    }
    std::set<ObjectKey> seen;
    for (const model::Attribute& a : o.attrs) {
      // OWNED BY comes after the table (the generator's ownership step).
      if (a.key == "acl" || a.key == "owner" || a.key == "comment" || a.key == "owned_by") continue;
      // Other bodies are not checked when created (check_function_bodies is off).
      if (a.key == "body" && !facts.sql_body_routines.count(o.identity)) continue;
      const std::string& v = a.value;
      // Every run of name parts joined by dots ("public.t", "\"odd\".f"), quotes kept.
      for (size_t i = 0; i < v.size();) {
        if (!(is_ident(v[i]) || v[i] == '"') ||
            (i > 0 && (is_ident(v[i - 1]) || v[i - 1] == '"'))) {
          i++;
          continue;
        }
        size_t j = i;
        std::vector<size_t> dots;
        while (j < v.size()) {
          if (v[j] == '"') {
            size_t q = j + 1;
            while (q < v.size() && !(v[q] == '"' && (q + 1 >= v.size() || v[q + 1] != '"')))
              q += v[q] == '"' ? 2 : 1;
            j = q + 1;
          } else {
            while (j < v.size() && is_ident(v[j])) j++;
          }
          if (j < v.size() && v[j] == '.' && j + 1 < v.size() &&
              (is_ident(v[j + 1]) || v[j + 1] == '"')) {
            dots.push_back(j);
            j++;
            continue;
          }
          break;
        }
        // "s.t" and, for a column reference "s.t.c", its first two parts.
        for (size_t end : {dots.size() >= 2 ? dots[1] : j, j}) {
          auto it = names.find(v.substr(i, end - i));
          if (it == names.end()) continue;
          for (const ObjectKey& ref : it->second)
            if (!(ref == self) && seen.insert(ref).second) facts.depends.push_back({self, ref});
        }
        i = j > i ? j : i + 1;
      }
    }
    // A foreign key needs the referenced table's keys.
    if (o.kind == "constraint")
      if (const std::string* ref = o.get("references")) {
        auto it = keys.find(*ref);
        if (it != keys.end())
          for (const std::string& k : it->second)
            facts.depends.push_back({self, {"constraint", k}});
      }
  }
}

}  // namespace squash::generator
