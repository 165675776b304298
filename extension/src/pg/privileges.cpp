// Who may do what, and as whom code runs (see privileges.hpp).
#include "pg_squash/pg/privileges.hpp"

#include "pg_squash/pg/extension_schema.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace squash {

void require_admin(const char* what) {
  const bool ok = pg_call([] {
    if (superuser()) return true;
    Oid admin = get_role_oid("squash_admin", true);
    return OidIsValid(admin) && has_privs_of_role(GetUserId(), admin);
  });
  if (!ok)
    throw Error(std::string("pg_squash: permission denied: ") + what +
                    " needs superuser or membership in squash_admin",
                ERRCODE_INSUFFICIENT_PRIVILEGE);
}

std::string current_role_name() {
  const char* name = pg_call([] { return GetUserNameFromId(GetUserId(), false); });
  return name;
}

AsOwner::AsOwner(Oid role) {
  GetUserIdAndSecContext(&saved_user_, &saved_context_);
  SetUserIdAndSecContext(
      role, saved_context_ | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
  try {
    guc_.emplace();
    guc_->set("search_path", "pg_catalog, pg_temp");
  } catch (...) {
    guc_.reset();
    SetUserIdAndSecContext(saved_user_, saved_context_);
    throw;
  }
}

AsOwner::~AsOwner() {
  guc_.reset();
  SetUserIdAndSecContext(saved_user_, saved_context_);
}

namespace {

// The owner of schema squash: the role that created the extension.
Oid extension_owner() {
  const Oid owner = pg_call([] {
    Oid nsp = get_namespace_oid(kSquashSchema.data(), true);
    if (!OidIsValid(nsp)) return InvalidOid;
    HeapTuple tup = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
    if (!HeapTupleIsValid(tup)) return InvalidOid;
    Oid result = reinterpret_cast<Form_pg_namespace>(GETSTRUCT(tup))->nspowner;
    ReleaseSysCache(tup);
    return result;
  });
  if (!OidIsValid(owner))
    throw Error("pg_squash: schema squash is missing; reinstall the extension",
                ERRCODE_UNDEFINED_SCHEMA);
  return owner;
}

}  // namespace

StateWriter::StateWriter() : as_(extension_owner()) {}

std::optional<CatalogRelation> relation_by_oid(Oid oid) {
  struct Found {
    bool ok;
    Oid nsp, owner;
    char relkind;
    char* name;
    char* schema;
  };
  Found f = pg_call([oid] {
    Found r{};
    HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(oid));
    if (!HeapTupleIsValid(tup)) return r;
    auto* cls = reinterpret_cast<Form_pg_class>(GETSTRUCT(tup));
    r.ok = true;
    r.nsp = cls->relnamespace;
    r.owner = cls->relowner;
    r.relkind = cls->relkind;
    r.name = pstrdup(NameStr(cls->relname));
    ReleaseSysCache(tup);
    r.schema = get_namespace_name(r.nsp);
    return r;
  });
  if (!f.ok || !f.schema) return std::nullopt;
  CatalogRelation rel;
  rel.oid = oid;
  rel.schema = f.schema;
  rel.name = f.name;
  rel.owner = f.owner;
  rel.relkind = f.relkind;
  return rel;
}

std::optional<CatalogRelation> find_relation(Oid namespace_oid, const std::string& name) {
  const Oid oid = pg_call([&] { return get_relname_relid(name.c_str(), namespace_oid); });
  if (!OidIsValid(oid)) return std::nullopt;
  return relation_by_oid(oid);
}

std::optional<CatalogRelation> find_relation(const std::string& schema, const std::string& name) {
  if (schema.empty() || name.empty() || schema.size() >= NAMEDATALEN || name.size() >= NAMEDATALEN)
    return std::nullopt;
  const Oid nsp = pg_call([&] { return get_namespace_oid(schema.c_str(), true); });
  if (!OidIsValid(nsp)) return std::nullopt;
  return find_relation(nsp, name);
}

QualifiedName parse_qualified_name(const std::string& input, const char* what) {
  auto bad = [&](const std::string& why) {
    throw Error(std::string("pg_squash: ") + what + " is not a valid name: " + why,
                ERRCODE_INVALID_NAME, "name: " + quote_literal(input));
  };
  if (input.find('\0') != std::string::npos) bad("it contains a NUL byte");
  struct Parts {
    int n;
    Datum* elems;
    bool* nulls;
  };
  Parts p{};
  try {
    p = pg_call([&] {
      Parts out{};
      Datum arr = DirectFunctionCall2(parse_ident, PointerGetDatum(cstring_to_text(input.c_str())),
                                      BoolGetDatum(true));
      deconstruct_array(DatumGetArrayTypeP(arr), TEXTOID, -1, false, TYPALIGN_INT, &out.elems,
                        &out.nulls, &out.n);
      return out;
    });
  } catch (const PgError& e) {
    bad(e.what());
  }
  if (p.n < 1 || p.n > 2) bad("it must be name or schema.name");
  QualifiedName q;
  std::string parts[2];
  for (int i = 0; i < p.n; i++) {
    if (p.nulls[i]) bad("a part is NULL");
    parts[i] = pg_call([&] { return text_to_cstring(DatumGetTextPP(p.elems[i])); });
    if (parts[i].empty()) bad("a part is empty");
    if (parts[i].size() >= NAMEDATALEN)
      bad("a part is longer than " + std::to_string(NAMEDATALEN - 1) + " bytes");
  }
  if (p.n == 2) q.schema = parts[0];
  q.name = parts[p.n - 1];
  return q;
}

std::optional<CatalogRelation> resolve_stored_relation(const std::string& text, const char* what) {
  QualifiedName q = parse_qualified_name(text, what);
  if (q.schema.empty())
    throw Error(std::string("pg_squash: ") + what + " is not schema-qualified",
                ERRCODE_INVALID_NAME, "name: " + quote_literal(text));
  return find_relation(q.schema, q.name);
}

bool caller_has_privilege(const CatalogRelation& rel, const char* privilege) {
  const std::string p = privilege;
  const AclMode mode = p == "SELECT"   ? ACL_SELECT
                       : p == "INSERT" ? ACL_INSERT
                       : p == "UPDATE" ? ACL_UPDATE
                       : p == "DELETE" ? ACL_DELETE
                                       : ACL_NO_RIGHTS;
  if (mode == ACL_NO_RIGHTS) throw Error("pg_squash: unknown privilege " + p);
  return pg_call([&] { return pg_class_aclcheck(rel.oid, GetUserId(), mode) == ACLCHECK_OK; });
}

}  // namespace squash
