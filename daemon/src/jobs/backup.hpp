// The backup job and the pieces other jobs reuse (stamp and rebuild back up first;
// restore-drill and rebuild restore what it made).
//
// Steps: connect (advisory lock held by the caller), inspect (one exported snapshot:
// server version, alembic_version rows and, for a pg_squash older than 0.2.0 whose state
// pg_dump leaves out, that state as pg_squash_state.json), dump-full (one pg_dump -Fc from
// that snapshot, streamed into backup_dir/<run id>.partial/ with progress, SHA-256 taken
// and fsync'ed as it is written, while pg_squash's schema and data fingerprints are taken
// in the same snapshot on the connection that exported it), verify (at once: pg_restore
// --list of full.dump; schema.list and data.list, its TOC as pg_restore --list
// --schema-only / --data-only prints it, which `pg_restore -L` restores; full.dump read
// back and hashed again), manifest (atomic), finalize (rename to backup_dir/<run id>:
// only now is it a backup), retention.
#pragma once

#include <string>

#include "db/connection.hpp"
#include "jobs/manifest.hpp"
#include "jobs/run_context.hpp"

namespace squash::jobs {

inline constexpr char kFullDump[] = "full.dump";
// The schema-only and data-only parts of full.dump: pg_restore -L FILE full.dump.
inline constexpr char kSchemaList[] = "schema.list";
inline constexpr char kDataList[] = "data.list";
inline constexpr char kTocListFormat[] = "pg_restore-list";  // a manifest file's format
// Older backups hold schema.dump and data.dump (pg_dump --schema-only / --data-only)
// instead of the lists; nothing reads them, every restore uses full.dump.
inline constexpr char kRevisionFile[] = "revision.txt";

struct BackupResult {
  std::string dir;  // the final directory
  Manifest manifest;
  nlohmann::json squash_state;  // pg_squash's own state (squash_state.hpp), null without it
};

// What the target's pg_squash extension offers (schema-qualified calls), if installed.
struct ExtensionInfo {
  std::string schema;  // quoted identifier, e.g. "public"
  std::string version;
  std::string call(const std::string& function) const { return schema + "." + function; }
};
std::optional<ExtensionInfo> find_extension(db::Connection& conn, process::Stop* stop);

// The squash_data_fingerprint() rows as JSON [{relation,row_count,hash}], sorted.
nlohmann::json data_fingerprint(db::Connection& conn, const ExtensionInfo& ext,
                                process::Stop* stop);

// Takes a backup (every step above except connect and retention).
BackupResult take_backup(RunContext& ctx);
// Retention for the target (after a successful backup only).
void apply_retention(RunContext& ctx);

// The whole backup job.
void run_backup_job(RunContext& ctx);

}  // namespace squash::jobs
