// The application probes of a target ([[target.probe]]) inside a run: after the
// database checks of a validate step, after a rollback, and as the probe job.
#pragma once

#include <string>

#include "jobs/run_context.hpp"

namespace squash::jobs {

// Runs every probe of the target as step `step` (nothing when it has none), records
// each result on the run, and throws StepFailed naming the probes that failed.
void run_probes(RunContext& ctx, const std::string& step = "probe");

// After a rollback: runs the probes again as step "rollback-probe" and notes the
// outcome; never throws (the run has already failed).
void probe_after_rollback(RunContext& ctx);

// The probe job: the probes alone, no database connection and no lock on it.
void run_probe_job(RunContext& ctx);

}  // namespace squash::jobs
