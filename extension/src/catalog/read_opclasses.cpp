// Operator families and operator classes (pg_opfamily, pg_opclass) with their members
// (pg_amop, pg_amproc). Identity: schema.name USING method, as COMMENT ON writes them.
//
// A member belongs to the class or to the family that pg_depend says owns it (an internal
// or auto dependency, not the one an ordering operator has on its sort family), as pg_dump
// reads it: members written in CREATE OPERATOR CLASS are the class's, those added with
// ALTER OPERATOR FAMILY ... ADD (and cross-type ones a method moves out of the class) are
// the family's. Each member is one attribute, keyed by its number and types:
//   "operator 1 (integer, integer)"  = "s.<(integer,integer)" [" FOR ORDER BY s.fam"]
//   "function 1 (integer, integer)"  = "s.cmp(integer,integer)"
// Operators and functions as regoperator / regprocedure print them, types as format_type
// does, families schema-qualified: never an OID.
#include "reader.hpp"

extern "C" {
#include "catalog/pg_opclass.h"
#include "catalog/pg_opfamily.h"
}

namespace squash::catalog {

void read_opclasses(Context& ctx) {
  // Families and classes in one query, without joins (both catalogs are small): kind, oid,
  // schema, name, method, owner, then the class's input type, default flag, storage type
  // and family.
  Rows r = ctx.query(
      "SELECT 'f', oid, opfnamespace, opfname, opfmethod, opfowner, 0::pg_catalog.oid, false,"
      "  0::pg_catalog.oid, 0::pg_catalog.oid"
      " FROM pg_catalog.pg_opfamily WHERE opfnamespace = ANY ($NSPS)"
      " UNION ALL SELECT 'c', oid, opcnamespace, opcname, opcmethod, opcowner, opcintype,"
      "  opcdefault, opckeytype, opcfamily"
      " FROM pg_catalog.pg_opclass WHERE opcnamespace = ANY ($NSPS)");
  // Extension members (pg_trgm's and btree_gist's classes in public, ...) are left out
  // before anything else is looked up for them.
  std::vector<bool> keep(r.size());
  std::vector<Oid> owners;
  for (size_t i = 0; i < r.size(); i++) {
    const Oid catalog = r.ch(i, 0) == 'c' ? OperatorClassRelationId : OperatorFamilyRelationId;
    keep[i] = !ctx.extension_member(catalog, r.oid(i, 1));
    if (keep[i]) owners.push_back(r.oid(i, 1));
  }
  if (owners.empty()) return;
  std::sort(owners.begin(), owners.end());

  // Family names: those in scope from the rows, others (in a schema out of scope) looked up.
  std::unordered_map<Oid, std::string> family_names;
  std::vector<Oid> elsewhere;
  for (size_t i = 0; i < r.size(); i++)
    if (r.ch(i, 0) == 'f')
      family_names[r.oid(i, 1)] = qualified(ctx.nsps.at(r.oid(i, 2)), r.view(i, 3));
  for (size_t i = 0; i < r.size(); i++) {
    if (!keep[i] || r.ch(i, 0) != 'c') continue;
    ctx.need_type(r.oid(i, 6), kNoTypmod);
    if (r.oid(i, 8) != 0) ctx.need_type(r.oid(i, 8), kNoTypmod);
    if (!family_names.count(r.oid(i, 9))) elsewhere.push_back(r.oid(i, 9));
  }
  ctx.fetch_types();
  if (!elsewhere.empty()) {
    Rows f = ctx.query(
        "SELECT f.oid, n.nspname, f.opfname FROM pg_catalog.pg_opfamily f"
        " JOIN pg_catalog.pg_namespace n ON n.oid = f.opfnamespace"
        " WHERE f.oid = ANY ('" +
        array_literal(elsewhere) + "'::pg_catalog.oid[])");
    for (size_t i = 0; i < f.size(); i++)
      family_names[f.oid(i, 0)] = qualified(f.view(i, 1), f.view(i, 2));
  }

  // The members of those families and classes, by their owner (class or family oid).
  Rows m = ctx.query(
      "SELECT d.refobjid, 'operator ' || o.amopstrategy || ' ('"
      "  || pg_catalog.format_type(o.amoplefttype, NULL) || ', '"
      "  || pg_catalog.format_type(o.amoprighttype, NULL) || ')',"
      "  o.amopopr::pg_catalog.regoperator::pg_catalog.text"
      "  || CASE WHEN o.amoppurpose = 'o' THEN ' FOR ORDER BY ' || (SELECT"
      "    pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(s.opfname)"
      "    FROM pg_catalog.pg_opfamily s JOIN pg_catalog.pg_namespace n"
      "    ON n.oid = s.opfnamespace WHERE s.oid = o.amopsortfamily) ELSE '' END"
      " FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_amop o ON o.oid = d.objid"
      " WHERE d.classid = 'pg_catalog.pg_amop'::pg_catalog.regclass"
      "   AND d.refobjid <> o.amopsortfamily"
      "   AND d.refclassid IN ('pg_catalog.pg_opclass'::pg_catalog.regclass,"
      "                        'pg_catalog.pg_opfamily'::pg_catalog.regclass)"
      "   AND d.deptype IN ('a', 'i') AND d.refobjid = ANY ('" +
      array_literal(owners) +
      "'::pg_catalog.oid[])"
      " UNION ALL"
      " SELECT d.refobjid, 'function ' || p.amprocnum || ' ('"
      "  || pg_catalog.format_type(p.amproclefttype, NULL) || ', '"
      "  || pg_catalog.format_type(p.amprocrighttype, NULL) || ')',"
      "  p.amproc::pg_catalog.regprocedure::pg_catalog.text"
      " FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_amproc p ON p.oid = d.objid"
      " WHERE d.classid = 'pg_catalog.pg_amproc'::pg_catalog.regclass"
      "   AND d.refclassid IN ('pg_catalog.pg_opclass'::pg_catalog.regclass,"
      "                        'pg_catalog.pg_opfamily'::pg_catalog.regclass)"
      "   AND d.deptype IN ('a', 'i') AND d.refobjid = ANY ('" +
      array_literal(owners) + "'::pg_catalog.oid[])");
  // Family and class OIDs never collide (one OID counter), so the owner's OID alone says
  // whose member a row is.
  std::unordered_map<Oid, std::vector<std::pair<std::string, std::string>>> members;
  for (size_t i = 0; i < m.size(); i++) members[m.oid(i, 0)].emplace_back(m.str(i, 1), m.str(i, 2));

  for (size_t i = 0; i < r.size(); i++) {
    const bool is_class = r.ch(i, 0) == 'c';
    const Oid oid = r.oid(i, 1);
    const Oid catalog = is_class ? OperatorClassRelationId : OperatorFamilyRelationId;
    if (!keep[i]) continue;
    auto am = ctx.access_methods.find(r.oid(i, 4));
    ObjectRef o = ctx.add(is_class ? "operator class" : "operator family",
                          qualified(ctx.nsps.at(r.oid(i, 2)), r.view(i, 3)) + " USING " +
                              quote(am == ctx.access_methods.end() ? "?" : am->second));
    if (is_class) {
      o.set("type", ctx.type(r.oid(i, 6), kNoTypmod).name);
      o.set("default", bool_text(r.flag(i, 7)));
      if (r.oid(i, 8) != 0) o.set("storage", ctx.type(r.oid(i, 8), kNoTypmod).name);
      o.set("family", family_names[r.oid(i, 9)]);
    }
    auto it = members.find(oid);
    if (it != members.end())
      for (const auto& [key, value] : it->second) o.set(key, value);
    ctx.attach_common(o, catalog, oid, r.oid(i, 5), '\0', Value());
  }
}

}  // namespace squash::catalog
