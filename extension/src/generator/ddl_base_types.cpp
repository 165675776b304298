// Creation steps for base types and shell types (and the shell of a range type with a
// canonical function, made the same way), in pg_dump's order: the shell
// (CREATE TYPE name) first, then the support functions (ordinary function steps, which may
// name the shell), then CREATE TYPE name (INPUT = ..., ...), then whatever uses the type.
// The type and its input/output functions depend on each other: the functions' need of
// the type is met by the shell step (link_base_types), and the downgrade's
// DROP TYPE ... CASCADE takes them with it, so theirs say IF EXISTS.
#include "ddl_plan.hpp"

namespace squash::generator {

namespace {

// Support function attributes and their CREATE TYPE options, in pg_dump's order.
struct BaseProc {
  const char* key;
  const char* option;
  bool names_type;  // its signature names the type: created against the shell
};
const BaseProc kBaseProcs[] = {
    {"input", "INPUT", true},          {"output", "OUTPUT", true},
    {"receive", "RECEIVE", true},      {"send", "SEND", true},
    {"typmod_in", "TYPMOD_IN", false}, {"typmod_out", "TYPMOD_OUT", false},
    {"analyze", "ANALYZE", false},     {"subscript", "SUBSCRIPT", false},
};

}  // namespace

void Plan::add_shell_type(const model::Object& o) {
  const size_t i = add_step(kTypesAndRoutines, o);
  need_schema(i, o.identity);
  Step& s = steps_[i];
  s.sql.push_back("CREATE TYPE " + o.identity);
  s.undo.push_back("DROP TYPE " + o.identity);
  comment(s, o, "TYPE " + o.identity);
  owner_and_acl(s, o, "TYPE", o.identity, nullptr);  // a shell takes no grants
}

void Plan::add_base_type(const model::Object& o) {
  Step shell;
  shell.phase = kTypesAndRoutines;
  shell.label = "base type " + o.identity + " (shell)";
  shell.sql.push_back("CREATE TYPE " + o.identity);
  // Gone already when the type's own step dropped it with CASCADE.
  shell.undo.push_back("DROP TYPE IF EXISTS " + o.identity);
  steps_.push_back(std::move(shell));
  const size_t shell_step = steps_.size() - 1;
  claim(kBaseTypeShell, o.identity, shell_step);
  need_schema(shell_step, o.identity);

  const size_t i = add_step(kTypesAndRoutines, o);
  Step& s = steps_[i];
  s.after.push_back(shell_step);
  std::vector<std::string> opts;
  for (const BaseProc& p : kBaseProcs)
    if (const std::string* f = o.get(p.key)) opts.push_back(p.option + (" = " + routine_name(*f)));
  const std::string len = attr_or(o, "internallength", "variable");
  opts.push_back("INTERNALLENGTH = " + std::string(len == "variable" ? "VARIABLE" : len));
  if (is_true(o, "passedbyvalue")) opts.push_back("PASSEDBYVALUE");
  opts.push_back("ALIGNMENT = " + attr_or(o, "alignment", "int4"));
  opts.push_back("STORAGE = " + attr_or(o, "storage", "plain"));
  opts.push_back("CATEGORY = " + sql_literal(attr_or(o, "category", "U")));
  if (is_true(o, "preferred")) opts.push_back("PREFERRED = true");
  if (const std::string* d = o.get("default")) opts.push_back("DEFAULT = " + sql_literal(*d));
  if (const std::string* e = o.get("element")) opts.push_back("ELEMENT = " + *e);
  opts.push_back("DELIMITER = " + sql_literal(attr_or(o, "delimiter", ",")));
  if (is_true(o, "collatable")) opts.push_back("COLLATABLE = true");
  std::string sql = "CREATE TYPE " + o.identity + " (";
  for (size_t k = 0; k < opts.size(); k++) sql += (k ? ",\n    " : "\n    ") + opts[k];
  s.sql.push_back(sql + "\n)");
  // CASCADE: its input and output functions depend on it as it depends on them.
  s.undo.push_back("DROP TYPE " + o.identity + " CASCADE");
  comment(s, o, "TYPE " + o.identity);
  owner_and_acl(s, o, "TYPE", o.identity, "TYPE");
  base_types_.push_back({&o, shell_step, i});
}

std::vector<std::string> base_type_functions(const model::Object& base_type, bool naming_type) {
  std::vector<std::string> out;
  for (const BaseProc& p : kBaseProcs)
    if (!naming_type || p.names_type)
      if (const std::string* f = base_type.get(p.key)) out.push_back(*f);
  return out;
}

namespace {

// The type's DROP ... CASCADE may have taken the function already.
void if_exists(Step& s) {
  for (std::string& u : s.undo)
    if (u.rfind("DROP FUNCTION ", 0) == 0 && u.rfind("DROP FUNCTION IF EXISTS ", 0) != 0)
      u = "DROP FUNCTION IF EXISTS " + u.substr(14);
}

}  // namespace

void Plan::link_base_types() {
  if (base_types_.empty()) return;
  // Support functions are named as regprocedure prints them; functions' identities put a
  // space after each comma.
  std::map<std::string, const model::Object*> by_signature;
  for (const model::Object& f : snapshot_.objects)
    if (f.kind == "function") by_signature[compact_signature(f.identity)] = &f;
  for (const BaseType& b : base_types_) {
    if (b.object->kind == "range type") {
      // The canonical function (regproc: a name) takes and returns the range type.
      const std::string* canonical = b.object->get("canonical");
      for (const model::Object& f : snapshot_.objects) {
        if (f.kind != "function" || !canonical || routine_name(f.identity) != *canonical) continue;
        auto step = claims_.find(ObjectKey{"function", f.identity});
        if (step == claims_.end()) continue;
        steps_[b.type_step].after.push_back(step->second);
        io_shells_[{f.identity, b.object->identity}] = b.shell_step;
        if_exists(steps_[step->second]);
      }
      continue;
    }
    for (const BaseProc& p : kBaseProcs) {
      const std::string* sig = b.object->get(p.key);
      if (!sig) continue;
      auto f = by_signature.find(*sig);
      if (f == by_signature.end()) continue;  // a built-in function
      auto step = claims_.find(ObjectKey{"function", f->second->identity});
      if (step == claims_.end()) continue;
      steps_[b.type_step].after.push_back(step->second);
      if (!p.names_type) continue;
      io_shells_[{f->second->identity, b.object->identity}] = b.shell_step;
      if_exists(steps_[step->second]);
    }
  }
}

}  // namespace squash::generator
