// Triggers (pg_trigger) and event triggers (pg_event_trigger).
#include <algorithm>
#include <unordered_map>

#include "reader.hpp"

extern "C" {
#include "catalog/pg_event_trigger.h"
#include "catalog/pg_trigger.h"
}

namespace squash::catalog {

namespace {

const char* enabled_word(char e) {
  switch (e) {
    case 'O':
      return "origin";
    case 'D':
      return "disabled";
    case 'R':
      return "replica";
    case 'A':
      return "always";
    default:
      return "?";
  }
}

// pg_get_triggerdef's text, built from the catalog fields (the server's version looks
// up the function by name for every trigger). Triggers with a WHEN condition or a FROM
// table take the server's text.
std::string trigger_definition(const Relation& rel, std::string_view name, int type,
                               const std::vector<int64_t>& columns, bool constraint,
                               bool deferrable, bool deferred, const Value& old_table,
                               const Value& new_table, const std::string& function,
                               std::string_view args) {
  std::string def =
      std::string("CREATE ") + (constraint ? "CONSTRAINT " : "") + "TRIGGER " + quote(name) + " ";
  if (TRIGGER_FOR_BEFORE(type))
    def += "BEFORE";
  else if (TRIGGER_FOR_AFTER(type))
    def += "AFTER";
  else
    def += "INSTEAD OF";
  int events = 0;
  auto event = [&](const char* word) {
    def += events++ ? " OR " : " ";
    def += word;
  };
  if (TRIGGER_FOR_INSERT(type)) event("INSERT");
  if (TRIGGER_FOR_DELETE(type)) event("DELETE");
  if (TRIGGER_FOR_UPDATE(type)) {
    event("UPDATE");
    for (size_t k = 0; k < columns.size(); k++) {
      def += k ? ", " : " OF ";
      const std::string* col = rel.attname(static_cast<int>(columns[k]));
      def += quote(col ? *col : std::to_string(columns[k]));
    }
  }
  if (TRIGGER_FOR_TRUNCATE(type)) event("TRUNCATE");
  def += " ON " + rel.identity + " ";
  if (constraint) {
    if (!deferrable) def += "NOT ";
    def += "DEFERRABLE INITIALLY ";
    def += deferred ? "DEFERRED " : "IMMEDIATE ";
  }
  if (old_table || new_table) {
    def += "REFERENCING ";
    if (old_table) def += "OLD TABLE AS " + quote(*old_table) + " ";
    if (new_table) def += "NEW TABLE AS " + quote(*new_table) + " ";
  }
  def += TRIGGER_FOR_ROW(type) ? "FOR EACH ROW " : "FOR EACH STATEMENT ";
  def += "EXECUTE FUNCTION " + function + "(";
  // Arguments: NUL-terminated strings, quoted as simple_quote_literal does with
  // standard_conforming_strings on.
  size_t start = 0, n = 0;
  while (start < args.size()) {
    size_t end = args.find('\0', start);
    if (end == std::string_view::npos) end = args.size();
    if (n++) def += ", ";
    def += '\'';
    for (char ch : args.substr(start, end - start)) {
      if (ch == '\'') def += ch;
      def += ch;
    }
    def += '\'';
    start = end + 1;
  }
  return def + ")";
}

}  // namespace

void read_triggers(Context& ctx) {
  // No joins (their plans depend on catalog statistics, stale right after a big
  // migration): the table comes from the relation map, the function names from one more
  // query over the few trigger functions.
  Rows r = ctx.query(
      "SELECT t.oid, t.tgrelid, t.tgname, t.tgenabled, t.tgparentid, t.tgtype, t.tgattr,"
      "  t.tgconstraint <> 0, t.tgdeferrable, t.tginitdeferred, t.tgoldtable, t.tgnewtable,"
      "  t.tgfoid, t.tgnargs, t.tgargs,"
      "  CASE WHEN t.tgqual IS NOT NULL OR t.tgconstrrelid <> 0"
      "    THEN pg_catalog.pg_get_triggerdef(t.oid) END"
      " FROM pg_catalog.pg_trigger t WHERE t.tgrelid >= 16384 AND NOT t.tgisinternal");
  std::unordered_map<Oid, std::string> functions;
  {
    std::vector<Oid> oids;
    for (size_t i = 0; i < r.size(); i++)
      if (ctx.kept_relation(r.oid(i, 1))) oids.push_back(r.oid(i, 12));
    if (!oids.empty()) {
      Rows f = ctx.query(
          "SELECT p.oid, n.nspname, p.proname FROM pg_catalog.pg_proc p"
          " JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
          " WHERE p.oid = ANY ('" +
          array_literal(oids) + "'::pg_catalog.oid[])");
      // The function, qualified unless it is a built-in (what generate_function_name
      // prints with the pinned search_path).
      for (size_t i = 0; i < f.size(); i++)
        functions[f.oid(i, 0)] = f.view(i, 1) == "pg_catalog"
                                     ? quote(f.view(i, 2))
                                     : qualified(f.view(i, 1), f.view(i, 2));
    }
  }
  for (size_t i = 0; i < r.size(); i++) {
    const Relation* rel = ctx.kept_relation(r.oid(i, 1));
    if (!rel || rel->kind == 'f') continue;
    // A trigger cloned onto a partition comes with its parent's; pg_dump leaves it out too.
    if (r.oid(i, 4) != 0) continue;
    if (ctx.extension_member(TriggerRelationId, r.oid(i, 0))) continue;
    std::string def;
    if (!r.null(i, 15)) {
      def = r.str(i, 15);
    } else {
      std::string_view args = r.num(i, 13) > 0 ? r.view(i, 14) : std::string_view();
      def = trigger_definition(*rel, r.view(i, 2), static_cast<int>(r.num(i, 5)),
                               parse_vector(r.view(i, 6)), r.flag(i, 7), r.flag(i, 8), r.flag(i, 9),
                               r.value(i, 10), r.value(i, 11), functions[r.oid(i, 12)], args);
    }
    ObjectRef o = ctx.add("trigger", rel->identity + "." + quote(r.view(i, 2)));
    o.set("table", rel->identity);
    o.set("definition", std::move(def));
    o.set("enabled", enabled_word(r.ch(i, 3)));
    if (const std::string* c = ctx.comment(TriggerRelationId, r.oid(i, 0))) o.set("comment", *c);
  }
}

void read_event_triggers(Context& ctx) {
  // Event triggers belong to the database, not to a schema: only a whole-database
  // snapshot has them.
  if (!ctx.whole_database) return;
  Rows r = ctx.query(
      "SELECT e.oid, e.evtname, e.evtevent, e.evtowner, n.nspname, p.proname,"
      "  e.evtenabled, e.evttags::pg_catalog.text"
      " FROM pg_catalog.pg_event_trigger e"
      " JOIN pg_catalog.pg_proc p ON p.oid = e.evtfoid"
      " JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace");
  for (size_t i = 0; i < r.size(); i++) {
    const Oid oid = r.oid(i, 0);
    if (ctx.extension_member(EventTriggerRelationId, oid)) continue;
    ObjectRef o = ctx.add("event trigger", quote(r.view(i, 1)));
    o.set("event", r.str(i, 2));
    if (!r.null(i, 7)) {
      std::vector<std::string> tags = parse_array(r.view(i, 7));
      std::sort(tags.begin(), tags.end());
      o.set("tags", join(tags, ", "));
    }
    o.set("function", qualified(r.view(i, 4), r.view(i, 5)) + "()");
    o.set("enabled", enabled_word(r.ch(i, 6)));
    ctx.attach_common(o, EventTriggerRelationId, oid, r.oid(i, 3), '\0', Value());
  }
}

}  // namespace squash::catalog
