// A view or materialized view as pg_squash keeps it: the definition and everything that
// must survive a drop and re-create (owner, grants, comments, MV indexes, triggers, rules,
// column defaults). Read from the live catalogs or from squash.managed_views, written back
// as DDL.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pg_squash/pg/spi.hpp"

namespace squash::views {

struct Grant {
  std::string column;                  // empty: the whole relation
  std::optional<std::string> grantee;  // nullopt: PUBLIC
  std::string privilege;               // SELECT, INSERT, ...
  bool grantable = false;
  std::string grantor;
};

struct ViewState {
  std::string identity;  // schema-qualified, quoted
  std::string schema, name;
  bool materialized = false;
  std::string definition;  // the query alone
  std::vector<std::string> column_names, column_types;
  std::vector<std::string> options;  // reloptions, "name=value"
  std::optional<std::string> owner;
  std::vector<std::pair<std::string, std::string>> indexes;  // name, pg_get_indexdef
  std::optional<std::string> comment;
  std::vector<std::pair<std::string, std::string>> column_comments;  // column, comment
  std::optional<std::vector<Grant>> grants;                          // nullopt: defaults
  std::vector<Grant> column_grants;
  std::vector<std::string> extra_ddl;  // triggers, rules, column defaults

  const char* kind() const { return materialized ? "materialized" : "view"; }
  const char* sql_kind() const { return materialized ? "MATERIALIZED VIEW" : "VIEW"; }
};

// SELECT list over pg_class c JOIN pg_namespace n producing the managed_views columns
// identity .. extra_ddl (see kStateColumns) for a live view; append a WHERE clause.
extern const char* const kLiveStateQuery;
// The managed_views columns in the order kLiveStateQuery produces them.
extern const char* const kStateColumns;
// Those columns as text (arrays as JSON), the form state_from_row reads.
extern const char* const kStateAsText;

// Builds a state from the kStateAsText columns starting at row[offset].
ViewState state_from_row(const Row& row, size_t offset = 0);

// The live state of relation oid (a view or materialized view).
ViewState live_state(Spi& spi, const std::string& oid);

// Reads at most one relation: nullopt when schema.name does not exist.
struct LiveRelation {
  std::string oid;
  char relkind;
};
std::optional<LiveRelation> find_relation(Spi& spi, const std::string& schema,
                                          const std::string& name);

// search_path under which a definition of a view in `schema` is resolved: the view's schema,
// then public (pg_catalog is implicitly first; pg_temp last, so temporary objects never
// capture a name).
std::string definition_search_path(const std::string& schema);

// DDL. Each statement is parsed before it runs: exactly one statement of the expected kind.
void create_relation(Spi& spi, const ViewState& state);  // CREATE [MATERIALIZED] VIEW
void replace_view(Spi& spi, const ViewState& state);     // CREATE OR REPLACE VIEW
void drop_relation(Spi& spi, const std::string& identity, bool materialized);
// Indexes (MVs), owner, comments, grants, triggers, rules and column defaults of a freshly
// created relation.
void restore_attachments(Spi& spi, const ViewState& state);

// Serializes view capture, registration and refresh in this database (a transaction-level
// advisory lock); throws when another one holds it.
void lock_views(Spi& spi);

// Raises a WARNING (through the boundary).
void warn(const std::string& message);

}  // namespace squash::views
