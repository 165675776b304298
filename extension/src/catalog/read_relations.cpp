// Relations (pg_class), their columns (pg_attribute, pg_attrdef) and inheritance
// (pg_inherits): the maps every other reader looks tables up in, and the objects
// "table", "column" and "column order".
#include <algorithm>
#include <unordered_map>

#include "reader.hpp"

#include "pg_squash/settings.hpp"

extern "C" {
#include "catalog/pg_class.h"
}

namespace squash::catalog {

namespace {

// pg_squash.version_table as (schema or "", table), with parse_ident's rules: quoted parts
// kept as written, unquoted parts folded to lower case.
std::pair<std::string, std::string> configured_version_table() {
  const char* setting = settings::version_table;
  std::string text = setting && *setting ? setting : "alembic_version";
  std::vector<std::string> parts(1);
  bool quoted = false;
  for (size_t i = 0; i < text.size(); i++) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        parts.back() += '"';
        i++;
      } else if (c == '"') {
        quoted = false;
      } else {
        parts.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == '.') {
      parts.emplace_back();
    } else if (c != ' ') {
      parts.back() += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
  }
  if (parts.size() == 2) return {parts[0], parts[1]};
  return {"", parts.back()};
}

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
  ctx.scan(
      "SELECT a.attrelid, a.attnum, a.attname, a.atttypid, a.atttypmod, a.attnotnull,"
      "  a.attidentity, a.attgenerated, a.attcollation, a.attstattarget, a.attstorage,"
      "  a.attcompression, a.attislocal, a.attinhcount, a.attoptions, a.attacl"
      " FROM pg_catalog.pg_attribute a"
      " WHERE a.attrelid >= 16384 AND a.attnum > 0 AND NOT a.attisdropped",
      [&](const Row& row) {
        // Rows come grouped by relation: look each one up once, found or not.
        const Oid relid = row.oid(0);
        if (relid != last) {
          last = relid;
          rel = ctx.relations.find(relid);
        }
        if (!rel || rel->kind == 'S') return;
        if ((rel->kind == 'i' || rel->kind == 'I') && row.null(14)) return;
        Column& col = rel->columns.emplace_back();
        col.attnum = static_cast<int>(row.num(1));
        col.name = row.view(2);
        col.type = row.oid(3);
        col.typmod = static_cast<int32_t>(row.num(4));
        col.not_null = row.flag(5);
        col.identity = row.ch(6);
        col.generated = row.ch(7);
        col.collation = row.oid(8);
        col.stattarget = static_cast<int>(row.num(9));
        col.storage = row.ch(10);
        col.compression = row.ch(11);
        col.is_local = row.flag(12);
        col.inhcount = static_cast<int>(row.num(13));
        if (!row.null(14)) {
          // On this platform every column carries pg_attver=<n>: not schema, not kept.
          std::string_view opts = row.view(14);
          if (!(opts.rfind("{pg_attver=", 0) == 0 && opts.find(',') == std::string_view::npos))
            col.options = std::string(opts);
        }
        col.acl = row.value(15);
        if (rel->kept) {
          ctx.need_type(col.type, col.typmod);
          ctx.need_collation(col.collation);
        }
      });

  for (auto& [oid, r] : ctx.relations) {
    if (r.columns.empty()) continue;
    auto by_attnum = [](const Column& a, const Column& b) { return a.attnum < b.attnum; };
    if (!std::is_sorted(r.columns.begin(), r.columns.end(), by_attnum))
      std::sort(r.columns.begin(), r.columns.end(), by_attnum);
    r.attcol.assign(static_cast<size_t>(r.columns.back().attnum), -1);
    for (size_t k = 0; k < r.columns.size(); k++)
      r.attcol[r.columns[k].attnum - 1] = static_cast<int>(k);
  }

  // Defaults and generation expressions, deparsed as they come.
  rel = nullptr;
  last = InvalidOid;
  ctx.scan("SELECT adrelid, adnum, adbin FROM pg_catalog.pg_attrdef WHERE adrelid >= 16384",
           [&](const Row& row) {
             const Oid relid = row.oid(0);
             if (relid != last) {
               last = relid;
               rel = ctx.relations.find(relid);
             }
             if (!rel || !rel->kept) return;
             const Column* c = rel->column(static_cast<int>(row.num(1)));
             if (!c) return;
             Column& col = rel->columns[rel->attcol[c->attnum - 1]];
             col.has_default = true;
             col.default_expr = ctx.deparser.expr(row.view(2), rel);
           });
  ctx.fetch_types();
  ctx.fetch_collations();
}

}  // namespace

void load_relations(Context& ctx) {
  auto [vt_schema, vt_name] = configured_version_table();
  std::unordered_map<Oid, std::string> ams;
  {
    Rows a = ctx.query("SELECT oid, amname FROM pg_catalog.pg_am");
    for (size_t i = 0; i < a.size(); i++) ams[a.oid(i, 0)] = a.str(i, 1);
  }
  ctx.relations.reserve(65536);
  ctx.scan(
      "SELECT c.oid, c.relnamespace, c.relname, c.relkind, c.relowner, c.reltype,"
      "  c.relispartition, c.relpersistence, c.relreplident, c.relrowsecurity,"
      "  c.relforcerowsecurity, c.relam, c.reloftype, c.reloptions, c.relacl,"
      "  CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END,"
      "  CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END"
      " FROM pg_catalog.pg_class c"
      " WHERE c.relnamespace = ANY ($NSPS)"
      "   AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c', 'i', 'I')",
      [&](const Row& row) {
        const Oid oid = row.oid(0);
        Relation& rel = ctx.relations[oid];
        rel.oid = oid;
        rel.nsp = row.oid(1);
        rel.schema = ctx.nsps.at(rel.nsp);
        rel.name = row.view(2);
        rel.identity = qualified(rel.schema, rel.name);
        rel.kind = row.ch(3);
        rel.owner = row.oid(4);
        rel.type = row.oid(5);
        rel.is_partition = row.flag(6);
        rel.persistence = row.ch(7);
        rel.replident = row.ch(8);
        rel.rls = row.flag(9);
        rel.rls_forced = row.flag(10);
        rel.am_oid = row.oid(11);
        if (rel.am_oid != 0) rel.am = ams[rel.am_oid];
        rel.of_type = row.oid(12);
        rel.options = row.value(13);
        rel.acl = row.value(14);
        rel.partkey = row.value(15);
        rel.partbound = row.value(16);
        rel.kept = !ctx.extension_member(RelationRelationId, rel.oid);
        // The Alembic version table is bookkeeping, not schema: it, its columns,
        // constraints, indexes and triggers stay out.
        if ((rel.kind == 'r' || rel.kind == 'p') &&
            (rel.name == "alembic_version" ||
             (rel.name == vt_name && (vt_schema.empty() || vt_schema == rel.schema)))) {
          rel.kept = false;
          ctx.version_tables.insert(rel.oid);
        }
      });
  load_inheritance(ctx);
  load_columns(ctx);
}

void read_tables(Context& ctx) {
  // Tables in identity order, columns in name order: the bulk of a snapshot comes out
  // sorted, and sorting it again costs nothing (see put_in_order).
  std::vector<Relation*> rels;
  for (auto& [oid, rel] : ctx.relations)
    if (rel.kept && (rel.kind == 'r' || rel.kind == 'p' || rel.kind == 'v' || rel.kind == 'm'))
      rels.push_back(&rel);
  std::sort(rels.begin(), rels.end(),
            [](const Relation* a, const Relation* b) { return a->identity < b->identity; });
  std::vector<std::pair<std::string, const Column*>> named;
  for (Relation* relp : rels) {
    Relation& rel = *relp;
    const bool table = rel.kind == 'r' || rel.kind == 'p';

    if (table) {
      model::Object& t = ctx.add("table", rel.identity);
      if (rel.partkey) t.set("partition_key", *rel.partkey);
      if (rel.is_partition) {
        if (!rel.parents.empty()) t.set("partition_of", rel.parents.front());
        if (rel.partbound) t.set("partition_bound", *rel.partbound);
      } else if (!rel.parents.empty()) {
        t.set("inherits", join(rel.parents, ", "));
      }
      t.set("persistence", rel.persistence == 'u' ? "unlogged" : "permanent");
      if (rel.options) t.set("options", render_options(*rel.options));
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
      t.set("replica_identity", replident);
      t.set("rls_enabled", bool_text(rel.rls));
      t.set("rls_forced", bool_text(rel.rls_forced));
      if (!rel.am.empty() && rel.am != "heap") t.set("access_method", rel.am);
      if (rel.of_type) t.set("of_type", ctx.type(rel.of_type, -1).name);
      ctx.attach_common(t, RelationRelationId, rel.oid, rel.owner, 'r', rel.acl);

      std::vector<std::string> order;
      order.reserve(rel.columns.size());
      for (const Column& c : rel.columns) order.push_back(quote(c.name));
      ctx.add("column order", rel.identity).set("columns", join(order, ", "));
    }

    named.clear();
    for (const Column& c : rel.columns) named.emplace_back(quote(c.name), &c);
    std::sort(named.begin(), named.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [quoted, cp] : named) {
      // Attributes in key order: normalize() then has nothing to sort.
      const Column& c = *cp;
      const TypeInfo& type = ctx.type(c.type, c.typmod);
      model::Object& o = ctx.add("column", rel.identity + "." + quoted);
      o.attrs.reserve(4);
      if (c.acl) o.set("acl", render_acl(*c.acl));
      if (c.collation != type.collation && c.collation != 0)
        o.set("collation", ctx.collation(c.collation));
      if (const std::string* cm = ctx.column_comments.find(key2(rel.oid, c.attnum)))
        o.set("comment", *cm);
      if (table && c.compression == 'p') o.set("compression", "pglz");
      if (table && c.compression == 'l') o.set("compression", "lz4");
      if (c.has_default && c.generated != 's') o.set("default", c.default_expr);
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
    }
  }
}

}  // namespace squash::catalog
