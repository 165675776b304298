// Views and materialized views: the server's own deparse of the stored query (with the
// pinned search_path every relation is schema-qualified), trimmed; view options as
// attributes. Whether a materialized view is populated is data state, not schema.
#include <algorithm>
#include <unordered_map>

#include "reader.hpp"

extern "C" {
#include "catalog/pg_class.h"
}

namespace squash::catalog {

namespace {

std::string trim_definition(std::string_view def) {
  auto space = [](char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; };
  while (!def.empty() && space(def.front())) def.remove_prefix(1);
  while (!def.empty() && (space(def.back()) || def.back() == ';')) def.remove_suffix(1);
  return std::string(def);
}

// A boolean reloption as true/false, however it was spelled (on, yes, 1, ...).
std::string boolean_option(std::string value) {
  for (char& c : value) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  if (value == "on" || value == "yes" || value == "1" || value == "t" || value == "true" ||
      value == "y")
    return "true";
  if (value == "off" || value == "no" || value == "0" || value == "f" || value == "false" ||
      value == "n")
    return "false";
  return value;
}

}  // namespace

void read_views(Context& ctx) {
  // From the parallel worker, or (none ran) the same function here.
  std::unordered_map<Oid, Value> definitions;
  if (!ctx.view_definitions.collect(definitions)) {
    Rows r = ctx.query(
        "SELECT c.oid, pg_catalog.pg_get_viewdef(c.oid) FROM pg_catalog.pg_class c"
        " WHERE c.relnamespace = ANY ($NSPS)"
        "   AND c.relkind IN ('v', 'm')");
    for (size_t i = 0; i < r.size(); i++) definitions[r.oid(i, 0)] = r.value(i, 1);
  }
  std::vector<const Relation*> views;
  for (const auto& [oid, rel] : ctx.relations)
    if (rel.kept && (rel.kind == 'v' || rel.kind == 'm')) views.push_back(&rel);
  for (const Relation* rel : views) {
    auto def = definitions.find(rel->oid);
    if (def == definitions.end())
      throw Error("pg_squash: internal error in the catalog reader: no definition of view " +
                  rel->identity);
    const bool materialized = rel->kind == 'm';
    ObjectRef o = ctx.add(materialized ? "materialized view" : "view", rel->identity);
    o.set("definition", trim_definition(def->second ? *def->second : std::string_view()));
    if (rel->options) {
      std::vector<std::string> rest;
      for (const std::string& opt : parse_array(*rel->options)) {
        size_t eq = opt.find('=');
        std::string key = opt.substr(0, eq);
        std::string value = eq == std::string::npos ? "true" : opt.substr(eq + 1);
        if (!materialized && key == "check_option")
          o.set(key, value);
        else if (!materialized && (key == "security_barrier" || key == "security_invoker"))
          o.set(key, boolean_option(value));
        else
          rest.push_back(opt);
      }
      std::sort(rest.begin(), rest.end());
      if (!rest.empty()) o.set("options", join(rest, ", "));
    }
    if (materialized && !rel->am.empty() && rel->am != "heap") o.set("access_method", rel->am);
    ctx.attach_common(o, RelationRelationId, rel->oid, rel->owner, 'r', rel->acl.as_value());
  }
}

}  // namespace squash::catalog
