// View definitions checked with the server's raw parser (see view_sql.hpp).
#include <string>
#include <vector>

#include "pg_squash/pg/boundary.hpp"
#include "pg_squash/views/view_sql.hpp"

extern "C" {
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "parser/parser.h"
}

namespace squash::views {

namespace {

// Filled by collect(), which runs inside pg_call: PostgreSQL lists only, nothing that throws.
struct Found {
  List* relations;
  List* ctes;
};

bool collect(Node* node, void* context) {
  if (!node) return false;
  auto* found = static_cast<Found*>(context);
  if (IsA(node, RangeVar))
    found->relations = lappend(found->relations, node);
  else if (IsA(node, CommonTableExpr))
    found->ctes = lappend(found->ctes, node);
  // The walker's C declaration takes an unprototyped function; void (*)(void) converts
  // both ways without a cast-function-type warning.
  return raw_expression_tree_walker(
      node, reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(collect)), context);
}

std::string trim(const std::string& s) {
  const char* space = " \t\n\r\f\v";
  size_t b = s.find_first_not_of(space);
  if (b == std::string::npos) return {};
  size_t e = s.find_last_not_of(space);
  return s.substr(b, e - b + 1);
}

// The raw parse of sql; a syntax error becomes a pg_squash error that names `what`.
List* parse(const std::string& sql, const std::string& what) {
  try {
    return pg_call([&] { return raw_parser(sql.c_str(), RAW_PARSE_DEFAULT); });
  } catch (const PgError& e) {
    throw Error("pg_squash: " + what + " does not parse: " + e.what(), e.sqlstate());
  }
}

Node* single_statement(List* stmts, const std::string& what, RawStmt** raw_out = nullptr) {
  const int n = list_length(stmts);
  if (n == 0) throw Error("pg_squash: " + what + " is empty", ERRCODE_INVALID_PARAMETER_VALUE);
  if (n > 1)
    throw Error("pg_squash: " + what + " holds " + std::to_string(n) +
                    " statements; exactly one is allowed",
                ERRCODE_INVALID_PARAMETER_VALUE);
  auto* raw = static_cast<RawStmt*>(linitial(stmts));
  if (raw_out) *raw_out = raw;
  return raw->stmt;
}

}  // namespace

ParsedDefinition parse_definition(const std::string& definition, const std::string& what) {
  RawStmt* raw = nullptr;
  Node* stmt = single_statement(parse(definition, what), what, &raw);
  if (!IsA(stmt, SelectStmt))
    throw Error("pg_squash: " + what + " is not a query", ERRCODE_INVALID_PARAMETER_VALUE, {},
                "A view is defined by one SELECT, WITH ... SELECT, VALUES or TABLE query.");
  auto* select = reinterpret_cast<SelectStmt*>(stmt);
  if (select->intoClause)
    throw Error("pg_squash: " + what + " is a SELECT INTO, which creates a table",
                ERRCODE_INVALID_PARAMETER_VALUE);
  if (select->withClause) {
    List* ctes = select->withClause->ctes;
    for (int i = 0; i < list_length(ctes); i++) {
      auto* cte = static_cast<CommonTableExpr*>(list_nth(ctes, i));
      if (!cte->ctequery || !IsA(cte->ctequery, SelectStmt))
        throw Error("pg_squash: " + what + " has a data-modifying WITH query (" +
                        std::string(cte->ctename) + ")",
                    ERRCODE_FEATURE_NOT_SUPPORTED, {}, "Views cannot modify data.");
    }
  }

  ParsedDefinition parsed;
  // Only the statement itself: a trailing semicolon and what follows it are dropped.
  size_t start = raw->stmt_location > 0 ? static_cast<size_t>(raw->stmt_location) : 0;
  size_t len = raw->stmt_len > 0 ? static_cast<size_t>(raw->stmt_len) : std::string::npos;
  parsed.text = trim(definition.substr(start, len));

  Found found{NIL, NIL};
  pg_call([&] { (void)collect(stmt, &found); });
  for (int i = 0; i < list_length(found.relations); i++) {
    auto* rv = static_cast<RangeVar*>(list_nth(found.relations, i));
    if (!rv->relname) continue;
    parsed.relations.push_back({rv->schemaname ? rv->schemaname : "", rv->relname});
  }
  for (int i = 0; i < list_length(found.ctes); i++) {
    auto* cte = static_cast<CommonTableExpr*>(list_nth(found.ctes, i));
    if (cte->ctename) parsed.cte_names.emplace_back(cte->ctename);
  }
  return parsed;
}

void check_statement(const std::string& sql, StatementKind kind, const std::string& what) {
  Node* stmt = single_statement(parse(sql, what), what);
  bool ok = false;
  switch (kind) {
    case StatementKind::kView:
      ok = IsA(stmt, ViewStmt);
      break;
    case StatementKind::kMaterializedView:
      ok = IsA(stmt, CreateTableAsStmt) &&
           reinterpret_cast<CreateTableAsStmt*>(stmt)->objtype == OBJECT_MATVIEW;
      break;
    case StatementKind::kIndex:
      ok = IsA(stmt, IndexStmt);
      break;
    case StatementKind::kAttachment:
      ok = IsA(stmt, CreateTrigStmt) || IsA(stmt, RuleStmt) || IsA(stmt, AlterTableStmt);
      break;
  }
  if (!ok)
    throw Error("pg_squash: " + what + " is not the statement it should be",
                ERRCODE_INVALID_PARAMETER_VALUE, "statement: " + sql);
}

}  // namespace squash::views
