// Default privileges (pg_default_acl): per role, per schema or (whole-database snapshots
// only) global, per kind of object. Identity: "FOR ROLE r [IN SCHEMA s] ON TABLES". They are
// compared as what ALTER DEFAULT PRIVILEGES grants and revokes: a global entry replaces the
// built-in default (acldefault), so it is read as its difference from that default (a
// REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC is a "revokes" line); a per-schema entry only adds.
#include <map>

#include "reader.hpp"

extern "C" {
#include "utils/acl.h"
}

namespace squash::catalog {

namespace {

// render_acl lines ("grantee=ar*w") as grantee -> letter -> with grant option.
std::map<std::string, std::map<char, bool>> acl_map(const std::string& rendered) {
  std::map<std::string, std::map<char, bool>> out;
  size_t start = 0;
  while (start < rendered.size()) {
    size_t end = rendered.find('\n', start);
    if (end == std::string::npos) end = rendered.size();
    const std::string line = rendered.substr(start, end - start);
    start = end + 1;
    const size_t eq = line.rfind('=');
    if (eq == std::string::npos) continue;
    auto& privs = out[line.substr(0, eq)];
    for (size_t k = eq + 1; k < line.size(); k++) {
      const bool option = k + 1 < line.size() && line[k + 1] == '*';
      privs[line[k]] = option;
      if (option) k++;
    }
  }
  return out;
}

std::string acl_lines(const std::map<std::string, std::map<char, bool>>& acl) {
  static const std::string_view kOrder = ACL_ALL_RIGHTS_STR;  // as render_acl writes them
  std::vector<std::string> lines;
  for (const auto& [grantee, privs] : acl) {
    std::string letters;
    for (char letter : kOrder) {
      auto it = privs.find(letter);
      if (it == privs.end()) continue;
      letters += letter;
      if (it->second) letters += '*';
    }
    if (!letters.empty()) lines.push_back(grantee + "=" + letters);
  }
  return join(lines, "\n");
}

}  // namespace

void read_default_privileges(Context& ctx) {
  Rows r = ctx.query(
      "SELECT d.defaclrole, d.defaclnamespace, d.defaclobjtype, d.defaclacl::pg_catalog.text,"
      "  pg_catalog.acldefault(CASE d.defaclobjtype WHEN 'S' THEN 's' ELSE d.defaclobjtype END,"
      "    d.defaclrole)::pg_catalog.text"
      " FROM pg_catalog.pg_default_acl d");
  for (size_t i = 0; i < r.size(); i++) {
    const Oid nsp = r.oid(i, 1);
    if (nsp == 0 ? !ctx.whole_database : !ctx.in_scope(nsp)) continue;
    const char* what = nullptr;
    switch (r.ch(i, 2)) {
      case 'r':
        what = "TABLES";
        break;
      case 'S':
        what = "SEQUENCES";
        break;
      case 'f':
        what = "FUNCTIONS";
        break;
      case 'T':
        what = "TYPES";
        break;
      case 'n':
        what = "SCHEMAS";
        break;
      default:
        what = "?";
        break;
    }
    std::string identity = "FOR ROLE " + quote(ctx.role(r.oid(i, 0)));
    if (nsp != 0) identity += " IN SCHEMA " + quote(ctx.nsps.at(nsp));
    identity += std::string(" ON ") + what;
    auto acl = acl_map(render_acl(r.view(i, 3)));
    std::map<std::string, std::map<char, bool>> grants, revokes;
    if (nsp != 0) {
      grants = acl;
    } else {
      auto builtin = acl_map(render_acl(r.view(i, 4)));
      for (const auto& [grantee, privs] : acl)
        for (const auto& [letter, option] : privs) {
          auto g = builtin.find(grantee);
          const bool had = g != builtin.end() && g->second.count(letter);
          if (!had || (option && !g->second.at(letter))) grants[grantee][letter] = option;
        }
      for (const auto& [grantee, privs] : builtin)
        for (const auto& [letter, option] : privs) {
          auto a = acl.find(grantee);
          if (a == acl.end() || !a->second.count(letter)) revokes[grantee][letter] = false;
        }
    }
    ObjectRef o = ctx.add("default privileges", identity);
    const std::string g = acl_lines(grants), v = acl_lines(revokes);
    if (!g.empty()) o.set("grants", g);
    if (!v.empty()) o.set("revokes", v);
  }
}

}  // namespace squash::catalog
