// User-defined types (pg_type): enums (labels in order), domains (base type, default,
// NOT NULL, named constraints, collation) and composite types (attributes in order).
// Range and base types are recorded as unmodelled; array types and the row types of
// tables are implicit and never objects of their own.
#include <unordered_map>
#include <unordered_set>

#include "reader.hpp"

extern "C" {
#include "catalog/pg_type.h"
}

namespace squash::catalog {

void read_types(Context& ctx) {
  // Array types are implicit (each type has one): left out here already.
  Rows r = ctx.query(
      "SELECT t.oid, t.typnamespace, t.typname, t.typtype, t.typowner, t.typacl,"
      "  t.typbasetype, t.typtypmod, t.typnotnull, t.typdefaultbin, t.typcollation,"
      "  t.typrelid"
      " FROM pg_catalog.pg_type t"
      " WHERE t.typnamespace = ANY ($NSPS) AND NOT (t.typtype = 'b'"
      "   AND t.typsubscript = 'pg_catalog.array_subscript_handler'::pg_catalog.regproc)");

  std::unordered_map<Oid, std::vector<std::string>> labels;
  std::unordered_map<Oid, std::vector<std::pair<std::string, std::string>>> checks;
  bool have_enums = false, have_domains = false;
  for (size_t i = 0; i < r.size(); i++) {
    have_enums = have_enums || r.ch(i, 3) == 'e';
    have_domains = have_domains || r.ch(i, 3) == 'd';
  }
  if (have_enums) {
    Rows e = ctx.query(
        "SELECT enumtypid, enumlabel FROM pg_catalog.pg_enum WHERE enumtypid >= 16384"
        " ORDER BY enumtypid, enumsortorder");
    for (size_t i = 0; i < e.size(); i++) labels[e.oid(i, 0)].push_back(quote_literal(e.str(i, 1)));
  }
  if (have_domains) {
    Rows c = ctx.query(
        "SELECT co.contypid, co.conname, co.conbin, co.convalidated"
        " FROM pg_catalog.pg_constraint co"
        " WHERE co.connamespace = ANY ($NSPS) AND co.contypid <> 0 AND co.contype = 'c'");
    for (size_t i = 0; i < c.size(); i++) {
      std::string def = "CHECK (" + ctx.deparser.expr(c.view(i, 2), nullptr) + ")";
      if (!c.flag(i, 3)) def += " NOT VALID";
      checks[c.oid(i, 0)].emplace_back("constraint " + quote(c.view(i, 1)), std::move(def));
    }
  }

  for (size_t i = 0; i < r.size(); i++) {
    const Oid oid = r.oid(i, 0);
    const char typtype = r.ch(i, 3);
    if (ctx.extension_member(TypeRelationId, oid)) continue;
    const std::string identity = qualified(ctx.nsps.at(r.oid(i, 1)), r.view(i, 2));
    if (typtype == 'r') ctx.unmodelled.push_back({identity, "pg_range", "range type"});
    if (typtype == 'b') ctx.unmodelled.push_back({identity, "pg_type", "base type"});
    if (typtype == 'p') ctx.unmodelled.push_back({identity, "pg_type", "shell type"});
    // A multirange type comes with its range type.
    if (typtype != 'e' && typtype != 'd' && typtype != 'c') continue;
    if (typtype == 'c') {
      const Relation* rel = ctx.relation(r.oid(i, 11));
      if (!rel || rel->kind != 'c') continue;  // a table's row type
      ObjectRef o = ctx.add("composite type", identity);
      std::vector<std::string> attrs;
      for (const Column& c : rel->columns) {
        const TypeInfo& t = ctx.type(c.type, c.typmod);
        std::string a = quote(c.name) + " " + t.name;
        if (c.collation != 0 && c.collation != t.collation)
          a += " COLLATE " + ctx.collation(c.collation);
        attrs.push_back(std::move(a));
      }
      o.set("attributes", join(attrs, ", "));
      ctx.attach_common(o, TypeRelationId, oid, r.oid(i, 4), 'T', r.value(i, 5));
      continue;
    }
    if (typtype == 'e') {
      ObjectRef o = ctx.add("enum", identity);
      o.set("labels", join(labels[oid], ", "));
      ctx.attach_common(o, TypeRelationId, oid, r.oid(i, 4), 'T', r.value(i, 5));
      continue;
    }
    // Domain.
    const Oid base = r.oid(i, 6);
    const TypeInfo base_info = ctx.type(base, static_cast<int32_t>(r.num(i, 7)));
    std::string def;
    if (!r.null(i, 9)) def = ctx.deparser.expr(r.view(i, 9), nullptr);
    ObjectRef o = ctx.add("domain", identity);
    o.set("type", base_info.name);
    o.set("not_null", bool_text(r.flag(i, 8)));
    if (!r.null(i, 9)) o.set("default", std::move(def));
    const Oid coll = r.oid(i, 10);
    if (coll != 0 && coll != base_info.collation) o.set("collation", ctx.collation(coll));
    for (auto& [key, value] : checks[oid]) o.set(key, value);
    ctx.attach_common(o, TypeRelationId, oid, r.oid(i, 4), 'T', r.value(i, 5));
  }
}

}  // namespace squash::catalog
