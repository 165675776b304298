// The rebuild job: replace the target database by one built from the squashed SQL, with
// the same data, and put the original back when anything goes wrong.
//
// Before anything is changed (a failure here leaves the database untouched):
//   connect      maintenance database `postgres` (the target is dropped mid-run, so the
//                run's advisory lock lives there, keyed by the database name) and the
//                target itself (the usual run lock, so no other squashd works on it)
//   preflight    params.revision and an absolute, readable params.squashed_sql; a
//                superuser (DROP/CREATE DATABASE, --disable-triggers); pg_squash installed;
//                squash_validate() has no failing check; the pre-run schema snapshot kept
//   rehearse     the squashed SQL applied to a scratch database (squash_rehearse_<run id>)
//                must build exactly the live schema — a broken or drifted squash is
//                refused here, its differences listed (drop-scratch: always dropped)
//   backup       the backup job's steps: one dump, fingerprints alongside it, state
//   quiesce      connections to the database blocked (ALLOW_CONNECTIONS false: superusers
//                too) and every other session ended; no prepared transaction; the data
//                is still what the backup holds (no write since); the whole destructive
//                phase must fit in the window (recorded step averages). A refusal puts
//                the connection settings back.
// Destructive phase (any failure, cancel, SIGTERM or window end → rollback):
//   drop         DROP DATABASE … WITH (FORCE)
//   recreate     pg_restore --create of the dump's DATABASE entries only: owner,
//                encoding, locale, settings, comment and grants survive; CONNECTION
//                LIMIT 0 (squashd's tools connect as a superuser), other sessions ended
//   apply        psql -X -v ON_ERROR_STOP=1 --single-transaction -f squashed_sql;
//                CREATE EXTENSION pg_squash unless the SQL did; the schema fingerprint
//                must equal the pre-run one again
//   restore-state  pg_squash's own state from the backup
//   restore-data pg_restore --data-only --disable-triggers --single-transaction of the
//                full dump without alembic_version's rows (sequence values included)
//   set-revision connections blocked again (ALLOW_CONNECTIONS false: squashd goes on in its
//                open session); alembic_version holds exactly params.revision
//   refresh-views  every materialized view refreshed (those others read first), then
//                squash_refresh_views()
//   validate     squash_validate(): no failing check
//   compare      schema fingerprint and every table's data fingerprint equal the backup's
//   reopen       the database's own ALLOW_CONNECTIONS and CONNECTION LIMIT back
//   probe        the application probes
// Rollback (ignores cancel, SIGTERM and the window: it runs to its end):
//   rollback-check (after a reopen only: connections blocked; if the data differs from
//   the backup, the application has written to the verified database: it is kept, never
//   dropped, and the run fails saying so), rollback-drop, rollback-restore (the DATABASE
//   entries, CONNECTION LIMIT 0, the rest of the full dump, pg_squash's state;
//   connections blocked), rollback-verify (schema and data fingerprints and
//   alembic_version equal the backup's; then the connection settings back). The run
//   fails either way: "…; rolled back: fingerprints equal" or "ROLLBACK FAILED: …" with
//   the manual restore command (connections stay blocked).
#pragma once

#include <cstddef>
#include <string>

#include "jobs/run_context.hpp"

namespace squash::jobs {

void run_rebuild_job(RunContext& ctx);

// --- pieces, unit-tested

// The description of a `pg_restore --list` line: "3670; 1262 16468 DATABASE - app owner"
// → "DATABASE - app owner"; "" for comments and blank lines.
std::string toc_desc(const std::string& line);
// The list lines of the database itself (DATABASE, DATABASE PROPERTIES, its COMMENT, ACL,
// SECURITY LABEL), comments kept. Input: `pg_restore --list --create`.
std::string database_entries(const std::string& list);
// The list without the TABLE DATA entries of alembic_version (any schema); *excluded
// counts what was left out.
std::string without_version_data(const std::string& list, std::size_t* excluded = nullptr);
// An Alembic revision id squashd will write: 1..max_width characters, no whitespace or
// control characters. Empty when fine, else why not.
std::string revision_problem(const std::string& revision, std::size_t max_width = 32);

}  // namespace squash::jobs
