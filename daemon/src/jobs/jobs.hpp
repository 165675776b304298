// Runs a job: the common prologue (connect with back-off, the target's advisory lock)
// and the job's own steps. Returns normally on success; throws StepFailed, db::PgError
// or db::Stopped otherwise (the run manager maps them to run states).
#pragma once

#include "jobs/run_context.hpp"

namespace squash::jobs {

// pg_try_advisory_lock(kAdvisoryClass, kAdvisoryRun): squashd's session lock on a
// target database for a run's duration (the extension's stamp uses (7420771, 1)).
inline constexpr int kAdvisoryClass = 7420771;
inline constexpr int kAdvisoryRun = 100;

void run_job(RunContext& ctx);

}  // namespace squash::jobs
