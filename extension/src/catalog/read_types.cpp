// User-defined types (pg_type): enums (labels in order), domains (base type, default,
// NOT NULL, named constraints, collation), composite types (attributes in order) and range
// types (subtype, its operator class and collation, canonical and subtype_diff functions,
// the multirange type's name), base types (every CREATE TYPE option, support functions as
// regprocedure prints them) and shell types. Array types, multirange types and the row
// types of tables are implicit and never objects of their own.
#include <unordered_map>
#include <unordered_set>

#include "reader.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/fmgroids.h"
}

namespace squash::catalog {

namespace {

struct Type {
  Oid oid = 0, nsp = 0, owner = 0, base = 0, collation = 0, relid = 0;
  std::string name;
  char typtype = '\0';
  int32_t typmod = -1;
  bool not_null = false;
  Value acl, default_bin;
  // Base types only.
  int16_t len = 0;
  bool byval = false, preferred = false;
  char align = 'i', storage = 'p', category = 'U', delim = ',';
  Oid elem = 0;
  Oid procs[8] = {0, 0, 0, 0, 0, 0, 0, 0};  // in the order of kBaseProcs
  Value default_text;
};

// The option names of CREATE TYPE for a base type's support functions, in Type::procs order.
const char* const kBaseProcs[8] = {"input",     "output",     "receive", "send",
                                   "typmod_in", "typmod_out", "analyze", "subscript"};

// A base type: every option CREATE TYPE takes, as CREATE TYPE spells it, so the generator
// writes them back as they are. Its array type comes with it.
void read_base_type(Context& ctx, const Type& t, const std::string& identity,
                    const std::unordered_map<Oid, std::string>& proc_names) {
  ObjectRef o = ctx.add("base type", identity);
  for (int k = 0; k < 8; k++) {
    if (t.procs[k] == 0) continue;
    auto it = proc_names.find(t.procs[k]);
    o.set(kBaseProcs[k], it == proc_names.end() ? std::string("???") : it->second);
  }
  o.set("internallength", t.len == -1 ? std::string("variable") : std::to_string(t.len));
  o.set("passedbyvalue", bool_text(t.byval));
  const char* align = t.align == 'c'   ? "char"
                      : t.align == 's' ? "int2"
                      : t.align == 'd' ? "double"
                                       : "int4";
  o.set("alignment", align);
  const char* storage = t.storage == 'e'   ? "external"
                        : t.storage == 'm' ? "main"
                        : t.storage == 'x' ? "extended"
                                           : "plain";
  o.set("storage", storage);
  o.set("category", std::string(1, t.category));
  o.set("preferred", bool_text(t.preferred));
  if (t.default_text) o.set("default", *t.default_text);
  if (t.elem != 0) o.set("element", ctx.type(t.elem, kNoTypmod).name);
  o.set("delimiter", std::string(1, t.delim));
  o.set("collatable", bool_text(t.collation != 0));
  ctx.attach_common(o, TypeRelationId, t.oid, t.owner, 'T', t.acl);
}

}  // namespace

void read_types(Context& ctx) {
  // The types in scope, straight from pg_type: array types are implicit (each type has
  // one) and the row types of tables, views and sequences belong to them, so both are
  // left out before anything is copied.
  std::vector<Type> types;
  bool have_enums = false, have_ranges = false;
  std::vector<Oid> base_procs;
  {
    CatalogScan scan(TypeRelationId);
    while (scan.next()) {
      const FormData_pg_type& t = scan.row<FormData_pg_type>();
      if (!ctx.in_scope(t.typnamespace)) continue;
      // CREATE TYPE refuses array_subscript_handler: only implicit array types have it.
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
      if (t.typtype == 'b') {
        x.len = t.typlen;
        x.byval = t.typbyval;
        x.preferred = t.typispreferred;
        x.align = t.typalign;
        x.storage = t.typstorage;
        x.category = t.typcategory;
        x.delim = t.typdelim;
        x.elem = t.typelem;
        const Oid procs[8] = {t.typinput, t.typoutput, t.typreceive, t.typsend,
                              t.typmodin, t.typmodout, t.typanalyze, t.typsubscript};
        for (int k = 0; k < 8; k++) {
          x.procs[k] = procs[k];
          if (procs[k] != 0) base_procs.push_back(procs[k]);
        }
        x.default_text = scan.value(Anum_pg_type_typdefault);
      }
    }
  }
  // Support functions of base types, as regprocedure prints them under the pinned
  // search_path: user ones schema-qualified, pg_catalog's bare.
  std::unordered_map<Oid, std::string> proc_names;
  if (!base_procs.empty()) {
    Rows p = ctx.query(
        "SELECT u, u::pg_catalog.regprocedure::pg_catalog.text"
        " FROM pg_catalog.unnest('" +
        array_literal(base_procs) + "'::pg_catalog.oid[]) u");
    for (size_t i = 0; i < p.size(); i++) proc_names[p.oid(i, 0)] = p.str(i, 1);
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
    if (typtype == 'b') {
      read_base_type(ctx, t, identity, proc_names);
      continue;
    }
    if (typtype == 'p') {
      // Built-in pseudo-types live in pg_catalog: one in scope is a shell. A shell takes
      // no grants: no ACL.
      ObjectRef o = ctx.add("shell type", identity);
      ctx.attach_common(o, TypeRelationId, oid, t.owner, '\0', t.acl);
      continue;
    }
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
