// Who may do what, and as whom code runs. Three rules, one place:
// - Only superusers and squash_admin members call the mutating functions (require_admin).
// - State in schema squash is written under the extension owner's rights (StateWriter):
//   squash_admin may read it, never write it directly.
// - A user's relation is queried as its owner under SECURITY_RESTRICTED_OPERATION with a
//   pinned search_path (AsOwner), the way PostgreSQL runs REFRESH MATERIALIZED VIEW: the
//   functions, casts and operators of a view run with its owner's rights, never the caller's.
// Relations named by stored or caller-supplied text are resolved to catalog entries first
// (RelationName) and quoted from the catalog at each use; no such text reaches SQL.
#pragma once

#include <optional>
#include <string>

#include "pg_squash/pg/guc_scope.hpp"
#include "pg_squash/pg/spi.hpp"

namespace squash {

// Throws unless the current user is superuser or a member of squash_admin. `what` names
// the action in the error ("stamping").
void require_admin(const char* what);

// The role name of the current user (the caller, outside any of the scopes below).
std::string current_role_name();

// Runs as `role` (an OID) with SECURITY_RESTRICTED_OPERATION and search_path pinned to
// pg_catalog, pg_temp until destroyed. Nested scopes are fine.
class AsOwner {
 public:
  explicit AsOwner(Oid role);
  ~AsOwner();
  AsOwner(const AsOwner&) = delete;
  AsOwner& operator=(const AsOwner&) = delete;

 private:
  Oid saved_user_;
  int saved_context_;
  std::optional<GucScope> guc_;
};

// Writes to pg_squash's own state tables: as the extension's owner (AsOwner).
class StateWriter {
 public:
  StateWriter();

 private:
  AsOwner as_;
};

// A relation as the catalogs have it now.
struct CatalogRelation {
  Oid oid = InvalidOid;
  std::string schema, name;
  Oid owner = InvalidOid;
  char relkind = 0;
  // schema.name, each part quoted: the only form pasted into SQL.
  std::string qualified() const { return quote_ident(schema) + "." + quote_ident(name); }
};

// The relation `schema`.`name` (exact names, no quoting rules), or nullopt.
std::optional<CatalogRelation> find_relation(Oid namespace_oid, const std::string& name);
std::optional<CatalogRelation> find_relation(const std::string& schema, const std::string& name);
// The relation with this OID, or nullopt.
std::optional<CatalogRelation> relation_by_oid(Oid oid);

// A schema-qualified name as text ("s.t", quoted parts allowed) split by PostgreSQL's own
// rules (parse_ident). Throws for anything that is not exactly one or two identifiers.
struct QualifiedName {
  std::string schema;  // empty when unqualified
  std::string name;
};
QualifiedName parse_qualified_name(const std::string& text, const char* what);

// The relation a stored "schema.name" text names now, or nullopt when it is gone. Malformed
// text (two parts required) is an error naming `what`.
std::optional<CatalogRelation> resolve_stored_relation(const std::string& text, const char* what);

// Does the caller (the current user) hold `privilege` ("SELECT", "INSERT", ...) on rel?
bool caller_has_privilege(const CatalogRelation& rel, const char* privilege);

}  // namespace squash
