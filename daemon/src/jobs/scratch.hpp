// Scratch databases of a run (the restore drill's copy, the rebuild's rehearsal): named
// exactly after the run, quoted wherever used, and dropped by that exact name only —
// never found by a pattern another target's (or another squashd's) scratch database
// could match. The name is recorded in state_dir/scratch/<target>.<kind> before the
// database is created and forgotten once it is dropped, so the next run of that kind on
// the target drops the leftover of a crashed run, by its name.
#pragma once

#include <optional>
#include <string>

#include "db/connection.hpp"
#include "jobs/run_context.hpp"

namespace squash::jobs {

// prefix + run id, or, when that is longer than PostgreSQL's 63 bytes, prefix + the
// start of the run id + "_" + the first 8 hex digits of its SHA-256.
std::string scratch_database_name(const std::string& prefix, const std::string& run_id);

class ScratchDatabase {
 public:
  ScratchDatabase(const RunContext& ctx, const std::string& prefix, const std::string& kind);
  const std::string& name() const { return name_; }

  // Drops the database an earlier run recorded and did not drop; returns its name.
  std::optional<std::string> drop_leftover(db::Connection& maint);
  // Records the name, then CREATE DATABASE name options (quoted by the caller).
  void create(db::Connection& maint, const std::string& options, process::Stop* stop);
  // DROP DATABASE IF EXISTS name WITH (FORCE), then forgets the name.
  void drop(db::Connection& maint);

 private:
  std::string name_;
  std::string ledger_;
};

}  // namespace squash::jobs
