// Creation steps for default privileges: ALTER DEFAULT PRIVILEGES ... GRANT for the
// "grants" lines and ... REVOKE for the "revokes" lines (a global entry's difference from
// the built-in defaults, e.g. REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC). They run after every
// other object (phase kDefaultPrivileges): created earlier, they would change the ACLs of
// the objects the revision creates after them. The downgrade does the opposite.
#include "ddl_plan.hpp"
#include "pg_squash/model/printable.hpp"

namespace squash::generator {

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
  auto list = [](const std::vector<std::string>& privileges) {
    return model::join(privileges, ", ");
  };
  for (const AclLine& l : parse_acl(attr_or(o, "grants", ""))) {
    for (const auto* privileges : {&l.plain, &l.with_option}) {
      if (privileges->empty()) continue;
      s.sql.push_back(prefix + " GRANT " + list(*privileges) + " ON " + objects + " TO " +
                      l.grantee + (privileges == &l.with_option ? " WITH GRANT OPTION" : ""));
      s.undo.push_back(prefix + " REVOKE " + list(*privileges) + " ON " + objects + " FROM " +
                       l.grantee);
    }
  }
  for (const AclLine& l : parse_acl(attr_or(o, "revokes", ""))) {
    if (l.plain.empty()) continue;
    s.sql.push_back(prefix + " REVOKE " + list(l.plain) + " ON " + objects + " FROM " + l.grantee);
    s.undo.push_back(prefix + " GRANT " + list(l.plain) + " ON " + objects + " TO " + l.grantee);
  }
}

}  // namespace squash::generator
