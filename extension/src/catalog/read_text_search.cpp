// Text search parsers, templates, dictionaries and configurations (pg_ts_parser,
// pg_ts_template, pg_ts_dict, pg_ts_config with pg_ts_config_map). Identity: schema.name.
// Functions as regprocedure prints them; parsers, templates and dictionaries that one
// names are schema-qualified. A configuration's mappings are one attribute per token type,
// "mapping asciiword" = "pg_catalog.english_stem, s.mydict": the dictionaries in the order
// they are consulted. Parsers and templates have no owner.
#include "reader.hpp"

extern "C" {
#include "catalog/pg_ts_config.h"
#include "catalog/pg_ts_dict.h"
#include "catalog/pg_ts_parser.h"
#include "catalog/pg_ts_template.h"
}

namespace squash::catalog {

namespace {

// schema.name of the object of that catalog with that oid, quoted.
std::string ref(const char* catalog, const char* nsp_column, const char* name_column,
                const char* oid_expr) {
  return std::string(
             "(SELECT pg_catalog.quote_ident(n.nspname) || '.' || "
             "pg_catalog.quote_ident(x.") +
         name_column + ") FROM pg_catalog." + catalog + " x JOIN pg_catalog.pg_namespace n" +
         " ON n.oid = x." + nsp_column + " WHERE x.oid = " + oid_expr + ")";
}

}  // namespace

void read_text_search(Context& ctx) {
  // All four catalogs in one query (they are small): kind, oid, schema, name, owner, then
  // five texts whose meaning depends on the kind.
  const std::string fn = "::pg_catalog.regprocedure::pg_catalog.text";
  Rows r = ctx.query("SELECT 'p', oid, prsnamespace, prsname, 0::pg_catalog.oid, prsstart" + fn +
                     ", prstoken" + fn + ", prsend" + fn + ", prslextype" + fn +
                     ", NULLIF(prsheadline, 0)" + fn +
                     " FROM pg_catalog.pg_ts_parser WHERE prsnamespace = ANY ($NSPS)"
                     " UNION ALL SELECT 't', oid, tmplnamespace, tmplname, 0, NULLIF(tmplinit, 0)" +
                     fn + ", tmpllexize" + fn +
                     ", NULL, NULL, NULL"
                     " FROM pg_catalog.pg_ts_template WHERE tmplnamespace = ANY ($NSPS)"
                     " UNION ALL SELECT 'd', d.oid, d.dictnamespace, d.dictname, d.dictowner, " +
                     ref("pg_ts_template", "tmplnamespace", "tmplname", "d.dicttemplate") +
                     ", d.dictinitoption, NULL, NULL, NULL"
                     " FROM pg_catalog.pg_ts_dict d WHERE d.dictnamespace = ANY ($NSPS)"
                     " UNION ALL SELECT 'c', c.oid, c.cfgnamespace, c.cfgname, c.cfgowner, " +
                     ref("pg_ts_parser", "prsnamespace", "prsname", "c.cfgparser") +
                     ", NULL, NULL, NULL, NULL"
                     " FROM pg_catalog.pg_ts_config c WHERE c.cfgnamespace = ANY ($NSPS)");
  if (r.empty()) return;

  // Mappings of the configurations found: (config oid) -> "mapping alias" = dictionaries.
  std::vector<Oid> configs;
  for (size_t i = 0; i < r.size(); i++)
    if (r.ch(i, 0) == 'c') configs.push_back(r.oid(i, 1));
  std::unordered_map<Oid, std::vector<std::pair<std::string, std::string>>> mappings;
  if (!configs.empty()) {
    std::sort(configs.begin(), configs.end());
    // The parser names its token types; a token type it no longer lists keeps its number.
    Rows m = ctx.query(
        "SELECT m.mapcfg, COALESCE(t.alias, m.maptokentype::pg_catalog.text), " +
        ref("pg_ts_dict", "dictnamespace", "dictname", "m.mapdict") +
        " FROM pg_catalog.pg_ts_config_map m"
        " JOIN pg_catalog.pg_ts_config c ON c.oid = m.mapcfg"
        " LEFT JOIN LATERAL pg_catalog.ts_token_type(c.cfgparser) t ON t.tokid = m.maptokentype"
        " WHERE m.mapcfg = ANY ('" +
        array_literal(configs) +
        "'::pg_catalog.oid[])"
        " ORDER BY m.mapcfg, m.maptokentype, m.mapseqno");
    for (size_t i = 0; i < m.size(); i++) {
      auto& list = mappings[m.oid(i, 0)];
      const std::string key = "mapping " + m.str(i, 1);
      if (list.empty() || list.back().first != key)
        list.emplace_back(key, m.str(i, 2));
      else
        list.back().second += ", " + m.str(i, 2);
    }
  }

  for (size_t i = 0; i < r.size(); i++) {
    const char kind = r.ch(i, 0);
    const Oid oid = r.oid(i, 1);
    const Oid catalog = kind == 'p'   ? TSParserRelationId
                        : kind == 't' ? TSTemplateRelationId
                        : kind == 'd' ? TSDictionaryRelationId
                                      : TSConfigRelationId;
    if (ctx.extension_member(catalog, oid)) continue;
    const std::string identity = qualified(ctx.nsps.at(r.oid(i, 2)), r.view(i, 3));
    if (kind == 'p') {
      ObjectRef o = ctx.add("text search parser", identity);
      o.set("start", r.view(i, 5));
      o.set("gettoken", r.view(i, 6));
      o.set("end", r.view(i, 7));
      o.set("lextypes", r.view(i, 8));
      if (!r.null(i, 9)) o.set("headline", r.view(i, 9));
      ctx.attach_common(o, catalog, oid, 0, '\0', Value());
    } else if (kind == 't') {
      ObjectRef o = ctx.add("text search template", identity);
      if (!r.null(i, 5)) o.set("init", r.view(i, 5));
      o.set("lexize", r.view(i, 6));
      ctx.attach_common(o, catalog, oid, 0, '\0', Value());
    } else if (kind == 'd') {
      ObjectRef o = ctx.add("text search dictionary", identity);
      o.set("template", r.view(i, 5));
      if (!r.null(i, 6)) o.set("options", r.view(i, 6));
      ctx.attach_common(o, catalog, oid, r.oid(i, 4), '\0', Value());
    } else {
      ObjectRef o = ctx.add("text search configuration", identity);
      o.set("parser", r.view(i, 5));
      auto it = mappings.find(oid);
      if (it != mappings.end())
        for (const auto& [key, dicts] : it->second) o.set(key, dicts);
      ctx.attach_common(o, catalog, oid, r.oid(i, 4), '\0', Value());
    }
  }
}

}  // namespace squash::catalog
