// Table constraints (pg_constraint): primary key, unique, check, foreign key, exclusion.
// Definitions are built from the catalog fields in pg_get_constraintdef's exact form;
// only CHECK expressions go through the deparser, and EXCLUDE (rare) through the server.
#include <charconv>
#include <unordered_map>

#include "reader.hpp"

extern "C" {
#include "catalog/pg_constraint.h"
}

namespace squash::catalog {

namespace {

const char* action_word(char a) {
  switch (a) {
    case 'a':
      return "NO ACTION";
    case 'r':
      return "RESTRICT";
    case 'c':
      return "CASCADE";
    case 'n':
      return "SET NULL";
    case 'd':
      return "SET DEFAULT";
    default:
      return "?";
  }
}

const char* match_word(char m) {
  switch (m) {
    case 'f':
      return "FULL";
    case 'p':
      return "PARTIAL";
    default:
      return "SIMPLE";
  }
}

const char* type_word(char t) {
  switch (t) {
    case 'p':
      return "primary key";
    case 'u':
      return "unique";
    case 'c':
      return "check";
    case 'f':
      return "foreign key";
    case 'x':
      return "exclude";
    default:
      return "?";
  }
}

// Column names of relations outside the schemas in scope (foreign keys may reference
// them), fetched in one query.
using Names = std::unordered_map<Oid, std::unordered_map<int, std::string>>;

std::string column_list(const std::vector<int64_t>& attnums, const Relation* rel,
                        const Names& other, Oid relid) {
  std::string out;
  for (size_t k = 0; k < attnums.size(); k++) {
    if (k) out += ", ";
    const std::string* name = rel ? rel->attname(static_cast<int>(attnums[k])) : nullptr;
    if (!name) {
      auto it = other.find(relid);
      if (it != other.end()) {
        auto jt = it->second.find(static_cast<int>(attnums[k]));
        if (jt != it->second.end()) name = &jt->second;
      }
    }
    if (name) {
      append_quoted(out, *name);
    } else {
      out += '?';
      out += std::to_string(attnums[k]);
    }
  }
  return out;
}

// "{1,2}" (int2[] text) as numbers.
std::vector<int64_t> int_array(std::string_view text) {
  std::vector<int64_t> out;
  for (size_t k = 0; k < text.size(); k++) {
    if (text[k] == '-' || (text[k] >= '0' && text[k] <= '9')) {
      int64_t v = 0;
      auto res = std::from_chars(text.data() + k, text.data() + text.size(), v);
      out.push_back(v);
      k = res.ptr - text.data();
    }
  }
  return out;
}

// One constraint row, taken out of the executor's row.
struct Con {
  Oid oid = 0;
  const Relation* rel = nullptr;
  std::string name;
  char type = '\0';
  bool deferrable = false, deferred = false, validated = true, noinherit = false, local = true;
  int64_t inhcount = 0;
  Oid confrelid = 0;
  char upd = 'a', del = 'a', match = 's';
  std::vector<int64_t> conkey, confkey, delete_columns;
  bool has_delete_columns = false;
  std::string text;  // CHECK: the deparsed expression; EXCLUDE: the server's definition
  Oid index = 0;
};

void emit(Context& ctx, const Con& c, const Names& other,
          const std::unordered_map<Oid, std::string>& other_tables) {
  const Relation* rel = c.rel;
  if ((c.type == 'p' || c.type == 'u' || c.type == 'x') && c.index != 0)
    ctx.index_constraint[c.index] = c.name;
  std::string def, references, delete_columns;
  switch (c.type) {
    case 'p':
    case 'u': {
      const IndexInfo* index = ctx.indexes.find(c.index);
      def = c.type == 'p' ? "PRIMARY KEY " : "UNIQUE ";
      if (index && index->nulls_not_distinct) def += "NULLS NOT DISTINCT ";
      def += "(" + column_list(c.conkey, rel, other, rel->oid) + ")";
      if (index && index->key().size() > static_cast<size_t>(index->nkey)) {
        std::vector<int64_t> include(index->key().begin() + index->nkey, index->key().end());
        def += " INCLUDE (" + column_list(include, rel, other, rel->oid) + ")";
      }
      break;
    }
    case 'f': {
      const Relation* frel = ctx.relation(c.confrelid);
      if (frel) {
        references = frel->identity;
      } else if (auto it = other_tables.find(c.confrelid); it != other_tables.end()) {
        references = it->second;
      }
      def = "FOREIGN KEY (" + column_list(c.conkey, rel, other, rel->oid) + ") REFERENCES " +
            references + "(" + column_list(c.confkey, frel, other, c.confrelid) + ")";
      if (c.match == 'f') def += " MATCH FULL";
      if (c.match == 'p') def += " MATCH PARTIAL";
      if (c.upd != 'a') def += std::string(" ON UPDATE ") + action_word(c.upd);
      if (c.del != 'a') def += std::string(" ON DELETE ") + action_word(c.del);
      if (c.has_delete_columns) {
        delete_columns = column_list(c.delete_columns, rel, other, rel->oid);
        def += " (" + delete_columns + ")";
      }
      break;
    }
    case 'c':
      def = "CHECK (" + c.text + ")";
      if (c.noinherit) def += " NO INHERIT";
      break;
    case 'x':
      def = c.text;
      break;
  }
  if (c.type != 'x') {
    if (c.deferrable) def += " DEFERRABLE";
    if (c.deferred) def += " INITIALLY DEFERRED";
    if (!c.validated) def += " NOT VALID";
  }
  // Attributes in key order: normalize() then has nothing to sort.
  std::string identity;
  identity.reserve(rel->identity.size() + c.name.size() + 3);
  identity = rel->identity;
  identity += '.';
  append_quoted(identity, c.name);
  ObjectRef o = ctx.add("constraint", identity);
  const bool inherited = c.inhcount > 0 && !rel->is_partition;
  if (const std::string* cm = ctx.comment(ConstraintRelationId, c.oid)) o.set("comment", *cm);
  if (c.type != 'c') {
    o.set("deferrable", bool_text(c.deferrable));
    o.set("deferred", bool_text(c.deferred));
  }
  o.set("definition", std::move(def));
  if (inherited) {
    o.set("inherited", "true");
    o.set("local", bool_text(c.local));
  }
  if (c.type == 'f') o.set("match", match_word(c.match));
  if (c.type == 'c') o.set("noinherit", bool_text(c.noinherit));
  if (c.type == 'f') {
    o.set("on_delete", action_word(c.del));
    if (!delete_columns.empty()) o.set("on_delete_columns", delete_columns);
    o.set("on_update", action_word(c.upd));
    o.set("references", references);
  }
  o.set("type", type_word(c.type));
  if (c.type == 'c' || c.type == 'f') o.set("validated", bool_text(c.validated));
}

}  // namespace

void read_constraints(Context& ctx) {
  // Foreign keys to tables outside the scope wait for those tables' names.
  std::vector<Con> pending;
  const Names no_names;
  const std::unordered_map<Oid, std::string> no_tables;
  // EXCLUDE constraints (rare) take the server's definition, fetched after the scan for
  // just those.
  std::vector<Con> exclusions;
  CatalogScan scan(ConstraintRelationId, true);
  while (scan.next()) {
    const FormData_pg_constraint& k = scan.row<FormData_pg_constraint>();
    if (!ctx.in_scope(k.connamespace)) continue;
    // A domain's CHECK: kept for read_types (saves it a scan of its own).
    if (k.contypid != 0 && k.contype == 'c')
      ctx.domain_checks.push_back({k.contypid, NameStr(k.conname),
                                   std::string(scan.view(Anum_pg_constraint_conbin)),
                                   static_cast<bool>(k.convalidated)});
    if (k.conrelid == 0) continue;
    if (k.contype != 'p' && k.contype != 'u' && k.contype != 'c' && k.contype != 'f' &&
        k.contype != 'x')
      continue;
    const Relation* rel = ctx.kept_relation(k.conrelid);
    if (!rel || (rel->kind != 'r' && rel->kind != 'p' && (rel->kind != 'f' || k.contype != 'c')))
      continue;
    Con c;
    c.rel = rel;
    c.oid = k.oid;
    c.type = k.contype;
    // A foreign key cloned onto a partition (or onto the partitions a key references)
    // is derived from its parent constraint and recreated with it, as pg_dump treats it.
    if (c.type == 'f' && k.conparentid != 0) continue;
    if (ctx.extension_member(ConstraintRelationId, c.oid)) continue;
    c.name = NameStr(k.conname);
    c.deferrable = k.condeferrable;
    c.deferred = k.condeferred;
    c.validated = k.convalidated;
    c.confrelid = k.confrelid;
    c.upd = k.confupdtype;
    c.del = k.confdeltype;
    c.match = k.confmatchtype;
    c.local = k.conislocal;
    c.inhcount = k.coninhcount;
    c.noinherit = k.connoinherit;
    c.conkey = int_array(scan.view(Anum_pg_constraint_conkey));
    if (c.type == 'f') c.confkey = int_array(scan.view(Anum_pg_constraint_confkey));
#if PG_VERSION_NUM >= 150000
    if (!scan.null(Anum_pg_constraint_confdelsetcols)) {
      c.has_delete_columns = true;
      c.delete_columns = int_array(scan.view(Anum_pg_constraint_confdelsetcols));
    }
#endif
    if (c.type == 'c')
      c.text = ctx.deparser.expr(scan.view(Anum_pg_constraint_conbin), rel,
                                 expr_source(ExprSource::kCheck, c.oid));
    c.index = k.conindid;
    if (c.type == 'x')
      exclusions.push_back(std::move(c));
    else if (c.type == 'f' && !ctx.relation(c.confrelid))
      pending.push_back(std::move(c));
    else
      emit(ctx, c, no_names, no_tables);
  }
  if (!exclusions.empty()) {
    std::vector<Oid> oids;
    for (const Con& c : exclusions) oids.push_back(c.oid);
    std::unordered_map<Oid, std::string> defs;
    Rows x = ctx.query(
        "SELECT co.oid, pg_catalog.pg_get_constraintdef(co.oid) FROM pg_catalog.pg_constraint co"
        " WHERE co.oid = ANY ('" +
        array_literal(oids) + "'::pg_catalog.oid[])");
    for (size_t i = 0; i < x.size(); i++) defs[x.oid(i, 0)] = x.str(i, 1);
    for (Con& c : exclusions) {
      auto it = defs.find(c.oid);
      if (it != defs.end()) c.text = it->second;
      emit(ctx, c, no_names, no_tables);
    }
  }
  if (pending.empty()) return;

  std::vector<Oid> missing;
  for (const Con& c : pending) missing.push_back(c.confrelid);
  Names other;
  std::unordered_map<Oid, std::string> other_tables;
  Rows a = ctx.query(
      "SELECT a.attrelid, a.attnum, a.attname, n.nspname, c.relname"
      " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
      " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
      " WHERE a.attrelid = ANY ('" +
      array_literal(missing) + "'::pg_catalog.oid[]) AND a.attnum > 0");
  for (size_t i = 0; i < a.size(); i++) {
    other[a.oid(i, 0)][static_cast<int>(a.num(i, 1))] = a.str(i, 2);
    other_tables[a.oid(i, 0)] = qualified(a.view(i, 3), a.view(i, 4));
  }
  for (const Con& c : pending) emit(ctx, c, other, other_tables);
}

}  // namespace squash::catalog
