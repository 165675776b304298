// The squashed revision: DDL that builds a snapshot's schema in an empty database, as one SQL
// script or as a self-contained Alembic revision file. Pure C++ (no PostgreSQL headers): it
// works on a model::Snapshot plus the few catalog facts the snapshot does not carry (the
// dependencies between objects, which functions have SQL-standard bodies, seed rows), so it
// unit-tests without a server.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pg_squash/model/snapshot.hpp"

namespace squash::generator {

// A snapshot object named by kind and identity ("table", "public.genes").
struct ObjectKey {
  std::string kind;
  std::string identity;
  bool operator<(const ObjectKey& o) const {
    return kind != o.kind ? kind < o.kind : identity < o.identity;
  }
  bool operator==(const ObjectKey& o) const { return kind == o.kind && identity == o.identity; }
};

// Seed rows of one table (include_data): INSERT statements in primary-key order, then the
// statements that move its sequences past the inserted values.
struct SeedRows {
  std::vector<std::string> statements;
};

// What the generator needs from the catalogs besides the snapshot.
struct CatalogFacts {
  // (dependent, referenced) pairs between snapshot objects, from pg_depend: a view on the
  // tables and primary keys it uses, a column default on its function, a function on its
  // argument types, ...
  std::vector<std::pair<ObjectKey, ObjectKey>> depends;
  // Functions and procedures (identities) whose body is SQL-standard (BEGIN ATOMIC / RETURN):
  // written without AS, and checked at creation, so they come after what they reference.
  std::set<std::string> sql_body_routines;
  // Seed rows by table identity.
  std::map<std::string, SeedRows> seeds;
};

struct Options {
  std::string revision = "000_squashed_complete";
  std::string format = "alembic";  // "sql" or "alembic"
  std::optional<std::string> down_revision;
  bool with_owners = false;
  // Roles the revision needs and that are missing: created NOLOGIN (true) or an error that
  // lists them before anything is created (false).
  bool create_roles = false;
  std::string fingerprint;  // of the snapshot, written into the header
  // quote_ident for raw role names (owners); identities in the snapshot are quoted already.
  std::function<std::string(const std::string&)> quote_ident;
  // An inheritance child whose own columns come before one it only inherits is made by
  // replaying that history (the parent's column added after the child). Off: INHERITS
  // puts the parents' columns first (the repair script, which creates tables one by one).
  bool replay_inheritance = true;
};

struct Generated {
  std::string text;
  // Objects the revision cannot create ("kind identity (what)"), sorted. The text lists
  // them at its top; the caller decides whether that is acceptable.
  std::vector<std::string> not_expressible;
  size_t statements = 0;
  // Where the time went, for the caller's DEBUG1 line.
  double plan_ms = 0, order_ms = 0, text_ms = 0;
};

// Builds the revision. The snapshot must be normalized. Deterministic: the same input gives
// the same bytes.
Generated generate(const model::Snapshot& snapshot, const CatalogFacts& facts,
                   const Options& options);

// ---------------------------------------------------------------------------------------
// Text helpers (ddl_text.cpp), exposed for tests.
// ---------------------------------------------------------------------------------------

// An SQL string literal that means text whatever standard_conforming_strings is
// ('...', or E'...' when text has a backslash), as PostgreSQL's quote_literal writes it.
std::string sql_literal(const std::string& text);

// A dollar-quoted SQL string: $function$...$function$, with a tag the body does not contain.
std::string dollar_quote(const std::string& body, const std::string& tag = "function");

// A Python 3 string literal whose value is exactly text: r'''...''' when that is safe
// (readable DDL), otherwise '...' with backslash escapes. Text must be valid UTF-8.
std::string python_literal(const std::string& text);

// An expression or query the server deparsed, adjusted so that parsing it again gives the
// same deparsed text: "x = ANY ((ARRAY[a, b])::text[])" is how ruleutils shows the implicit
// coercion of an IN list over varchar, but an explicit cast on ARRAY[...] is pushed into its
// elements when parsed; without the cast the same implicit coercion happens again. Quoted
// literals and identifiers are left alone.
std::string reparseable(const std::string& text);

// A comment-safe, single-line rendering of text (control characters escaped).
std::string comment_text(const std::string& text);

// The name an identifier quote_ident wrote stands for: "My ""x""" -> My "x", abc -> abc.
std::string unquote_ident(std::string_view quoted);

// One line of a rendered ACL ("grantee=privileges", grantee quoted, '*' after a privilege
// held WITH GRANT OPTION): the grantee as written and the privileges as SQL words.
struct AclLine {
  std::string grantee;
  std::vector<std::string> plain, with_option;
};
std::vector<AclLine> parse_acl(std::string_view acl);

// The roles a rendered ACL grants to, as written (quoted); PUBLIC is not a role and is
// left out.
std::vector<std::string> acl_grantees(std::string_view acl);

}  // namespace squash::generator
