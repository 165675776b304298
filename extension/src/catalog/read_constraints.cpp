// Table constraints (pg_constraint): primary key, unique, check, foreign key, exclusion.
// Definitions are built from the catalog fields in pg_get_constraintdef's exact form;
// only CHECK expressions go through the deparser, and EXCLUDE (rare) through the server.
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
    out += name ? quote(*name) : "?" + std::to_string(attnums[k]);
  }
  return out;
}

std::vector<int64_t> int_array(std::string_view text) {
  std::vector<int64_t> out;
  for (const std::string& s : parse_array(text)) out.push_back(std::stoll(s));
  return out;
}

}  // namespace

void read_constraints(Context& ctx) {
  Rows r = ctx.query(
      "SELECT co.oid, co.conrelid, co.conname, co.contype, co.condeferrable,"
      "  co.condeferred, co.convalidated, co.conparentid, co.confrelid, co.confupdtype,"
      "  co.confdeltype, co.confmatchtype, co.conislocal, co.coninhcount, co.connoinherit,"
      "  co.conkey, co.confkey,"
#if PG_VERSION_NUM >= 150000
      "  co.confdelsetcols,"
#else
      "  NULL::pg_catalog.int2[],"
#endif
      "  co.conbin,"
      "  CASE WHEN co.contype = 'x' THEN pg_catalog.pg_get_constraintdef(co.oid) END,"
      "  co.conindid"
      " FROM pg_catalog.pg_constraint co"
      " WHERE co.connamespace = ANY ($NSPS) AND co.conrelid <> 0"
      "   AND co.contype IN ('p', 'u', 'c', 'f', 'x')");

  // Referenced tables outside the scope: their names in one more query.
  Names other;
  std::unordered_map<Oid, std::string> other_tables;
  {
    std::vector<Oid> missing;
    for (size_t i = 0; i < r.size(); i++)
      if (r.ch(i, 3) == 'f' && !ctx.relation(r.oid(i, 8))) missing.push_back(r.oid(i, 8));
    if (!missing.empty()) {
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
    }
  }

  for (size_t i = 0; i < r.size(); i++) {
    const Relation* rel = ctx.kept_relation(r.oid(i, 1));
    if (!rel || (rel->kind != 'r' && rel->kind != 'p')) continue;
    const Oid oid = r.oid(i, 0);
    const char type = r.ch(i, 3);
    // A foreign key cloned onto a partition (or onto the partitions a key references) is
    // derived from its parent constraint and recreated with it, as pg_dump treats it.
    if (type == 'f' && r.oid(i, 7) != 0) continue;
    if (ctx.extension_member(ConstraintRelationId, oid)) continue;
    if (type == 'p' || type == 'u' || type == 'x') ctx.index_constraint[r.oid(i, 20)] = r.str(i, 2);

    const bool deferrable = r.flag(i, 4), deferred = r.flag(i, 5), validated = r.flag(i, 6);
    const std::vector<int64_t> conkey = int_array(r.view(i, 15));
    std::string def;
    model::Object o{"constraint", rel->identity + "." + quote(r.view(i, 2)), {}};
    o.set("type", type_word(type));
    switch (type) {
      case 'p':
      case 'u': {
        auto index = ctx.indexes.find(r.oid(i, 20));
        def = type == 'p' ? "PRIMARY KEY " : "UNIQUE ";
        if (index != ctx.indexes.end() && index->second.nulls_not_distinct)
          def += "NULLS NOT DISTINCT ";
        def += "(" + column_list(conkey, rel, other, rel->oid) + ")";
        if (index != ctx.indexes.end() &&
            index->second.key.size() > static_cast<size_t>(index->second.nkey)) {
          std::vector<int64_t> include(index->second.key.begin() + index->second.nkey,
                                       index->second.key.end());
          def += " INCLUDE (" + column_list(include, rel, other, rel->oid) + ")";
        }
        break;
      }
      case 'f': {
        const Oid frel_oid = r.oid(i, 8);
        const Relation* frel = ctx.relation(frel_oid);
        const std::string references = frel ? frel->identity : other_tables[frel_oid];
        def = "FOREIGN KEY (" + column_list(conkey, rel, other, rel->oid) + ") REFERENCES " +
              references + "(" + column_list(int_array(r.view(i, 16)), frel, other, frel_oid) + ")";
        const char match = r.ch(i, 11), upd = r.ch(i, 9), del = r.ch(i, 10);
        if (match == 'f') def += " MATCH FULL";
        if (match == 'p') def += " MATCH PARTIAL";
        if (upd != 'a') def += std::string(" ON UPDATE ") + action_word(upd);
        if (del != 'a') def += std::string(" ON DELETE ") + action_word(del);
        std::string delete_columns;
        if (!r.null(i, 17)) {
          delete_columns = column_list(int_array(r.view(i, 17)), rel, other, rel->oid);
          def += " (" + delete_columns + ")";
        }
        o.set("references", references);
        o.set("on_update", action_word(upd));
        o.set("on_delete", action_word(del));
        if (!delete_columns.empty()) o.set("on_delete_columns", delete_columns);
        o.set("match", match_word(match));
        break;
      }
      case 'c': {
        def = "CHECK (" + ctx.deparser.expr(r.view(i, 18), rel) + ")";
        if (r.flag(i, 14)) def += " NO INHERIT";
        o.set("noinherit", bool_text(r.flag(i, 14)));
        break;
      }
      case 'x':
        def = r.str(i, 19);
        break;
    }
    if (type != 'x') {
      if (deferrable) def += " DEFERRABLE";
      if (deferred) def += " INITIALLY DEFERRED";
      if (!validated) def += " NOT VALID";
    }
    o.set("definition", std::move(def));
    if (type != 'c') {
      o.set("deferrable", bool_text(deferrable));
      o.set("deferred", bool_text(deferred));
    }
    if (type == 'c' || type == 'f') o.set("validated", bool_text(validated));
    if (r.num(i, 13) > 0 && !rel->is_partition) {
      o.set("inherited", "true");
      o.set("local", bool_text(r.flag(i, 12)));
    }
    if (const std::string* c = ctx.comment(ConstraintRelationId, oid)) o.set("comment", *c);
    ctx.out.objects.push_back(std::move(o));
  }
}

}  // namespace squash::catalog
