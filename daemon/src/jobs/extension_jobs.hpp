// The jobs that call the pg_squash extension's SQL functions through libpq:
// stamp, validate, refresh-views and restore-drill (rebuild: jobs/rebuild.hpp), and the
// pieces they share with rebuild.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "jobs/backup.hpp"
#include "jobs/run_context.hpp"

namespace squash::jobs {

// The target's pg_squash, or StepFailed naming the missing CREATE EXTENSION.
ExtensionInfo require_extension(RunContext& ctx, db::Connection& conn);

// squash_validate(reference), counted; fail and warn rows kept as "check: detail".
struct Validation {
  int pass = 0, fail = 0, warn = 0, skip = 0;
  std::vector<std::string> failures, warnings;
  std::string summary() const;
};
Validation validate(RunContext& ctx, db::Connection& conn, const ExtensionInfo& ext,
                    const std::optional<std::string>& reference);

// "name" with embedded quotes doubled.
std::string quote_ident(const std::string& s);

// backup; squash_stamp(revision, expect); squash_validate() — any 'fail' row fails the
// run after squash_unstamp().
void run_stamp_job(RunContext& ctx, db::Connection& conn);
// squash_validate(params.expect): any 'fail' row fails the run; warn rows are noted.
void run_validate_job(RunContext& ctx, db::Connection& conn);
// squash_refresh_views(params.concurrently, default true).
void run_refresh_views_job(RunContext& ctx, db::Connection& conn);
// The newest verified backup restored into squash_drill_<run id> (jobs/scratch.hpp); its
// fingerprints compared with the manifest's; the scratch database dropped whatever happens.
void run_restore_drill_job(RunContext& ctx, db::Connection& conn);

// Whether the data fingerprints (JSON arrays of {relation,row_count,hash}) match,
// ignoring the Alembic version table; *difference names the first difference.
bool same_data(const nlohmann::json& expected, const nlohmann::json& actual,
               std::string* difference);

}  // namespace squash::jobs
