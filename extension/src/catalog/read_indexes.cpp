// Indexes (pg_index), described from the catalog fields as pg_get_indexdef would print
// them: columns with their non-default operator classes, collations and ordering,
// INCLUDE columns, predicate, storage parameters. Only index expressions and predicates
// go through the deparser. Tablespaces are not schema here.
#include <unordered_map>

#include "reader.hpp"

extern "C" {
#include "access/transam.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "commands/defrem.h"
}

namespace squash::catalog {

namespace {

struct AccessMethod {
  std::string name;
  bool can_order = false;
};

}  // namespace

void load_indexes(Context& ctx) {
  CatalogScan scan(IndexRelationId, true);
  ctx.indexes.reserve(scan.estimated_rows());
  while (scan.next()) {
    const FormData_pg_index& i = scan.row<FormData_pg_index>();
    if (i.indexrelid < FirstNormalObjectId) continue;
    const Relation* index = ctx.kept_relation(i.indexrelid);
    if (!index) continue;
    const Relation* table = ctx.kept_relation(i.indrelid);
    if (!table || (table->kind != 'r' && table->kind != 'p' && table->kind != 'm')) continue;
    IndexInfo& x = ctx.indexes[index->oid];
    x.table = table->oid;
    x.unique = i.indisunique;
#if PG_VERSION_NUM >= 150000
    x.nulls_not_distinct = i.indnullsnotdistinct;
#endif
    x.nkey = i.indnkeyatts;
    x.ints.reserve(static_cast<size_t>(i.indnatts) + 3 * static_cast<size_t>(i.indnkeyatts));
    const int vectors[4] = {Anum_pg_index_indkey, Anum_pg_index_indclass,
                            Anum_pg_index_indcollation, Anum_pg_index_indoption};
    for (int k = 0; k < 4; k++)
      x.counts[k] = static_cast<uint32_t>(scan.append_numbers(vectors[k], x.ints));
    if (!scan.null(Anum_pg_index_indexprs)) x.exprs = scan.view(Anum_pg_index_indexprs);
    if (!scan.null(Anum_pg_index_indpred)) x.predicate = scan.view(Anum_pg_index_indpred);
    x.clustered = i.indisclustered;
    x.replica_identity = i.indisreplident;
  }
  ctx.indexes.index_densely();
}

void read_indexes(Context& ctx) {
  if (ctx.indexes.empty()) return;
  std::unordered_map<Oid, AccessMethod> ams;
  {
    Rows r = ctx.query(
        "SELECT oid, amname, pg_catalog.pg_indexam_has_property(oid, 'can_order')"
        " FROM pg_catalog.pg_am WHERE amtype = 'i'");
    for (size_t i = 0; i < r.size(); i++) ams[r.oid(i, 0)] = {r.str(i, 1), r.flag(i, 2)};
  }
  std::unordered_map<Oid, std::pair<std::string, Oid>> opclasses;  // name, method
  {
    Rows r = ctx.query(
        "SELECT o.oid, n.nspname, o.opcname, pg_catalog.pg_opclass_is_visible(o.oid), o.opcmethod"
        " FROM pg_catalog.pg_opclass o"
        " JOIN pg_catalog.pg_namespace n ON n.oid = o.opcnamespace");
    for (size_t i = 0; i < r.size(); i++)
      opclasses[r.oid(i, 0)] = {
          r.flag(i, 3) ? quote(r.view(i, 2)) : qualified(r.view(i, 1), r.view(i, 2)), r.oid(i, 4)};
  }
  std::unordered_map<uint64_t, Oid> default_opclass;  // (type, am) -> opclass
  auto is_default = [&](Oid opclass, Oid type, Oid am) {
    const uint64_t k = key2(type, am);
    auto it = default_opclass.find(k);
    if (it == default_opclass.end())
      it = default_opclass.emplace(k, pg_call([&] { return GetDefaultOpClass(type, am); })).first;
    return it->second == opclass;
  };

  std::vector<Deparsed> exprs;
  std::vector<std::string> keys, include;
  for (auto& [index_oid, info] : ctx.indexes) {
    const IndexInfo& x = info;
    const IntSpan key = x.key(), opclass = x.opclass(), collation = x.collation(),
                  option = x.option();
    const Relation* idx = ctx.relation(index_oid);
    const Relation* rel = ctx.relation(x.table);
    if (!idx || !rel) continue;
    const AccessMethod& am = ams[idx->am_oid];
    exprs.clear();
    if (x.exprs) exprs = ctx.deparser.list(*x.exprs, rel);
    size_t next_expr = 0;

    // Operator class options live in the index's own pg_attribute rows.
    auto column_options = [&](int attnum) -> std::string {
      for (const Column& c : idx->columns)
        if (c.attnum == attnum && c.options) return render_options(*c.options, {"pg_attver="});
      return {};
    };

    keys.clear();
    include.clear();
    for (size_t k = 0; k < key.size(); k++) {
      const int attnum = static_cast<int>(key[k]);
      std::string item;
      Oid key_type = 0, key_coll = 0;
      if (attnum != 0) {
        const std::string* name = rel->attname(attnum);
        item = name ? quote(*name) : "?" + std::to_string(attnum);
        if (const Column* col = rel->column(attnum)) {
          key_type = col->type;
          key_coll = col->collation;
        }
      } else if (next_expr < exprs.size()) {
        const Deparsed& e = exprs[next_expr++];
        item = e.function_like ? e.text : "(" + e.text + ")";
        key_type = e.type;
        key_coll = e.collation;
      }
      if (static_cast<int>(k) >= x.nkey) {
        include.push_back(std::move(item));
        continue;
      }
      const Oid coll = k < collation.size() ? static_cast<Oid>(collation[k]) : 0;
      if (coll != 0 && coll != key_coll) item += " COLLATE " + ctx.collation(coll);
      const Oid opc = k < opclass.size() ? static_cast<Oid>(opclass[k]) : 0;
      const std::string opts = column_options(static_cast<int>(k) + 1);
      auto oc = opclasses.find(opc);
      const Oid method = oc != opclasses.end() ? oc->second.second : idx->am_oid;
      if (!opts.empty() || !is_default(opc, key_type, method)) {
        item += " " + (oc != opclasses.end() ? oc->second.first : std::to_string(opc));
        if (!opts.empty()) item += " (" + opts + ")";
      }
      if (am.can_order && k < option.size()) {
        const int64_t opt = option[k];
        if (opt & INDOPTION_DESC) {
          item += " DESC";
          if (!(opt & INDOPTION_NULLS_FIRST)) item += " NULLS LAST";
        } else if (opt & INDOPTION_NULLS_FIRST) {
          item += " NULLS FIRST";
        }
      }
      keys.push_back(std::move(item));
    }
    std::string predicate;
    if (x.predicate)
      predicate =
          ctx.deparser.expr(*x.predicate, rel, expr_source(ExprSource::kPredicate, index_oid));

    // Attributes in key order: normalize() then has nothing to sort.
    ObjectRef o = ctx.add("index", idx->identity);
    if (x.clustered) o.set("clustered", "true");
    o.set("columns", join(keys, ", "));
    if (const std::string* c = ctx.comment(RelationRelationId, idx->oid)) o.set("comment", *c);
    if (const std::string* name = ctx.index_constraint.find(index_oid))
      o.set("constraint", quote(*name));
    if (!include.empty()) o.set("include", join(include, ", "));
    o.set("method", am.name);
    if (x.nulls_not_distinct) o.set("nulls_not_distinct", "true");
    if (idx->options) o.set("options", render_options(*idx->options));
    if (!idx->parents.empty()) o.set("partition_of", idx->parents.front());
    if (x.predicate) o.set("predicate", std::move(predicate));
    if (x.replica_identity) o.set("replica_identity", "true");
    o.set("table", rel->identity);
    o.set("unique", bool_text(x.unique));
  }
}

}  // namespace squash::catalog
