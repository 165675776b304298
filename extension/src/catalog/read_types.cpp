// User-defined types (pg_type): enums (labels in order), domains (base type, default,
// NOT NULL, named constraints, collation), composite types (attributes in order) and range
// types (subtype, its operator class and collation, canonical and subtype_diff functions,
// the multirange type's name). Base and shell types are recorded as unmodelled; array
// types, multirange types and the row types of tables are implicit and never objects of
// their own.
#include <unordered_map>
#include <unordered_set>

#include "reader.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/fmgroids.h"
}

namespace squash::catalog {

void read_types(Context& ctx) {
  // The types in scope, straight from pg_type: array types are implicit (each type has
  // one) and the row types of tables, views and sequences belong to them, so both are
  // left out before anything is copied.
  struct Type {
    Oid oid = 0, nsp = 0, owner = 0, base = 0, collation = 0, relid = 0;
    std::string name;
    char typtype = '\0';
    int32_t typmod = -1;
    bool not_null = false;
    Value acl, default_bin;
  };
  std::vector<Type> types;
  bool have_enums = false, have_ranges = false;
  {
    CatalogScan scan(TypeRelationId);
    while (scan.next()) {
      const FormData_pg_type& t = scan.row<FormData_pg_type>();
      if (!ctx.in_scope(t.typnamespace)) continue;
      if (t.typtype == 'b' && t.typsubscript == F_ARRAY_SUBSCRIPT_HANDLER) continue;
      if (t.typtype == 'c') {
        const Relation* rel = ctx.relation(t.typrelid);
        if (!rel || rel->kind != 'c') continue;  // a table's row type
      }
      Type& x = types.emplace_back();
      x.oid = t.oid;
      x.nsp = t.typnamespace;
      x.name = NameStr(t.typname);
      x.typtype = t.typtype;
      x.owner = t.typowner;
      x.base = t.typbasetype;
      x.typmod = t.typtypmod;
      x.not_null = t.typnotnull;
      x.collation = t.typcollation;
      x.relid = t.typrelid;
      x.acl = scan.value(Anum_pg_type_typacl);
      x.default_bin = scan.value(Anum_pg_type_typdefaultbin);
      have_enums = have_enums || t.typtype == 'e';
      have_ranges = have_ranges || t.typtype == 'r';
    }
  }

  std::unordered_map<Oid, std::vector<std::string>> labels;
  std::unordered_map<Oid, std::vector<std::pair<std::string, std::string>>> checks;
  if (have_enums) {
    Rows e = ctx.query(
        "SELECT enumtypid, enumlabel FROM pg_catalog.pg_enum WHERE enumtypid >= 16384"
        " ORDER BY enumtypid, enumsortorder");
    for (size_t i = 0; i < e.size(); i++) labels[e.oid(i, 0)].push_back(quote_literal(e.str(i, 1)));
  }
  // Range types: (attribute, value) pairs by type. Functions as regproc prints them under
  // the pinned search_path, the operator class schema-qualified: what CREATE TYPE takes.
  std::unordered_map<Oid, std::vector<std::pair<std::string, std::string>>> ranges;
  if (have_ranges) {
    Rows r = ctx.query(
        "SELECT r.rngtypid, pg_catalog.format_type(r.rngsubtype, NULL),"
        "  pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(o.opcname),"
        "  r.rngcollation, NULLIF(r.rngcanonical, 0)::pg_catalog.regproc::pg_catalog.text,"
        "  NULLIF(r.rngsubdiff, 0)::pg_catalog.regproc::pg_catalog.text,"
        "  pg_catalog.format_type(r.rngmultitypid, NULL)"
        " FROM pg_catalog.pg_range r"
        " JOIN pg_catalog.pg_opclass o ON o.oid = r.rngsubopc"
        " JOIN pg_catalog.pg_namespace n ON n.oid = o.opcnamespace"
        " WHERE r.rngtypid >= 16384");
    for (size_t i = 0; i < r.size(); i++) {
      auto& attrs = ranges[r.oid(i, 0)];
      attrs.emplace_back("subtype", r.str(i, 1));
      attrs.emplace_back("subtype_opclass", r.str(i, 2));
      if (r.oid(i, 3) != 0) attrs.emplace_back("collation", ctx.collation(r.oid(i, 3)));
      if (!r.null(i, 4)) attrs.emplace_back("canonical", r.str(i, 4));
      if (!r.null(i, 5)) attrs.emplace_back("subtype_diff", r.str(i, 5));
      attrs.emplace_back("multirange_type_name", r.str(i, 6));
    }
  }
  // Domain CHECKs: read_constraints collected them.
  for (const Context::DomainCheck& c : ctx.domain_checks) {
    std::string def = "CHECK (" + ctx.deparser.expr(c.bin, nullptr) + ")";
    if (!c.validated) def += " NOT VALID";
    checks[c.domain].emplace_back("constraint " + quote(c.name), std::move(def));
  }

  for (const Type& t : types) {
    const Oid oid = t.oid;
    const char typtype = t.typtype;
    if (ctx.extension_member(TypeRelationId, oid)) continue;
    const std::string identity = qualified(ctx.nsps.at(t.nsp), t.name);
    if (typtype == 'r') {
      ObjectRef o = ctx.add("range type", identity);
      for (auto& [key, value] : ranges[oid]) o.set(key, value);
      ctx.attach_common(o, TypeRelationId, oid, t.owner, 'T', t.acl);
      continue;
    }
    if (typtype == 'b') ctx.unmodelled.push_back({identity, "pg_type", "base type"});
    if (typtype == 'p') ctx.unmodelled.push_back({identity, "pg_type", "shell type"});
    // A multirange type comes with its range type.
    if (typtype != 'e' && typtype != 'd' && typtype != 'c') continue;
    if (typtype == 'c') {
      const Relation* rel = ctx.relation(t.relid);
      ObjectRef o = ctx.add("composite type", identity);
      std::vector<std::string> attrs;
      for (const Column& c : rel->columns) {
        const TypeInfo& ti = ctx.type(c.type, c.typmod);
        std::string a = quote(c.name) + " " + ti.name;
        if (c.collation != 0 && c.collation != ti.collation)
          a += " COLLATE " + ctx.collation(c.collation);
        attrs.push_back(std::move(a));
      }
      o.set("attributes", join(attrs, ", "));
      ctx.attach_common(o, TypeRelationId, oid, t.owner, 'T', t.acl);
      continue;
    }
    if (typtype == 'e') {
      ObjectRef o = ctx.add("enum", identity);
      o.set("labels", join(labels[oid], ", "));
      ctx.attach_common(o, TypeRelationId, oid, t.owner, 'T', t.acl);
      continue;
    }
    // Domain.
    const TypeInfo base_info = ctx.type(t.base, t.typmod);
    std::string def;
    if (t.default_bin) def = ctx.deparser.expr(*t.default_bin, nullptr);
    ObjectRef o = ctx.add("domain", identity);
    o.set("type", base_info.name);
    o.set("not_null", bool_text(t.not_null));
    if (t.default_bin) o.set("default", std::move(def));
    const Oid coll = t.collation;
    if (coll != 0 && coll != base_info.collation) o.set("collation", ctx.collation(coll));
    for (auto& [key, value] : checks[oid]) o.set(key, value);
    ctx.attach_common(o, TypeRelationId, oid, t.owner, 'T', t.acl);
  }
}

}  // namespace squash::catalog
