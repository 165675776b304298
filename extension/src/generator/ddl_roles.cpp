// The roles a revision needs (owners with with_owners, grantees, policy roles, the roles
// of default privileges and user mappings), checked
// before anything is created: roles belong to the cluster, not to the database, so an empty
// database may lack them, and a GRANT to a missing role would fail halfway through.
#include <set>

#include "ddl_plan.hpp"
#include "pg_squash/model/identity.hpp"

namespace squash::generator {

namespace {

// The role a "FOR <role> ..." identity names (default privileges, user mappings), as
// written: a quoted identifier or a bare word.
std::string role_after(std::string_view identity, std::string_view prefix) {
  if (identity.rfind(prefix, 0) != 0) return {};
  size_t k = prefix.size();
  if (k < identity.size() && identity[k] == '"') {
    for (size_t e = k + 1; e < identity.size(); e++) {
      if (identity[e] != '"') continue;
      if (e + 1 < identity.size() && identity[e + 1] == '"') {
        e++;
        continue;
      }
      return std::string(identity.substr(k, e + 1 - k));
    }
    return {};
  }
  const size_t end = identity.find(' ', k);
  return std::string(identity.substr(k, end == std::string_view::npos ? end : end - k));
}

}  // namespace

std::vector<std::string> Plan::required_roles() const {
  std::set<std::string> roles;                // raw names
  std::map<std::string, std::string> owners;  // object identity -> raw owner
  for (const model::Object& o : snapshot_.objects)
    if (const std::string* owner = o.get("owner")) owners[o.identity] = *owner;
  for (const model::Object& o : snapshot_.objects) {
    const std::string* owner = o.get("owner");
    if (!owner && o.kind == "column") {
      auto it = owners.find(std::string(model::split_last(o.identity).parent));
      if (it != owners.end()) owner = &it->second;
    }
    if (owner && options_.with_owners) roles.insert(*owner);
    if (const std::string* acl = o.get("acl")) {
      for (const std::string& grantee : acl_grantees(*acl)) {
        const std::string name = unquote_ident(grantee);
        // Without with_owners the owner's own line is not written (see grants_to_others).
        if (!options_.with_owners && owner && name == *owner) continue;
        roles.insert(name);
      }
    }
    if (o.kind == "policy")
      if (const std::string* list = o.get("roles"))
        for (const std::string& r : split_list(*list))
          if (r != "PUBLIC") roles.insert(unquote_ident(r));
    if (o.kind == "default privileges") {
      roles.insert(unquote_ident(role_after(o.identity, "FOR ROLE ")));
      for (const char* key : {"grants", "revokes"})
        if (const std::string* lines = o.get(key))
          for (const std::string& grantee : acl_grantees(*lines))
            roles.insert(unquote_ident(grantee));
    }
    if (o.kind == "user mapping") {
      const std::string r = role_after(o.identity, "FOR ");
      if (!r.empty() && r != "PUBLIC") roles.insert(unquote_ident(r));
    }
  }
  roles.erase("");
  return {roles.begin(), roles.end()};
}

void Plan::add_role_check() {
  const std::vector<std::string> roles = required_roles();
  if (roles.empty()) return;
  std::string array = "ARRAY[";
  for (size_t k = 0; k < roles.size(); k++) array += (k ? ", " : "") + sql_literal(roles[k]);
  array += "]::pg_catalog.text[]";
  const std::string missing = " FROM pg_catalog.unnest(" + array +
                              ") AS r WHERE NOT EXISTS (SELECT FROM pg_catalog.pg_roles"
                              " WHERE rolname = r)";
  std::string body;
  if (options_.create_roles) {
    body = "DECLARE name text; BEGIN FOR name IN SELECT r" + missing +
           " LOOP EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', name); END LOOP; END";
  } else {
    body =
        "DECLARE m text; BEGIN SELECT pg_catalog.string_agg(pg_catalog.quote_ident(r), ', '"
        " ORDER BY r) INTO m" +
        missing +
        "; IF m IS NOT NULL THEN RAISE EXCEPTION 'pg_squash: roles this revision needs do not"
        " exist: %', m USING HINT = 'Create them first (roles belong to the cluster), or"
        " generate the revision with create_roles => true to create them NOLOGIN.'; END IF;"
        " END";
  }
  Step s;
  s.phase = kRoles;
  s.label = options_.create_roles ? "roles (created NOLOGIN when missing)" : "roles (must exist)";
  s.sql.push_back("DO " + sql_literal(body));
  // The downgrade keeps roles: other databases of the cluster may use them.
  steps_.push_back(std::move(s));
}

}  // namespace squash::generator
