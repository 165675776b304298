// The jobs that call the pg_squash extension's SQL functions through libpq:
// stamp, validate, refresh-views, restore-drill and rebuild.
#pragma once

#include "db/connection.hpp"
#include "jobs/run_context.hpp"

namespace squash::jobs {

// backup; squash_stamp(revision, expect); squash_validate() — any 'fail' row fails the
// run after squash_unstamp().
void run_stamp_job(RunContext& ctx, db::Connection& conn);
// squash_validate(params.expect): any 'fail' row fails the run; warn rows are noted.
void run_validate_job(RunContext& ctx, db::Connection& conn);
// squash_refresh_views(params.concurrently, default true).
void run_refresh_views_job(RunContext& ctx, db::Connection& conn);
// The newest verified backup restored into squash_drill_<run>; its fingerprints
// compared with the manifest's; the scratch database dropped whatever happens.
void run_restore_drill_job(RunContext& ctx, db::Connection& conn);
// backup; drop and recreate the database; psql -v ON_ERROR_STOP=1 params.squashed_sql;
// pg_restore --data-only; refresh views; validate against the pre-run data fingerprint;
// on any failure restore the full backup and prove it by fingerprints.
void run_rebuild_job(RunContext& ctx);

// Whether the data fingerprints (JSON arrays of {relation,row_count,hash}) match,
// ignoring the Alembic version table; *difference names the first difference.
bool same_data(const nlohmann::json& expected, const nlohmann::json& actual,
               std::string* difference);

}  // namespace squash::jobs
