// Relations (pg_class), their columns (pg_attribute, pg_attrdef) and inheritance
// (pg_inherits): the maps every other reader looks tables up in, and the objects
// "table", "column" and "column order".
#include <algorithm>
#include <unordered_map>

#include "reader.hpp"

#include "pg_squash/catalog/user_objects.hpp"
#include "pg_squash/pg/settings.hpp"

extern "C" {
#include "access/transam.h"
#include "catalog/pg_attrdef.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
}

namespace squash::catalog {

namespace {

const char* storage_word(char s) {
  switch (s) {
    case 'p':
      return "plain";
    case 'e':
      return "external";
    case 'm':
      return "main";
    case 'x':
      return "extended";
    default:
      return "unknown";
  }
}

void load_inheritance(Context& ctx) {
  Rows r = ctx.query(
      "SELECT inhrelid, inhparent FROM pg_catalog.pg_inherits WHERE inhrelid >= 16384"
      " ORDER BY inhrelid, inhseqno");
  // Parents outside the schemas in scope: their names in one more query.
  std::unordered_map<Oid, std::string> others;
  {
    std::vector<Oid> missing;
    for (size_t i = 0; i < r.size(); i++)
      if (ctx.relations.find(r.oid(i, 0)) && !ctx.relations.find(r.oid(i, 1)))
        missing.push_back(r.oid(i, 1));
    if (!missing.empty()) {
      Rows p = ctx.query(
          "SELECT c.oid, n.nspname, c.relname FROM pg_catalog.pg_class c"
          " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
          " WHERE c.oid = ANY ('" +
          array_literal(missing) + "'::pg_catalog.oid[])");
      for (size_t i = 0; i < p.size(); i++)
        others[p.oid(i, 0)] = qualified(p.view(i, 1), p.view(i, 2));
    }
  }
  for (size_t i = 0; i < r.size(); i++) {
    Relation* child = ctx.relations.find(r.oid(i, 0));
    if (!child) continue;
    const Relation* parent = ctx.relations.find(r.oid(i, 1));
    child->parents.push_back(parent ? parent->identity : others[r.oid(i, 1)]);
  }
}

void load_columns(Context& ctx) {
  // Columns of tables, views, materialized views, foreign tables and composite types; of
  // indexes only columns with (operator class) options. No join: rows of other relations
  // are rejected by their first column, cheaper than a hash join over pg_class.
  Relation* rel = nullptr;
  Oid last = InvalidOid;
  {
    CatalogScan scan(AttributeRelationId);
    while (scan.next()) {
      const FormData_pg_attribute& a = scan.row<FormData_pg_attribute>();
      if (a.attrelid < FirstNormalObjectId || a.attnum <= 0 || a.attisdropped) continue;
      // Rows come grouped by relation: look each one up once, found or not.
      if (a.attrelid != last) {
        last = a.attrelid;
        rel = ctx.relations.find(a.attrelid);
      }
      if (!rel || rel->kind == 'S') continue;
      const bool has_options = !scan.null(Anum_pg_attribute_attoptions);
      std::string_view opts;
      if (has_options) {
        // On this platform every column carries pg_attver=<n>: not schema, not kept.
        opts = scan.view(Anum_pg_attribute_attoptions);
        if (opts.rfind("{pg_attver=", 0) == 0 && opts.find(',') == std::string_view::npos)
          opts = {};
      }
      // Of an index only the columns with (operator class) options matter.
      if ((rel->kind == 'i' || rel->kind == 'I') && opts.empty()) continue;
      Column& col = rel->columns.emplace_back();
      col.attnum = a.attnum;
      col.name = NameStr(a.attname);
      col.type = a.atttypid;
      col.typmod = a.atttypmod;
      col.not_null = a.attnotnull;
      col.identity = a.attidentity;
      col.generated = a.attgenerated;
      col.collation = a.attcollation;
      col.stattarget = a.attstattarget;
      col.storage = a.attstorage;
      col.compression = a.attcompression;
      col.is_local = a.attislocal;
      col.inhcount = a.attinhcount;
      if (!opts.empty()) col.options = opts;
      if (!scan.null(Anum_pg_attribute_attacl)) col.acl = scan.view(Anum_pg_attribute_attacl);
      if (rel->kept) {
        ctx.need_type(col.type, col.typmod);
        ctx.need_collation(col.collation);
      }
    }
  }

  for (auto& [oid, r] : ctx.relations) {
    if (r.columns.empty()) continue;
    auto by_attnum = [](const Column& a, const Column& b) { return a.attnum < b.attnum; };
    if (!std::is_sorted(r.columns.begin(), r.columns.end(), by_attnum))
      std::sort(r.columns.begin(), r.columns.end(), by_attnum);
    r.attcol.assign(static_cast<size_t>(r.columns.back().attnum), -1);
    for (size_t k = 0; k < r.columns.size(); k++)
      r.attcol[r.columns[k].attnum - 1] = static_cast<int>(k);
  }

  ctx.fetch_types();
  ctx.fetch_collations();
}

}  // namespace

void load_relations(Context& ctx) {
  const QualifiedName version_table = settings::version_table_name();
  {
    Rows a = ctx.query("SELECT oid, amname FROM pg_catalog.pg_am");
    for (size_t i = 0; i < a.size(); i++) ctx.access_methods[a.oid(i, 0)] = a.str(i, 1);
  }
  // The schemas in scope: name and quoted name, looked up once per run of rows.
  struct Nsp {
    const std::string* name;
    std::string quoted;
  };
  std::unordered_map<Oid, Nsp> nsps;
  for (const auto& [oid, name] : ctx.nsps) nsps.emplace(oid, Nsp{&name, quote(name)});
  Oid last_nsp = InvalidOid;
  const Nsp* nsp = nullptr;
  Oid last_am = InvalidOid;
  std::string_view am;
  bool partitioned = false;
  {
    CatalogScan scan(RelationRelationId);
    ctx.relations.reserve(
        std::max<size_t>(1024, scan.estimated_rows() + scan.estimated_rows() / 8));
    while (scan.next()) {
      const FormData_pg_class& c = scan.row<FormData_pg_class>();
      switch (c.relkind) {
        case 'r':
        case 'p':
        case 'v':
        case 'm':
        case 'S':
        case 'f':
        case 'c':
        case 'i':
        case 'I':
          break;
        default:
          continue;
      }
      if (c.relnamespace != last_nsp) {
        last_nsp = c.relnamespace;
        auto it = nsps.find(c.relnamespace);
        nsp = it == nsps.end() ? nullptr : &it->second;
      }
      if (!nsp) continue;
      const Oid oid = c.oid;
      Relation& rel = ctx.relations[oid];
      rel.oid = oid;
      rel.nsp = c.relnamespace;
      rel.name = NameStr(c.relname);
      rel.identity.reserve(nsp->quoted.size() + rel.name.size() + 3);
      rel.identity = nsp->quoted;
      rel.identity += '.';
      append_quoted(rel.identity, rel.name);
      rel.kind = c.relkind;
      rel.owner = c.relowner;
      rel.type = c.reltype;
      rel.is_partition = c.relispartition;
      rel.persistence = c.relpersistence;
      rel.replident = c.relreplident;
      rel.rls = c.relrowsecurity;
      rel.rls_forced = c.relforcerowsecurity;
      rel.am_oid = c.relam;
      if (rel.am_oid != last_am) {
        last_am = rel.am_oid;
        auto it = ctx.access_methods.find(rel.am_oid);
        am = it == ctx.access_methods.end() ? std::string_view() : std::string_view(it->second);
      }
      if (rel.am_oid != 0) rel.am = am;
      rel.of_type = c.reloftype;
      if (rel.kind != 'S' && rel.kind != 'i' && rel.kind != 'I') rel.columns.reserve(c.relnatts);
      if (!scan.null(Anum_pg_class_reloptions)) rel.options = scan.view(Anum_pg_class_reloptions);
      if (!scan.null(Anum_pg_class_relacl)) rel.acl = scan.view(Anum_pg_class_relacl);
      partitioned = partitioned || rel.kind == 'p' || rel.is_partition;
      rel.kept = !ctx.extension_member(RelationRelationId, rel.oid);
      // The Alembic version table is bookkeeping, not schema: it, its columns,
      // constraints, indexes and triggers stay out.
      if ((rel.kind == 'r' || rel.kind == 'p') &&
          is_version_table(*nsp->name, rel.name, version_table.schema, version_table.name)) {
        rel.kept = false;
        ctx.version_tables.insert(rel.oid);
      }
    }
  }
  if (partitioned) {
    // Partition keys and bounds: the server's deparse, for the few relations that have one.
    ctx.scan(
        "SELECT c.oid,"
        "  CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END,"
        "  CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END"
        " FROM pg_catalog.pg_class c"
        " WHERE c.relnamespace = ANY ($NSPS) AND (c.relkind = 'p' OR c.relispartition)"
        "   AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c', 'i', 'I')",
        [&](const Row& row) {
          if (Relation* rel = ctx.relations.find(row.oid(0))) {
            rel->partkey = row.value(1);
            rel->partbound = row.value(2);
          }
        });
  }
  ctx.relations.index_densely();
  load_inheritance(ctx);
  load_columns(ctx);
  // Room for the objects to come, most of them columns: no regrowth of the list.
  size_t expected = 1024;
  for (const auto& [oid, rel] : ctx.relations) expected += 3 + (rel.kept ? rel.columns.size() : 0);
  ctx.out.reserve(expected, expected * 3);
}

void load_defaults(Context& ctx) {
  // Defaults and generation expressions, deparsed as they come.
  Relation* rel = nullptr;
  Oid last = InvalidOid;
  {
    CatalogScan scan(AttrDefaultRelationId);
    while (scan.next()) {
      const FormData_pg_attrdef& d = scan.row<FormData_pg_attrdef>();
      if (d.adrelid < FirstNormalObjectId) continue;
      if (d.adrelid != last) {
        last = d.adrelid;
        rel = ctx.relations.find(d.adrelid);
      }
      if (!rel || !rel->kept) continue;
      const Column* c = rel->column(d.adnum);
      if (!c) continue;
      Column& col = rel->columns[rel->attcol[c->attnum - 1]];
      col.has_default = true;
      col.default_expr = ctx.deparser.expr(scan.view(Anum_pg_attrdef_adbin), rel,
                                           expr_source(ExprSource::kDefault, d.adrelid, d.adnum));
    }
  }
}

void read_tables(Context& ctx) {
  // Tables in identity order, columns in name order: the bulk of a snapshot comes out
  // sorted, and sorting it again costs nothing (see put_in_order).
  std::vector<Relation*> rels;
  for (auto& [oid, rel] : ctx.relations)
    if (rel.kept && (rel.kind == 'r' || rel.kind == 'p' || rel.kind == 'v' || rel.kind == 'm' ||
                     rel.kind == 'f'))
      rels.push_back(&rel);
  std::sort(rels.begin(), rels.end(),
            [](const Relation* a, const Relation* b) { return a->identity < b->identity; });
  std::vector<std::string> quoted;  // column names, quoted, in attnum order
  std::string identity;
  std::vector<std::pair<std::string_view, const Column*>> named;
  for (Relation* relp : rels) {
    Relation& rel = *relp;
    // A foreign table's object comes from read_foreign; its columns are read as a table's.
    const bool table = rel.kind == 'r' || rel.kind == 'p' || rel.kind == 'f';

    if (table && rel.kind != 'f') {
      const char* replident = "default";
      switch (rel.replident) {
        case 'n':
          replident = "nothing";
          break;
        case 'f':
          replident = "full";
          break;
        case 'i':
          replident = "index";
          break;
        default:
          break;
      }
      // Attributes in key order: normalize() then has nothing to sort.
      ObjectRef t = ctx.add("table", rel.identity);
      if (!rel.am.empty() && rel.am != "heap") t.set("access_method", rel.am);
      t.set("acl", rel.acl ? render_acl(*rel.acl) : ctx.default_acl('r', rel.owner));
      if (const std::string* c = ctx.comment(RelationRelationId, rel.oid)) t.set("comment", *c);
      if (!rel.is_partition && !rel.parents.empty()) t.set("inherits", join(rel.parents, ", "));
      if (rel.of_type) t.set("of_type", ctx.type(rel.of_type, -1).name);
      if (rel.options) t.set("options", render_options(*rel.options));
      if (rel.owner != 0) t.set("owner", ctx.role(rel.owner));
      if (rel.is_partition && rel.partbound) t.set("partition_bound", *rel.partbound);
      if (rel.is_partition && !rel.parents.empty()) t.set("partition_of", rel.parents.front());
      if (rel.partkey) t.set("partition_key", *rel.partkey);
      t.set("persistence", rel.persistence == 'u' ? "unlogged" : "permanent");
      t.set("replica_identity", replident);
      t.set("rls_enabled", bool_text(rel.rls));
      t.set("rls_forced", bool_text(rel.rls_forced));
      ctx.attach_labels(t, RelationRelationId, rel.oid);
    }

    quoted.clear();
    for (const Column& c : rel.columns) quoted.push_back(quote(c.name));
    if (table) ctx.add("column order", rel.identity).set("columns", join(quoted, ", "));

    named.clear();
    for (size_t k = 0; k < rel.columns.size(); k++) named.emplace_back(quoted[k], &rel.columns[k]);
    std::sort(named.begin(), named.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [name, cp] : named) {
      // Attributes in key order: normalize() then has nothing to sort.
      const Column& c = *cp;
      const TypeInfo& type = ctx.type(c.type, c.typmod);
      identity.assign(rel.identity);
      identity += '.';
      identity.append(name.data(), name.size());
      ObjectRef o = ctx.add("column", identity);
      if (c.acl) o.set("acl", render_acl(*c.acl));
      if (c.collation != type.collation && c.collation != 0)
        o.set("collation", ctx.collation(c.collation));
      if (const std::string* cm = ctx.column_comments.find(key2(rel.oid, c.attnum)))
        o.set("comment", *cm);
      if (table && c.compression == 'p') o.set("compression", "pglz");
      if (table && c.compression == 'l') o.set("compression", "lz4");
      if (c.has_default && c.generated != 's') o.set("default", c.default_expr);
      if (rel.kind == 'f')
        if (const std::string* fo = ctx.column_fdw_options.find(key2(rel.oid, c.attnum)))
          o.set("fdw_options", *fo);
      if (c.has_default && c.generated == 's') o.set("generated", c.default_expr);
      if (table && (c.identity == 'a' || c.identity == 'd')) {
        o.set("identity", c.identity == 'a' ? "always" : "by default");
        auto it = ctx.identity_sequences.find(key2(rel.oid, c.attnum));
        if (it != ctx.identity_sequences.end()) o.set("identity_sequence", it->second);
      }
      if (table && c.inhcount > 0 && !rel.is_partition) {
        o.set("inherited", "true");
        o.set("local", bool_text(c.is_local));
      }
      if (table) o.set("not_null", bool_text(c.not_null));
      if (table && c.options) {
        // pg_attver=<n> is a platform quirk that changes on every rebuild, not schema.
        std::string opts = render_options(*c.options, {"pg_attver="});
        if (!opts.empty()) o.set("options", std::move(opts));
      }
      if (table && c.stattarget >= 0) o.set("statistics", std::to_string(c.stattarget));
      if (table && c.storage != type.storage) o.set("storage", storage_word(c.storage));
      o.set("type", type.name);
      ctx.attach_column_labels(o, rel.oid, c.attnum);
    }
  }
}

}  // namespace squash::catalog
