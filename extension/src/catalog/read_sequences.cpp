// Sequences (pg_sequence). Options are schema; last_value and is_called are data and stay
// out. An identity column's sequence is part of the column: its options become the
// column's attribute "identity_sequence" instead of an object of their own.
#include <unordered_map>

#include "reader.hpp"

extern "C" {
#include "catalog/pg_class.h"
}

namespace squash::catalog {

void read_sequences(Context& ctx) {
  Rows r = ctx.query(
      "SELECT s.seqrelid, s.seqtypid, s.seqstart, s.seqincrement, s.seqmax, s.seqmin,"
      "  s.seqcache, s.seqcycle, d.deptype, d.refobjid, d.refobjsubid"
      " FROM pg_catalog.pg_sequence s"
      " LEFT JOIN pg_catalog.pg_depend d"
      "   ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = s.seqrelid"
      "   AND d.objsubid = 0 AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
      "   AND d.deptype IN ('a', 'i')");
  // Owners outside the schemas in scope: their names in one more query.
  std::unordered_map<uint64_t, std::string> other_owners;
  {
    std::vector<Oid> missing;
    for (size_t i = 0; i < r.size(); i++)
      if (ctx.relation(r.oid(i, 0)) && r.ch(i, 8) == 'a' && !ctx.relation(r.oid(i, 9)))
        missing.push_back(r.oid(i, 9));
    if (!missing.empty()) {
      Rows o = ctx.query(
          "SELECT a.attrelid, a.attnum, n.nspname, c.relname, a.attname"
          " FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
          " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
          " WHERE a.attrelid = ANY ('" +
          array_literal(missing) + "'::pg_catalog.oid[]) AND a.attnum > 0");
      for (size_t i = 0; i < o.size(); i++)
        other_owners[key2(o.oid(i, 0), static_cast<uint32_t>(o.num(i, 1)))] =
            qualified(o.view(i, 2), o.view(i, 3)) + "." + quote(o.view(i, 4));
    }
  }
  for (size_t i = 0; i < r.size(); i++) {
    const Relation* seq = ctx.relation(r.oid(i, 0));
    if (!seq || !seq->kept) continue;
    const std::string type = ctx.type(r.oid(i, 1), -1).name;
    const char deptype = r.ch(i, 8);
    const Oid table = r.oid(i, 9);
    const int attnum = static_cast<int>(r.num(i, 10));
    if (deptype == 'i') {
      ctx.identity_sequence_oids.insert(seq->oid);
      ctx.identity_sequences[key2(table, static_cast<uint32_t>(attnum))] =
          "SEQUENCE NAME " + seq->identity + " AS " + type + " START WITH " + r.str(i, 2) +
          " INCREMENT BY " + r.str(i, 3) + " MINVALUE " + r.str(i, 5) + " MAXVALUE " + r.str(i, 4) +
          " CACHE " + r.str(i, 6) + (r.flag(i, 7) ? " CYCLE" : " NO CYCLE");
      continue;
    }
    std::string owned_by;
    if (deptype == 'a') {
      // A sequence owned by a table that is left out (the version table, an extension's
      // table) goes with it.
      const Relation* owner = ctx.relation(table);
      if ((owner && !owner->kept) || (!owner && ctx.extension_member(RelationRelationId, table)))
        continue;
      if (owner) {
        const std::string* col = owner->attname(attnum);
        owned_by = owner->identity + "." + quote(col ? *col : std::to_string(attnum));
      } else {
        owned_by = other_owners[key2(table, static_cast<uint32_t>(attnum))];
      }
    }
    model::Object& o = ctx.add("sequence", seq->identity);
    o.set("type", type);
    o.set("start", r.str(i, 2));
    o.set("increment", r.str(i, 3));
    o.set("max", r.str(i, 4));
    o.set("min", r.str(i, 5));
    o.set("cache", r.str(i, 6));
    o.set("cycle", bool_text(r.flag(i, 7)));
    if (!owned_by.empty()) o.set("owned_by", owned_by);
    ctx.attach_common(o, RelationRelationId, seq->oid, seq->owner, 's', seq->acl);
  }
}

}  // namespace squash::catalog
