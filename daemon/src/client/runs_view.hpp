// How squashctl prints runs, one run, backups and a running step's progress.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/types.hpp"

namespace squash::client {

// With an estimate: "[#########.........]  45%  1.2 GiB of 2.6 GiB  48.0 MiB/s  0:31 left";
// without (a first backup): a block moving along the bar, the bytes, rate and elapsed time.
std::string progress_line(const api::Progress& p, int width, int tick);
// The same as one plain line for logs: "45%, 1.2 GiB of 2.6 GiB, 48.0 MiB/s, 0:31 left".
std::string progress_text(const api::Progress& p);
// Rows as aligned columns, the first row the header.
std::string table(const std::vector<std::vector<std::string>>& rows);
// s cut to n characters with "..." at the end.
std::string shorten(const std::string& s, std::size_t n);
// "0:07", "12:05", "1:02:03".
std::string clock_duration(double seconds);
// A table: ID, TARGET, JOB, STATE, STARTED, FINISHED, ERROR (shortened).
std::string format_runs(const std::vector<api::Run>& runs);
// One run with its steps, times, progress and errors.
std::string format_run(const api::Run& run);
// The probe results of a run: PROBE, KIND, STEP, RESULT, SECONDS, URL, DETAIL.
std::string format_probes(const std::vector<api::ProbeResult>& probes);
std::string format_backups(const std::string& target, const std::vector<api::Backup>& backups);

}  // namespace squash::client
