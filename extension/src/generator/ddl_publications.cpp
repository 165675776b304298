// Creation steps for publications and subscriptions.
//
// A subscription is created WITH (connect = false), so also disabled and without creating
// a replication slot or copying data: running the revision must not reach out to a
// publisher, nor start replicating into a database that is still being built. The slot
// name is kept (NONE when the source had none). Enabling it is the operator's step
// (ALTER SUBSCRIPTION ... ENABLE, with REFRESH PUBLICATION where tables must be copied);
// until then a source whose subscription was enabled differs in "enabled" alone. The
// connection string's secret keys (password, ...) come from settings at upgrade time (see
// secret_statement in ddl_foreign.cpp).
#include "ddl_plan.hpp"

namespace squash::generator {

void Plan::add_publication(const model::Object& o) {
  const size_t i = add_step(kAttachments, o);
  Step& s = steps_[i];
  std::string sql = "CREATE PUBLICATION " + o.identity;
  if (is_true(o, "all_tables")) sql += " FOR ALL TABLES";
  sql += " WITH (publish = " + sql_literal(attr_or(o, "publish", "")) +
         ", publish_via_partition_root = " + attr_or(o, "via_partition_root", "false") + ")";
  s.sql.push_back(std::move(sql));
  for (const model::Attribute& a : o.attrs) {
    if (a.key.rfind("table ", 0) != 0) continue;
    const std::string table = a.key.substr(6);
    need(i, "table", table);
    // ONLY: the catalog lists every table on its own (an inheritance child too).
    std::string add = "ALTER PUBLICATION " + o.identity + " ADD TABLE ONLY " + table;
    std::string what = a.value;
    if (!what.empty() && what[0] == '(') {
      // "(a, b)" and maybe " WHERE ..."
      size_t depth = 0, end = 0;
      bool quoted = false;
      for (size_t k = 0; k < what.size(); k++) {
        if (what[k] == '"') quoted = !quoted;
        if (quoted) continue;
        if (what[k] == '(') depth++;
        if (what[k] == ')' && --depth == 0) {
          end = k + 1;
          break;
        }
      }
      add += " " + what.substr(0, end);
      what = what.size() > end ? what.substr(end + 1) : std::string();
    }
    if (what.rfind("WHERE ", 0) == 0) add += " WHERE (" + reparseable(what.substr(6)) + ")";
    s.sql.push_back(std::move(add));
  }
  for (const std::string& nsp : split_list(attr_or(o, "schemas", ""))) {
    need(i, "schema", nsp);
    s.sql.push_back("ALTER PUBLICATION " + o.identity + " ADD TABLES IN SCHEMA " + nsp);
  }
  s.undo.push_back("DROP PUBLICATION " + o.identity);
  comment(s, o, "PUBLICATION " + o.identity);
  owner_and_acl(s, o, "PUBLICATION", o.identity, nullptr);
}

void Plan::add_subscription(const model::Object& o) {
  const size_t i = add_step(kAttachments, o);
  Step& s = steps_[i];
  if (is_true(o, "enabled"))
    s.label += " (created disabled, without connecting: ALTER SUBSCRIPTION " + o.identity +
               " ENABLE once the publisher is reachable)";
  std::string with = "connect = false";
  const std::string slot = attr_or(o, "slot_name", "NONE");
  with += ", slot_name = " + (slot == "NONE" ? slot : sql_literal(slot));
  auto option = [&](const char* key) {
    if (const std::string* v = o.get(key))
      with += std::string(", ") + key + " = " + sql_literal(*v);
  };
  option("binary");
  option("streaming");
  option("two_phase");
  option("disable_on_error");
  option("synchronous_commit");
  option("origin");
  option("password_required");
  option("run_as_owner");
  option("failover");
  const std::string conninfo = attr_or(o, "conninfo", "");
  s.sql.push_back("CREATE SUBSCRIPTION " + o.identity + " CONNECTION " + sql_literal(conninfo) +
                  " PUBLICATION " + attr_or(o, "publications", "") + " WITH (" + with + ")");
  // The secrets of its connection string, set without connecting.
  const std::string raw = o.identity.size() > 1 && o.identity[0] == '"'
                              ? o.identity.substr(1, o.identity.size() - 2)
                              : o.identity;
  std::vector<std::string> pieces{conninfo};
  std::vector<Secret> secrets;
  for (const std::string& key : split_list(attr_or(o, "conninfo_secrets", ""))) {
    pieces.back() += (pieces.back().empty() ? "" : " ") + key + "=";
    secrets.push_back({secret_setting("sub", {raw, key}),
                       "the " + key + " of the connection string of subscription " + o.identity});
    pieces.push_back("");
  }
  if (!secrets.empty())
    s.sql.push_back(secret_statement(
        secrets, sql_literal("ALTER SUBSCRIPTION " + o.identity + " CONNECTION ") +
                     " || pg_catalog.quote_literal(" + secret_expr(pieces, true) + ")"));
  comment(s, o, "SUBSCRIPTION " + o.identity);
  owner_and_acl(s, o, "SUBSCRIPTION", o.identity, nullptr);
  // Dropping a subscription with a slot would connect to drop the slot.
  s.undo.push_back("ALTER SUBSCRIPTION " + o.identity + " DISABLE");
  s.undo.push_back("ALTER SUBSCRIPTION " + o.identity + " SET (slot_name = NONE)");
  s.undo.push_back("DROP SUBSCRIPTION " + o.identity);
}

}  // namespace squash::generator
