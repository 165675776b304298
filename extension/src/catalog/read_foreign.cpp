// Foreign data (pg_foreign_data_wrapper, pg_foreign_server, pg_user_mapping,
// pg_foreign_table). Wrappers, servers and user mappings belong to the whole database, not
// to a schema, so only whole-database snapshots hold them (as casts). Foreign tables are
// relations: read_tables reads their columns as a table's (with their FDW options from
// load_foreign_columns), read_constraints their CHECKs, and here the table itself.
//
// Options are kept as OPTIONS (...) writes them (key 'value', sorted). The value of a
// secret option (password, sslpassword, anything named like a password or secret, see
// model/conninfo.hpp) never enters the snapshot: its name is kept in "secret_options".
#include "reader.hpp"

#include "pg_squash/model/conninfo.hpp"

extern "C" {
#include "catalog/pg_class.h"
#include "catalog/pg_foreign_data_wrapper.h"
#include "catalog/pg_foreign_server.h"
#include "catalog/pg_user_mapping.h"
}

namespace squash::catalog {

namespace {

// (options, secret option names) of an options array ("{host=a,password=x}").
std::pair<std::string, std::string> fdw_options(std::string_view array_text, bool user_mapping) {
  std::vector<std::string> plain, secret;
  for (const std::string& item : parse_array(array_text)) {
    const size_t eq = item.find('=');
    const std::string key = item.substr(0, eq);
    if (model::is_secret_option(key, user_mapping)) {
      secret.push_back(quote(key));
      continue;
    }
    plain.push_back(quote(key) + " " +
                    quote_literal(eq == std::string::npos ? "" : item.substr(eq + 1)));
  }
  std::sort(plain.begin(), plain.end());
  std::sort(secret.begin(), secret.end());
  return {join(plain, ", "), join(secret, ", ")};
}

void set_options(ObjectRef o, const Value& array_text, bool user_mapping = false) {
  if (!array_text) return;
  auto [plain, secret] = fdw_options(*array_text, user_mapping);
  if (!plain.empty()) o.set("options", plain);
  if (!secret.empty()) o.set("secret_options", secret);
}

void read_wrappers_servers_mappings(Context& ctx) {
  Rows w = ctx.query(
      "SELECT oid, fdwname, fdwowner,"
      "  NULLIF(fdwhandler, 0)::pg_catalog.regprocedure::pg_catalog.text,"
      "  NULLIF(fdwvalidator, 0)::pg_catalog.regprocedure::pg_catalog.text,"
      "  fdwacl::pg_catalog.text, fdwoptions::pg_catalog.text"
      " FROM pg_catalog.pg_foreign_data_wrapper WHERE oid >= 16384");
  for (size_t i = 0; i < w.size(); i++) {
    if (ctx.extension_member(ForeignDataWrapperRelationId, w.oid(i, 0))) continue;
    ObjectRef o = ctx.add("foreign-data wrapper", quote(w.view(i, 1)));
    o.set("handler", w.null(i, 3) ? "NO HANDLER" : w.str(i, 3));
    o.set("validator", w.null(i, 4) ? "NO VALIDATOR" : w.str(i, 4));
    set_options(o, w.value(i, 6));
    ctx.attach_common(o, ForeignDataWrapperRelationId, w.oid(i, 0), w.oid(i, 2), 'F',
                      w.value(i, 5));
  }
  Rows s = ctx.query(
      "SELECT s.oid, s.srvname, s.srvowner, w.fdwname, s.srvtype, s.srvversion,"
      "  s.srvacl::pg_catalog.text, s.srvoptions::pg_catalog.text"
      " FROM pg_catalog.pg_foreign_server s"
      " JOIN pg_catalog.pg_foreign_data_wrapper w ON w.oid = s.srvfdw");
  for (size_t i = 0; i < s.size(); i++) {
    if (ctx.extension_member(ForeignServerRelationId, s.oid(i, 0))) continue;
    ObjectRef o = ctx.add("foreign server", quote(s.view(i, 1)));
    o.set("wrapper", quote(s.view(i, 3)));
    if (!s.null(i, 4)) o.set("type", s.str(i, 4));
    if (!s.null(i, 5)) o.set("version", s.str(i, 5));
    set_options(o, s.value(i, 7));
    ctx.attach_common(o, ForeignServerRelationId, s.oid(i, 0), s.oid(i, 2), 'S', s.value(i, 6));
  }
  if (s.empty()) return;  // no server, no user mapping

  // The options of user mappings are readable only where pg_user_mapping is (superusers by
  // default): a role that cannot read them gets an error, never a smaller snapshot.
  Rows um = ctx.query("SELECT count(*) FROM pg_catalog.pg_user_mappings");
  if (um.num(0, 0) == 0) return;
  Rows can =
      ctx.query("SELECT pg_catalog.has_table_privilege('pg_catalog.pg_user_mapping', 'SELECT')");
  if (!can.flag(0, 0)) {
    Rows who = ctx.query("SELECT pg_catalog.current_user()::text");
    throw Error(
        "pg_squash: role " + quote(who.str(0, 0)) + " cannot read every catalog a snapshot needs",
        ERRCODE_INSUFFICIENT_PRIVILEGE,
        "No SELECT privilege on: pg_user_mapping (the database has user mappings). A "
        "snapshot from this role would be incomplete, so none is taken.",
        "Take the snapshot as a superuser, or GRANT SELECT ON pg_catalog.pg_user_mapping "
        "to the role (the options' secret values never enter a snapshot).");
  }
  Rows m = ctx.query(
      "SELECT m.oid, m.umuser, s.srvname, m.umoptions::pg_catalog.text"
      " FROM pg_catalog.pg_user_mapping m"
      " JOIN pg_catalog.pg_foreign_server s ON s.oid = m.umserver");
  for (size_t i = 0; i < m.size(); i++) {
    if (ctx.extension_member(UserMappingRelationId, m.oid(i, 0))) continue;
    const Oid user = m.oid(i, 1);
    ObjectRef o = ctx.add("user mapping",
                          "FOR " + (user == 0 ? std::string("PUBLIC") : quote(ctx.role(user))) +
                              " SERVER " + quote(m.view(i, 2)));
    set_options(o, m.value(i, 3), true);
  }
}

}  // namespace

void load_foreign_columns(Context& ctx) {
  std::vector<Oid> foreign;
  for (const auto& [oid, rel] : ctx.relations)
    if (rel.kept && rel.kind == 'f') foreign.push_back(oid);
  if (foreign.empty()) return;  // most schemas: no query at all
  Rows r = ctx.query(
      "SELECT attrelid, attnum, attfdwoptions::pg_catalog.text FROM pg_catalog.pg_attribute"
      " WHERE attrelid = ANY ('" +
      array_literal(foreign) +
      "'::pg_catalog.oid[]) AND attnum > 0 AND NOT attisdropped AND attfdwoptions IS NOT NULL");
  for (size_t i = 0; i < r.size(); i++) {
    auto [plain, secret] = fdw_options(r.view(i, 2), false);
    if (!secret.empty()) plain += (plain.empty() ? "" : ", ") + secret + " (secret)";
    if (!plain.empty())
      ctx.column_fdw_options[key2(r.oid(i, 0), static_cast<uint32_t>(r.num(i, 1)))] = plain;
  }
}

void read_foreign(Context& ctx) {
  if (ctx.whole_database) read_wrappers_servers_mappings(ctx);
  std::vector<Oid> foreign;
  for (const auto& [oid, rel] : ctx.relations)
    if (rel.kept && rel.kind == 'f') foreign.push_back(oid);
  if (foreign.empty()) return;
  Rows r = ctx.query(
      "SELECT ft.ftrelid, s.srvname, ft.ftoptions::pg_catalog.text"
      " FROM pg_catalog.pg_foreign_table ft"
      " JOIN pg_catalog.pg_foreign_server s ON s.oid = ft.ftserver"
      " WHERE ft.ftrelid = ANY ('" +
      array_literal(foreign) + "'::pg_catalog.oid[])");
  for (size_t i = 0; i < r.size(); i++) {
    const Relation* rel = ctx.kept_relation(r.oid(i, 0));
    if (!rel) continue;
    ObjectRef o = ctx.add("foreign table", rel->identity);
    o.set("server", quote(r.view(i, 1)));
    set_options(o, r.value(i, 2));
    if (!rel->is_partition && !rel->parents.empty()) o.set("inherits", join(rel->parents, ", "));
    if (rel->is_partition && !rel->parents.empty()) o.set("partition_of", rel->parents.front());
    if (rel->is_partition && rel->partbound) o.set("partition_bound", *rel->partbound);
    ctx.attach_common(o, RelationRelationId, rel->oid, rel->owner, 'r', rel->acl.as_value());
  }
}

}  // namespace squash::catalog
