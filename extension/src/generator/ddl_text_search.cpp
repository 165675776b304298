// Creation steps for text search parsers, templates, dictionaries and configurations. A
// configuration is created empty (PARSER only) and gets one ADD MAPPING per token type,
// its dictionaries in the snapshot's order.
#include "ddl_plan.hpp"

namespace squash::generator {

void Plan::add_text_search(const model::Object& o) {
  const size_t i = add_step(kTypesAndRoutines, o);
  need_schema(i, o.identity);
  Step& s = steps_[i];
  std::vector<std::string> opts;
  auto func = [&](const char* option, const char* key) {
    if (const std::string* v = o.get(key)) opts.push_back(option + (" = " + routine_name(*v)));
  };
  std::string word;  // PARSER, TEMPLATE, DICTIONARY, CONFIGURATION
  std::vector<std::string> mappings;
  if (o.kind == "text search parser") {
    word = "PARSER";
    func("START", "start");
    func("GETTOKEN", "gettoken");
    func("END", "end");
    func("LEXTYPES", "lextypes");
    func("HEADLINE", "headline");
  } else if (o.kind == "text search template") {
    word = "TEMPLATE";
    func("INIT", "init");
    func("LEXIZE", "lexize");
  } else if (o.kind == "text search dictionary") {
    word = "DICTIONARY";
    opts.push_back("TEMPLATE = " + attr_or(o, "template", ""));
    need(i, "text search template", attr_or(o, "template", ""));
    // dictinitoption as the server wrote it: "name = 'value', ..." (what pg_dump pastes).
    if (const std::string* v = o.get("options")) opts.push_back(*v);
  } else {
    word = "CONFIGURATION";
    opts.push_back("PARSER = " + attr_or(o, "parser", ""));
    // What it names comes first, also from a stored snapshot (no pg_depend to go by).
    need(i, "text search parser", attr_or(o, "parser", ""));
    for (const model::Attribute& a : o.attrs)
      if (a.key.rfind("mapping ", 0) == 0) {
        for (const std::string& dict : split_list(a.value)) need(i, "text search dictionary", dict);
        mappings.push_back("ALTER TEXT SEARCH CONFIGURATION " + o.identity + " ADD MAPPING FOR " +
                           role(a.key.substr(8)) + " WITH " + a.value);
      }
  }
  std::string sql = "CREATE TEXT SEARCH " + word + " " + o.identity + " (";
  for (size_t k = 0; k < opts.size(); k++) sql += (k ? ",\n    " : "\n    ") + opts[k];
  s.sql.push_back(sql + "\n)");
  for (std::string& m : mappings) s.sql.push_back(std::move(m));
  s.undo.push_back("DROP TEXT SEARCH " + word + " " + o.identity);
  comment(s, o, "TEXT SEARCH " + word + " " + o.identity);
  // Parsers and templates have no owner (the attribute is never there).
  owner_and_acl(s, o, "TEXT SEARCH " + word, o.identity, nullptr);
}

}  // namespace squash::generator
