// read_catalog: scope, shared lookups, and the order the readers run in.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iterator>

#include "reader.hpp"

#include "pg_squash/pg/guc_scope.hpp"
#include "pg_squash/catalog/user_objects.hpp"

extern "C" {
#include "catalog/pg_class.h"
#include "catalog/pg_namespace.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
}

namespace squash::catalog {

namespace {

// Every catalog a snapshot reads. Checked up front: a role that cannot read one of them
// gets an error, never a smaller snapshot.
const char* const kCatalogs[] = {
    "pg_aggregate",
    "pg_am",
    "pg_amop",
    "pg_amproc",
    "pg_attrdef",
    "pg_attribute",
    "pg_cast",
    "pg_class",
    "pg_collation",
    "pg_constraint",
    "pg_conversion",
    "pg_database",
    "pg_default_acl",
    "pg_depend",
    "pg_description",
    "pg_enum",
    "pg_event_trigger",
    "pg_extension",
    "pg_foreign_data_wrapper",
    "pg_foreign_server",
    "pg_foreign_table",
    "pg_index",
    "pg_inherits",
    "pg_language",
    "pg_namespace",
    "pg_opclass",
    "pg_operator",
    "pg_opfamily",
    "pg_policy",
    "pg_proc",
    "pg_publication",
#if PG_VERSION_NUM >= 150000
    "pg_publication_namespace",
#endif
    "pg_publication_rel",
    "pg_rewrite",
    "pg_roles",
    "pg_seclabel",
    "pg_sequence",
    "pg_statistic_ext",
    "pg_transform",
    "pg_trigger",
    "pg_ts_config",
    "pg_ts_config_map",
    "pg_ts_dict",
    "pg_ts_parser",
    "pg_ts_template",
    "pg_type",
};

void check_readable() {
  // The ACL checks themselves, not a query: in a new backend, planning one costs more.
  constexpr size_t kCount = std::size(kCatalogs);
  bool refused[kCount] = {};
  pg_call([&] {
    const Oid user = GetUserId();
    for (size_t i = 0; i < kCount; i++) {
      const Oid rel = get_relname_relid(kCatalogs[i], PG_CATALOG_NAMESPACE);
      refused[i] = !OidIsValid(rel) || pg_class_aclcheck(rel, user, ACL_SELECT) != ACLCHECK_OK;
    }
  });
  std::vector<std::string> denied;
  for (size_t i = 0; i < kCount; i++)
    if (refused[i]) denied.emplace_back(kCatalogs[i]);
  if (denied.empty()) return;
  const std::string who = pg_call([] { return GetUserNameFromId(GetUserId(), false); });
  throw Error("pg_squash: role " + quote(who) + " cannot read every catalog a snapshot needs",
              ERRCODE_INSUFFICIENT_PRIVILEGE,
              "No SELECT privilege on: " + join(denied, ", ") +
                  ". A snapshot from this role would be incomplete, so none is taken.",
              "GRANT SELECT ON those catalogs to the role, or run as a role that can read "
              "them.");
}

void load_extension_members(Context& ctx) {
  Rows r = ctx.query(
      "SELECT classid, objid FROM pg_catalog.pg_depend"
      " WHERE refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass"
      "   AND deptype = 'e'");
  for (size_t i = 0; i < r.size(); i++) ctx.ext_members[r.oid(i, 0)].insert(r.oid(i, 1));
}

void resolve_scope(Context& ctx, const Scope& scope) {
  Rows r = ctx.query("SELECT oid, nspname FROM pg_catalog.pg_namespace");
  std::unordered_map<std::string, Oid> by_name;
  for (size_t i = 0; i < r.size(); i++) {
    std::string name = r.str(i, 1);
    Oid oid = r.oid(i, 0);
    if (is_system_schema(name) || ctx.extension_member(NamespaceRelationId, oid)) continue;
    by_name.emplace(name, oid);
    if (!scope.schemas) ctx.nsps.emplace(oid, name);
  }
  if (scope.schemas) {
    ctx.whole_database = false;
    for (const std::string& name : *scope.schemas) {
      auto it = by_name.find(name);
      if (it != by_name.end()) {
        ctx.nsps.emplace(it->second, name);
        continue;
      }
      bool exists = false;
      for (size_t i = 0; i < r.size(); i++) exists = exists || r.view(i, 1) == name;
      if (exists)
        throw Error("pg_squash: schema " + quote(name) + " is not a user schema",
                    ERRCODE_INVALID_SCHEMA_NAME, {},
                    "System schemas, the squash schema and schemas that belong to an "
                    "extension are never part of a snapshot.");
      throw Error("pg_squash: schema " + quote(name) + " does not exist",
                  ERRCODE_INVALID_SCHEMA_NAME);
    }
  }
  std::vector<Oid> oids;
  for (auto& [oid, name] : ctx.nsps) oids.push_back(oid);
  std::sort(oids.begin(), oids.end());
  ctx.nsp_array = array_literal(oids);
  ctx.nsp_oids = oids;
}

}  // namespace

namespace {
std::string with_scope(const std::string& sql, const std::string& nsp_array) {
  std::string text = sql;
  const std::string literal = "'" + nsp_array + "'::pg_catalog.oid[]";
  for (size_t at = text.find("$NSPS"); at != std::string::npos; at = text.find("$NSPS", at))
    text.replace(at, 5, literal);
  return text;
}
}  // namespace

Rows Context::query(const std::string& sql) {
  return catalog::query(spi, with_scope(sql, nsp_array));
}

void Context::scan(const std::string& sql, const std::function<void(const Row&)>& fn) {
  catalog::scan(spi, with_scope(sql, nsp_array), fn);
}

bool Context::extension_member(Oid classid, Oid objid) const {
  auto it = ext_members.find(classid);
  return it != ext_members.end() && it->second.count(objid) != 0;
}

const Relation* Context::relation(Oid oid) const {
  return relations.find(oid);
}

const Relation* Context::kept_relation(Oid oid) const {
  const Relation* rel = relation(oid);
  return rel && rel->kept ? rel : nullptr;
}

void Context::need_type(Oid t, int32_t typmod) {
  const uint64_t k = key2(t, static_cast<uint32_t>(typmod));
  if (!types_.count(k)) types_wanted_.insert(k);
}

void Context::fetch_types() {
  if (types_wanted_.empty()) return;
  std::vector<uint32_t> oids, mods;
  for (uint64_t k : types_wanted_) {
    oids.push_back(static_cast<uint32_t>(k >> 32));
    mods.push_back(static_cast<uint32_t>(k & 0xffffffffu));
  }
  std::string mod_array = "{";
  for (size_t i = 0; i < mods.size(); i++)
    mod_array += (i ? "," : "") + std::to_string(static_cast<int32_t>(mods[i]));
  mod_array += "}";
  Rows r = catalog::query(spi,
                          "SELECT u.t, u.m,"
                          "  pg_catalog.format_type(u.t, NULLIF(u.m, -2147483648)),"
                          "  t.typstorage, t.typcollation"
                          " FROM ROWS FROM (pg_catalog.unnest('" +
                              array_literal(oids) + "'::pg_catalog.oid[]), pg_catalog.unnest('" +
                              mod_array +
                              "'::pg_catalog.int4[])) AS u(t, m)"
                              " LEFT JOIN pg_catalog.pg_type t ON t.oid = u.t");
  for (size_t i = 0; i < r.size(); i++) {
    TypeInfo info;
    info.name = r.str(i, 2);
    info.storage = r.ch(i, 3);
    info.collation = r.oid(i, 4);
    types_[key2(r.oid(i, 0), static_cast<uint32_t>(static_cast<int32_t>(r.num(i, 1))))] =
        std::move(info);
  }
  types_wanted_.clear();
}

const TypeInfo& Context::type(Oid t, int32_t typmod) {
  const uint64_t k = key2(t, static_cast<uint32_t>(typmod));
  auto it = types_.find(k);
  if (it == types_.end()) {
    need_type(t, typmod);
    fetch_types();
    it = types_.find(k);
    if (it == types_.end()) it = types_.emplace(k, TypeInfo{"???", '\0', 0}).first;
  }
  return it->second;
}

void Context::need_collation(Oid coll) {
  if (coll != 0 && !collations_.count(coll)) collations_wanted_.insert(coll);
}

void Context::fetch_collations() {
  if (collations_wanted_.empty()) return;
  std::vector<Oid> oids(collations_wanted_.begin(), collations_wanted_.end());
  Rows r = catalog::query(spi,
                          "SELECT c.oid, n.nspname, c.collname FROM pg_catalog.pg_collation c"
                          " JOIN pg_catalog.pg_namespace n ON n.oid = c.collnamespace"
                          " WHERE c.oid = ANY ('" +
                              array_literal(oids) + "'::pg_catalog.oid[])");
  for (size_t i = 0; i < r.size(); i++)
    collations_[r.oid(i, 0)] = qualified(r.view(i, 1), r.view(i, 2));
  collations_wanted_.clear();
}

const std::string& Context::collation(Oid coll) {
  auto it = collations_.find(coll);
  if (it == collations_.end()) {
    need_collation(coll);
    fetch_collations();
    it = collations_.find(coll);
    if (it == collations_.end()) it = collations_.emplace(coll, std::to_string(coll)).first;
  }
  return it->second;
}

std::string Context::role(Oid oid) const {
  auto it = roles.find(oid);
  return it == roles.end() ? std::to_string(oid) : it->second;
}

const std::string* Context::comment(Oid classoid, Oid objoid) const {
  // Most objects have no comment, most catalogs none at all: those skip the map.
  if (std::find(comment_classes.begin(), comment_classes.end(), classoid) == comment_classes.end())
    return nullptr;
  return comments.find(key2(classoid, objoid));
}

const std::string& Context::default_acl(char objtype, Oid owner) {
  const uint64_t k = key2(static_cast<unsigned char>(objtype), owner);
  auto it = default_acls_.find(k);
  if (it == default_acls_.end()) {
    Rows r = catalog::query(spi, "SELECT pg_catalog.acldefault(" +
                                     quote_literal(std::string(1, objtype)) + "::\"char\", " +
                                     std::to_string(owner) + "::pg_catalog.oid)::text");
    it = default_acls_.emplace(k, render_acl(r.empty() ? std::string_view() : r.view(0, 0))).first;
  }
  return it->second;
}

void Context::attach_common(ObjectRef obj, Oid classoid, Oid objoid, Oid owner, char objtype,
                            const Value& acl) {
  if (owner != 0) obj.set("owner", role(owner));
  // No ACL means the built-in default: the same rights an explicit default ACL spells out,
  // so both compare equal.
  if (objtype != '\0') obj.set("acl", acl ? render_acl(*acl) : default_acl(objtype, owner));
  if (const std::string* c = comment(classoid, objoid)) obj.set("comment", *c);
  attach_labels(obj, classoid, objoid);
}

ObjectRef Context::add(std::string_view kind, std::string_view identity) {
  out.add(kind, identity);
  return ObjectRef(out, out.size() - 1);
}

void ObjectRef::misplaced() {
  throw Error("pg_squash: internal error in the catalog reader: an attribute after its object");
}

void load_roles(Context& ctx) {
  Rows r = ctx.query("SELECT oid, rolname FROM pg_catalog.pg_roles");
  for (size_t i = 0; i < r.size(); i++) ctx.roles[r.oid(i, 0)] = r.str(i, 1);
}

void read_schemas(Context& ctx) {
  Rows r = ctx.query(
      "SELECT oid, nspname, nspowner, nspacl::pg_catalog.text"
      " FROM pg_catalog.pg_namespace WHERE oid = ANY ($NSPS)");
  for (size_t i = 0; i < r.size(); i++) {
    ObjectRef o = ctx.add("schema", quote(r.view(i, 1)));
    ctx.attach_common(o, NamespaceRelationId, r.oid(i, 0), r.oid(i, 2), 'n', r.value(i, 3));
  }
}

model::FlatSnapshot read_catalog_flat(Spi& spi, const Scope& scope) {
  // Each step's time, for SET client_min_messages = debug1.
  using Clock = std::chrono::steady_clock;
  auto ms_since = [](Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  };
  std::string setup, timings;
  auto note = [](std::string& out, const char* name, double ms) {
    char buf[64];
    snprintf(buf, sizeof buf, " %s %.1f ms", name, ms);
    out += buf;
  };
  const auto begun = Clock::now();
  GucScope guc;
  pin_output_settings(guc);
  model::FlatSnapshot snap;
  double total = 0;
  size_t calls = 0, hits = 0, prepared = 0;
  Profile p;
  Clock::time_point read_done;
  {
    Context ctx(spi, snap);
    auto setup_step = [&](const char* name, auto&& fn) {
      auto start = Clock::now();
      fn();
      note(setup, name, ms_since(start));
    };
    setup_step("check_readable", [&] { check_readable(); });
    setup_step("extension_members", [&] { load_extension_members(ctx); });
    setup_step("scope", [&] { resolve_scope(ctx, scope); });
    setup_step("worker", [&] {
      ctx.view_definitions.start(ctx.nsp_oids);
      ctx.deparser.set_prepared(&ctx.view_definitions);
    });
    setup_step("roles", [&] { load_roles(ctx); });
    setup_step("comments", [&] { load_comments(ctx); });
    setup_step("labels", [&] { load_security_labels(ctx); });

    profile() = Profile();
    auto t0 = Clock::now();
    auto step = [&](const char* name, void (*reader)(Context&)) {
      auto start = Clock::now();
      reader(ctx);
      note(timings, name, ms_since(start));
    };
    step("schemas", read_schemas);
    step("extensions", read_extensions);
    step("relations", load_relations);
    step("sequences", read_sequences);
    step("defaults", load_defaults);
    step("foreign columns", load_foreign_columns);
    ctx.view_definitions.passed(ExprSource::kDefault);
    step("tables", read_tables);
    step("load indexes", load_indexes);
    step("constraints", read_constraints);
    ctx.view_definitions.passed(ExprSource::kCheck);
    step("indexes", read_indexes);
    ctx.view_definitions.passed(ExprSource::kPredicate);
    step("views", read_views);
    step("types", read_types);
    step("routines", read_routines);
    step("aggregates", read_aggregates);
    step("operators", read_operators);
    step("casts", read_casts);
    step("collations", read_collations);
    step("opclasses", read_opclasses);
    step("text_search", read_text_search);
    step("conversions", read_conversions);
    step("languages", read_languages);
    step("access_methods", read_access_methods);
    step("triggers", read_triggers);
    step("event_triggers", read_event_triggers);
    step("policies", read_policies);
    step("foreign", read_foreign);
    step("rules", read_rules);
    step("publications", read_publications);
    step("subscriptions", read_subscriptions);
    step("default privileges", read_default_privileges);
    step("statistics", read_statistics);
    step("unmodelled", read_unmodelled);
    total = ms_since(t0);
    calls = ctx.deparser.calls();
    hits = ctx.deparser.hits();
    prepared = ctx.deparser.prepared_hits();
    p = profile();
    read_done = Clock::now();
  }
  const double cleanup_ms = ms_since(read_done);
  const auto normalize_start = Clock::now();
  try {
    snap.normalize();
  } catch (const model::ModelError& e) {
    throw Error(std::string("pg_squash: internal error in the catalog reader: ") + e.what());
  }
  const double normalize_ms = ms_since(normalize_start);
  const double all_ms = ms_since(begun);
  const size_t objects = snap.size();
  pg_call([&] {
    elog(DEBUG1,
         "pg_squash: read %zu objects in %.1f ms: queries %.1f ms (%llu rows), deparsing %.1f ms "
         "(%zu expressions, %zu from cache, %zu from the worker);%s; setup%s; context end %.1f ms; "
         "normalize %.1f ms; all %.1f ms",
         objects, total, p.execute_ms, static_cast<unsigned long long>(p.rows), p.deparse_ms, calls,
         hits, prepared, timings.c_str(), setup.c_str(), cleanup_ms, normalize_ms, all_ms);
  });
  return snap;
}

model::Snapshot read_catalog(Spi& spi, const Scope& scope) {
  model::FlatSnapshot flat = read_catalog_flat(spi, scope);
  return flat.to_snapshot();
}

}  // namespace squash::catalog
