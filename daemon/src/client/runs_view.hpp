// How squashctl prints runs, one run, backups and a running step's progress.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/types.hpp"

namespace squash::client {

// "[#########.........] 1.2 GiB  48.0 MiB/s" (no total known: a moving block)
std::string progress_line(const api::Progress& p, int width, int tick);
// A table: ID, TARGET, JOB, STATE, STARTED, FINISHED, ERROR (shortened).
std::string format_runs(const std::vector<api::Run>& runs);
// One run with its steps, times, progress and errors.
std::string format_run(const api::Run& run);
// The probe results of a run: PROBE, KIND, STEP, RESULT, SECONDS, URL, DETAIL.
std::string format_probes(const std::vector<api::ProbeResult>& probes);
std::string format_backups(const std::string& target, const std::vector<api::Backup>& backups);

}  // namespace squash::client
