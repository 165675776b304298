// The repair script: DDL that turns one schema (target) into another (source), built from
// the generator's per-object steps (ddl_*.cpp) for both snapshots: objects that differ are
// altered in place where PostgreSQL can, otherwise dropped (with their dependents) from the
// target's plan and created again from the source's. Pure C++, like the generator.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pg_squash/generator/ddl.hpp"
#include "pg_squash/model/snapshot.hpp"

namespace squash::generator {

struct RepairOptions {
  std::string format = "sql";  // "sql" or "alembic"
  bool allow_destructive = false;
  std::string revision;  // alembic only
  std::optional<std::string> down_revision;
  std::string source_name, target_name;  // for the header: "snapshot 'x'", "the live schema"
  std::string source_fingerprint, target_fingerprint;
  std::string lock_timeout = "10s";
  // The server's PG_VERSION_NUM: ALTER TABLE/MATERIALIZED VIEW ... SET ACCESS METHOD is 15+.
  int server_version = 150000;
  std::function<std::string(const std::string&)> quote_ident;
};

struct Repair {
  std::string text;
  // Statements that lose data ("DROP TABLE public.t: its rows are lost"), in script order.
  // Without allow_destructive the caller refuses when this is not empty.
  std::vector<std::string> destructive;
  // Objects of source the script cannot create ("kind identity (what)").
  std::vector<std::string> not_expressible;
  // Differences the script cannot make in place ("column public.t.c uses public.d, which
  // must be dropped and created again"): the caller refuses.
  std::vector<std::string> unsupported;
  size_t statements = 0;
};

// The script that turns target into source. Facts: each side's dependencies (from
// pg_depend when it is the live schema, plus infer_dependencies()).
Repair repair(const model::Snapshot& source, const CatalogFacts& source_facts,
              const model::Snapshot& target, const CatalogFacts& target_facts,
              const RepairOptions& options);

// Dependencies a snapshot's own text shows (a view's definition naming a relation, a
// column's type naming a type, a default calling a function, a foreign key's referenced
// table), for a stored snapshot whose catalogs are not at hand.
void infer_dependencies(const model::Snapshot& snapshot, CatalogFacts& facts);

}  // namespace squash::generator
