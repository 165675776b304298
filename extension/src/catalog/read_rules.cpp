// Rules (pg_rewrite) other than the _RETURN rule that makes a view. Identity:
// schema.relation.rule. The definition is the server's (pg_get_ruledef under the pinned
// search_path: every name qualified); event, INSTEAD and the enabled state are attributes
// of their own so a diff names them.
#include "reader.hpp"

extern "C" {
#include "catalog/pg_rewrite.h"
}

namespace squash::catalog {

namespace {

const char* event_word(char c) {
  switch (c) {
    case '1':
      return "SELECT";
    case '2':
      return "UPDATE";
    case '3':
      return "INSERT";
    case '4':
      return "DELETE";
    default:
      return "?";
  }
}

const char* enabled_word(char e) {
  switch (e) {
    case 'D':
      return "disabled";
    case 'R':
      return "replica";
    case 'A':
      return "always";
    default:
      return "origin";
  }
}

}  // namespace

void read_rules(Context& ctx) {
  // The definition only of rules of relations in scope (no deparse of the others).
  Rows r = ctx.query(
      "SELECT w.oid, w.ev_class, w.rulename, w.ev_type, w.is_instead, w.ev_enabled,"
      "  pg_catalog.pg_get_ruledef(w.oid)"
      " FROM pg_catalog.pg_rewrite w JOIN pg_catalog.pg_class c ON c.oid = w.ev_class"
      " WHERE w.ev_class >= 16384 AND w.rulename <> '_RETURN'"
      "   AND c.relnamespace = ANY ($NSPS)");
  for (size_t i = 0; i < r.size(); i++) {
    const Relation* rel = ctx.kept_relation(r.oid(i, 1));
    if (!rel || ctx.extension_member(RewriteRelationId, r.oid(i, 0))) continue;
    ObjectRef o = ctx.add("rule", rel->identity + "." + quote(r.view(i, 2)));
    o.set("event", event_word(r.ch(i, 3)));
    o.set("instead", bool_text(r.flag(i, 4)));
    o.set("enabled", enabled_word(r.ch(i, 5)));
    std::string def = r.str(i, 6);
    if (!def.empty() && def.back() == ';') def.pop_back();
    o.set("definition", def);
    ctx.attach_common(o, RewriteRelationId, r.oid(i, 0), 0, '\0', Value());
  }
}

}  // namespace squash::catalog
