// View definitions checked with the server's own parser: what pg_squash executes is exactly
// one statement of the expected kind, whatever text was registered or stored.
#pragma once

#include <string>
#include <vector>

namespace squash::views {

// A relation named in a definition's FROM clauses (or anywhere a RangeVar can appear).
struct RelationRef {
  std::string schema;  // empty when unqualified
  std::string name;
};

struct ParsedDefinition {
  std::string text;  // the query alone: no trailing semicolon, trimmed
  std::vector<RelationRef> relations;
  std::vector<std::string> cte_names;  // WITH names anywhere in the query
};

// Parses a view query (SELECT, WITH ... SELECT, VALUES, TABLE, set operations) with the
// server's raw parser. Rejects (squash::Error, SQLSTATE 42601 / 0A000) anything else: more
// than one statement, another statement kind, SELECT INTO, data-modifying WITH.
// `what` names the definition in messages ("definition of app.v").
ParsedDefinition parse_definition(const std::string& definition, const std::string& what);

// The statement kinds pg_squash builds around stored text.
enum class StatementKind {
  kView,              // CREATE [OR REPLACE] VIEW
  kMaterializedView,  // CREATE MATERIALIZED VIEW
  kIndex,             // CREATE INDEX
  kAttachment,        // CREATE TRIGGER, CREATE RULE, ALTER TABLE / ALTER VIEW
};

// Throws squash::Error unless sql parses as exactly one statement of that kind.
void check_statement(const std::string& sql, StatementKind kind, const std::string& what);

}  // namespace squash::views
