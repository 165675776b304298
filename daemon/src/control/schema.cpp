#include "control/schema.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace squash::control {

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {
      {1,
       {
           R"(CREATE TABLE squashd_control.daemons (
                id text PRIMARY KEY,
                host text NOT NULL,
                pid integer NOT NULL,
                listen text NOT NULL,
                version text NOT NULL,
                targets jsonb NOT NULL,
                started_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
                seen_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
                stopped_at timestamptz))",
           "CREATE SEQUENCE squashd_control.run_seq",
           R"(CREATE TABLE squashd_control.runs (
                id text PRIMARY KEY,
                seq bigint NOT NULL UNIQUE,
                target text NOT NULL,
                job text NOT NULL,
                state text NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed',
                                                     'cancelled', 'interrupted')),
                trigger text NOT NULL,
                submitted_by text NOT NULL,
                dedupe_key text UNIQUE,
                daemon_id text,
                queued_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
                claimed_at timestamptz,
                released_at timestamptz,
                record jsonb NOT NULL))",
           // The database itself refuses a second running run of a target.
           "CREATE UNIQUE INDEX runs_one_running ON squashd_control.runs (target) "
           "WHERE state = 'running'",
           "CREATE INDEX runs_open ON squashd_control.runs (target, seq) "
           "WHERE state IN ('queued', 'running')",
           R"(CREATE TABLE squashd_control.leases (
                target text PRIMARY KEY,
                run_id text NOT NULL UNIQUE REFERENCES squashd_control.runs (id),
                daemon_id text NOT NULL,
                acquired_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
                heartbeat_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
                expires_at timestamptz NOT NULL))",
       }},
      {2,
       {
           // Targets found through a [[template]]: the daemons with that template serve them.
           R"(CREATE TABLE squashd_control.targets (
                name text PRIMARY KEY,
                template text NOT NULL,
                dbname text NOT NULL,
                first_seen timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
                last_seen timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()))",
           R"(CREATE TABLE squashd_control.rollouts (
                id text PRIMARY KEY,
                revision text NOT NULL,
                fingerprint text NOT NULL,
                snapshot text NOT NULL,
                stages jsonb NOT NULL,
                state text NOT NULL CHECK (state IN ('running', 'paused', 'stopped',
                                                     'succeeded')),
                stage integer NOT NULL DEFAULT 0,
                stage_passed_at timestamptz,
                error text,
                created_by text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
                updated_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp()))",
           // A target belongs to one stage of a rollout: the first that names it.
           R"(CREATE TABLE squashd_control.rollout_targets (
                rollout_id text NOT NULL REFERENCES squashd_control.rollouts (id),
                target text NOT NULL,
                stage integer NOT NULL,
                state text NOT NULL CHECK (state IN ('pending', 'queued', 'stamped', 'failed')),
                run_id text REFERENCES squashd_control.runs (id),
                runs integer NOT NULL DEFAULT 0,
                error text,
                differences jsonb NOT NULL DEFAULT '[]',
                updated_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
                PRIMARY KEY (rollout_id, target)))",
           "CREATE INDEX rollout_targets_stage ON squashd_control.rollout_targets "
           "(rollout_id, stage)",
           "ALTER TABLE squashd_control.runs ADD COLUMN rollout_id text",
       }},
  };
  return all;
}

int known_schema_version() {
  return migrations().back().version;
}

int migrate(db::Connection& conn, const std::string& squashd_version) {
  conn.query("BEGIN");
  try {
    // Daemons starting together: one migrates, the others wait and find it done.
    conn.query("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended($1, 0))",
               {std::string("squashd_control schema")});
    conn.query("CREATE SCHEMA IF NOT EXISTS squashd_control");
    conn.query(R"(CREATE TABLE IF NOT EXISTS squashd_control.schema_version (
                    version integer PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
                    squashd_version text NOT NULL))");
    auto found =
        conn.scalar("SELECT coalesce(max(version), 0) FROM squashd_control.schema_version");
    int before = found ? std::stoi(*found) : 0;
    if (before > known_schema_version())
      throw std::runtime_error(fmt::format(
          "the control database's schema squashd_control is at version {}, newer than this "
          "squashd {} knows (version {}): upgrade squashd",
          before, squashd_version, known_schema_version()));
    for (const auto& m : migrations()) {
      if (m.version <= before) continue;
      for (const auto& statement : m.statements) conn.query(statement);
      conn.query(
          "INSERT INTO squashd_control.schema_version (version, squashd_version) VALUES ($1, $2)",
          {std::to_string(m.version), squashd_version});
    }
    conn.query("COMMIT");
    return before;
  } catch (...) {
    try {
      if (conn.ok()) conn.query("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
}

}  // namespace squash::control
