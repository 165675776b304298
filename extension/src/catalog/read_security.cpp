// Privileges (ACL rendering) and row-level security policies. Owners and ACLs are read
// with each object's own catalog row (see Context::attach_common); RLS flags with the
// table (read_relations.cpp).
#include <algorithm>
#include <map>

#include "reader.hpp"

extern "C" {
#include "catalog/pg_policy.h"
#include "utils/acl.h"
}

namespace squash::catalog {

namespace {

// One aclitem ("grantee=privs/grantor", names double-quoted when needed) into its raw
// grantee name ("" for PUBLIC) and privilege letters.
bool split_aclitem(std::string_view item, std::string& grantee, std::string_view& privs) {
  grantee.clear();
  size_t i = 0;
  if (i < item.size() && item[i] == '"') {
    for (i++; i < item.size(); i++) {
      if (item[i] == '"') {
        if (i + 1 < item.size() && item[i + 1] == '"') {
          grantee += '"';
          i++;
        } else {
          i++;
          break;
        }
      } else {
        grantee += item[i];
      }
    }
  } else {
    while (i < item.size() && item[i] != '=') grantee += item[i++];
  }
  if (i >= item.size() || item[i] != '=') return false;
  size_t slash = item.find('/', i + 1);
  privs =
      item.substr(i + 1, slash == std::string_view::npos ? std::string_view::npos : slash - i - 1);
  return true;
}

}  // namespace

std::string render_acl(std::string_view acl_text) {
  static const std::string_view kOrder = ACL_ALL_RIGHTS_STR;
  // grantee -> per privilege letter: 0 none, 1 granted, 2 with grant option. Grants of
  // the same privilege by different grantors merge: who granted is not schema.
  std::map<std::string, std::string> grants;
  for (const std::string& item : parse_array(acl_text)) {
    std::string grantee;
    std::string_view privs;
    if (!split_aclitem(item, grantee, privs)) continue;
    std::string& state = grants[grantee];
    state.resize(kOrder.size(), '0');
    for (size_t k = 0; k < privs.size(); k++) {
      size_t pos = kOrder.find(privs[k]);
      if (pos == std::string_view::npos) continue;
      const bool option = k + 1 < privs.size() && privs[k + 1] == '*';
      if (option) {
        state[pos] = '2';
        k++;
      } else if (state[pos] == '0') {
        state[pos] = '1';
      }
    }
  }
  std::vector<std::string> lines;
  for (auto& [grantee, state] : grants) {
    std::string letters;
    for (size_t pos = 0; pos < kOrder.size(); pos++) {
      if (state[pos] == '0') continue;
      letters += kOrder[pos];
      if (state[pos] == '2') letters += '*';
    }
    if (letters.empty()) continue;
    lines.push_back((grantee.empty() ? std::string("PUBLIC") : quote(grantee)) + "=" + letters);
  }
  std::sort(lines.begin(), lines.end());
  return join(lines, "\n");
}

void read_policies(Context& ctx) {
  Rows r = ctx.query(
      "SELECT p.oid, p.polrelid, p.polname, p.polcmd, p.polpermissive,"
      "  p.polroles::text, p.polqual, p.polwithcheck"
      " FROM pg_catalog.pg_policy p WHERE p.polrelid >= 16384");
  for (size_t i = 0; i < r.size(); i++) {
    const Relation* rel = ctx.kept_relation(r.oid(i, 1));
    if (!rel || ctx.extension_member(PolicyRelationId, r.oid(i, 0))) continue;
    ObjectRef o = ctx.add("policy", rel->identity + "." + quote(r.view(i, 2)));
    const char* command = "ALL";
    switch (r.ch(i, 3)) {
      case 'r':
        command = "SELECT";
        break;
      case 'a':
        command = "INSERT";
        break;
      case 'w':
        command = "UPDATE";
        break;
      case 'd':
        command = "DELETE";
        break;
      default:
        break;
    }
    o.set("command", command);
    o.set("permissive", bool_text(r.flag(i, 4)));
    std::vector<std::string> roles;
    for (const std::string& id : parse_array(r.view(i, 5))) {
      Oid oid = static_cast<Oid>(std::stoul(id));
      roles.push_back(oid == 0 ? std::string("PUBLIC") : quote(ctx.role(oid)));
    }
    std::sort(roles.begin(), roles.end());
    o.set("roles", join(roles, ", "));
    if (!r.null(i, 6)) o.set("using", ctx.deparser.expr(r.view(i, 6), rel));
    if (!r.null(i, 7)) o.set("with_check", ctx.deparser.expr(r.view(i, 7), rel));
    if (const std::string* c = ctx.comment(PolicyRelationId, r.oid(i, 0))) o.set("comment", *c);
  }
}

}  // namespace squash::catalog
