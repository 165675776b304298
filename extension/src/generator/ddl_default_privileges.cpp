// Creation steps for default privileges: ALTER DEFAULT PRIVILEGES ... GRANT for the
// "grants" lines and ... REVOKE for the "revokes" lines (a global entry's difference from
// the built-in defaults, e.g. REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC). They run after every
// other object (phase kDefaultPrivileges): created earlier, they would change the ACLs of
// the objects the revision creates after them. The downgrade does the opposite.
#include "ddl_plan.hpp"

namespace squash::generator {

namespace {

const char* privilege_word(char letter) {
  switch (letter) {
    case 'a':
      return "INSERT";
    case 'r':
      return "SELECT";
    case 'w':
      return "UPDATE";
    case 'd':
      return "DELETE";
    case 'D':
      return "TRUNCATE";
    case 'x':
      return "REFERENCES";
    case 't':
      return "TRIGGER";
    case 'X':
      return "EXECUTE";
    case 'U':
      return "USAGE";
    case 'C':
      return "CREATE";
    case 'm':
      return "MAINTAIN";
    default:
      return nullptr;
  }
}

struct Line {
  std::string grantee;
  std::string plain, with_option;  // privilege words, comma-separated
};

std::vector<Line> lines_of(const std::string& text) {
  std::vector<Line> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    const size_t eq = line.rfind('=');
    if (eq == std::string::npos) continue;
    Line l{line.substr(0, eq), {}, {}};
    for (size_t k = eq + 1; k < line.size(); k++) {
      const bool option = k + 1 < line.size() && line[k + 1] == '*';
      const char* word = privilege_word(line[k]);
      if (option) k++;
      if (!word) continue;
      std::string& list = option ? l.with_option : l.plain;
      list += (list.empty() ? "" : ", ") + std::string(word);
    }
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace

void Plan::add_default_privileges(const model::Object& o) {
  const size_t i = add_step(kDefaultPrivileges, o);
  Step& s = steps_[i];
  // "FOR ROLE r [IN SCHEMA s] ON TABLES"
  const size_t on = o.identity.rfind(" ON ");
  if (on == std::string::npos) return;
  const std::string prefix = "ALTER DEFAULT PRIVILEGES " + o.identity.substr(0, on);
  const std::string objects = o.identity.substr(on + 4);
  const size_t in = o.identity.find(" IN SCHEMA ");
  if (in != std::string::npos && in < on)
    need(i, "schema", o.identity.substr(in + 11, on - in - 11));
  for (const Line& l : lines_of(attr_or(o, "grants", ""))) {
    for (const std::string* list : {&l.plain, &l.with_option}) {
      if (list->empty()) continue;
      s.sql.push_back(prefix + " GRANT " + *list + " ON " + objects + " TO " + l.grantee +
                      (list == &l.with_option ? " WITH GRANT OPTION" : ""));
      s.undo.push_back(prefix + " REVOKE " + *list + " ON " + objects + " FROM " + l.grantee);
    }
  }
  for (const Line& l : lines_of(attr_or(o, "revokes", ""))) {
    if (l.plain.empty()) continue;
    s.sql.push_back(prefix + " REVOKE " + l.plain + " ON " + objects + " FROM " + l.grantee);
    s.undo.push_back(prefix + " GRANT " + l.plain + " ON " + objects + " TO " + l.grantee);
  }
}

}  // namespace squash::generator
