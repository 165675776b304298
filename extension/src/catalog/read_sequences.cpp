// Sequences (pg_sequence). Options are schema; last_value and is_called are data and stay
// out. An identity column's sequence is part of the column: its options become the
// column's attribute "identity_sequence" instead of an object of their own.
#include <unordered_map>

#include "reader.hpp"

extern "C" {
#include "catalog/pg_class.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_sequence.h"
}

namespace squash::catalog {

namespace {

// One sequence with its owning or identity dependency (deptype '\0' for none): the rows
// of pg_sequence LEFT JOIN pg_depend, read from the two catalogs directly.
struct SeqRow {
  Oid seq = 0, type = 0;
  int64_t start = 0, increment = 0, max = 0, min = 0, cache = 0;
  bool cycle = false;
  char deptype = '\0';
  Oid table = 0;
  int attnum = 0;
};

std::vector<SeqRow> sequence_rows(Context& ctx) {
  std::vector<SeqRow> seqs;
  {
    CatalogScan scan(SequenceRelationId);
    while (scan.next()) {
      const FormData_pg_sequence& q = scan.row<FormData_pg_sequence>();
      if (!ctx.relation(q.seqrelid)) continue;
      SeqRow& r = seqs.emplace_back();
      r.seq = q.seqrelid;
      r.type = q.seqtypid;
      r.start = q.seqstart;
      r.increment = q.seqincrement;
      r.max = q.seqmax;
      r.min = q.seqmin;
      r.cache = q.seqcache;
      r.cycle = q.seqcycle;
    }
  }
  if (seqs.empty()) return seqs;
  OidMap<std::vector<std::pair<char, std::pair<Oid, int>>>> deps;
  {
    OidMap<bool> wanted;
    for (const SeqRow& r : seqs) wanted[r.seq] = true;
    CatalogScan scan(DependRelationId);
    while (scan.next()) {
      const FormData_pg_depend& d = scan.row<FormData_pg_depend>();
      if (d.classid != RelationRelationId || d.objsubid != 0 ||
          d.refclassid != RelationRelationId || (d.deptype != 'a' && d.deptype != 'i') ||
          !wanted.find(d.objid))
        continue;
      deps[d.objid].push_back({d.deptype, {d.refobjid, d.refobjsubid}});
    }
  }
  std::vector<SeqRow> out;
  out.reserve(seqs.size());
  for (const SeqRow& r : seqs) {
    const auto* found = deps.find(r.seq);
    if (!found) {
      out.push_back(r);
      continue;
    }
    for (const auto& [deptype, ref] : *found) {
      SeqRow& o = out.emplace_back(r);
      o.deptype = deptype;
      o.table = ref.first;
      o.attnum = ref.second;
    }
  }
  return out;
}

}  // namespace

void read_sequences(Context& ctx) {
  const std::vector<SeqRow> rows = sequence_rows(ctx);
  // Owners outside the schemas in scope: their names in one more query.
  std::unordered_map<uint64_t, std::string> other_owners;
  {
    std::vector<Oid> missing;
    for (const SeqRow& r : rows)
      if (r.deptype == 'a' && !ctx.relation(r.table)) missing.push_back(r.table);
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
  for (const SeqRow& r : rows) {
    const Relation* seq = ctx.relation(r.seq);
    if (!seq || !seq->kept) continue;
    const std::string& type = ctx.type(r.type, -1).name;
    const char deptype = r.deptype;
    const Oid table = r.table;
    const int attnum = r.attnum;
    if (deptype == 'i') {
      ctx.identity_sequence_oids.insert(seq->oid);
      std::string& text = ctx.identity_sequences[key2(table, static_cast<uint32_t>(attnum))];
      text.clear();
      text.reserve(160);
      text += "SEQUENCE NAME ";
      text += seq->identity;
      text += " AS ";
      text += type;
      text += " START WITH ";
      text += std::to_string(r.start);
      text += " INCREMENT BY ";
      text += std::to_string(r.increment);
      text += " MINVALUE ";
      text += std::to_string(r.min);
      text += " MAXVALUE ";
      text += std::to_string(r.max);
      text += " CACHE ";
      text += std::to_string(r.cache);
      text += r.cycle ? " CYCLE" : " NO CYCLE";
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
    // Attributes in key order: normalize() then has nothing to sort.
    ObjectRef o = ctx.add("sequence", seq->identity);
    o.set("acl", seq->acl ? render_acl(*seq->acl) : ctx.default_acl('s', seq->owner));
    o.set("cache", std::to_string(r.cache));
    if (const std::string* c = ctx.comment(RelationRelationId, seq->oid)) o.set("comment", *c);
    ctx.attach_labels(o, RelationRelationId, seq->oid);
    o.set("cycle", bool_text(r.cycle));
    o.set("increment", std::to_string(r.increment));
    o.set("max", std::to_string(r.max));
    o.set("min", std::to_string(r.min));
    if (!owned_by.empty()) o.set("owned_by", owned_by);
    if (seq->owner != 0) o.set("owner", ctx.role(seq->owner));
    o.set("start", std::to_string(r.start));
    o.set("type", type);
  }
}

}  // namespace squash::catalog
