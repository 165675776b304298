// The run journal: one JSON file per run, state_dir/runs/<id>.json, rewritten atomically
// and durably (temp file, fsync, rename, fsync dir) at every transition: queued, each
// step's start ("started" record, on disk before the step does anything), each step's
// end, and the run's end. Progress ticks live in memory only.
//
// At boot every record still queued or running is reconciled to "interrupted" (never
// success): squashd died under it. Its partial backup directory is removed.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/types.hpp"

namespace squash::journal {

// "20261124T020000Z-kidney-backup-17": the UTC time it was queued, target, job and a
// sequence number that only grows (unique even when the clock steps back).
std::string make_run_id(std::chrono::sys_seconds queued, std::string_view target,
                        std::string_view job, std::uint64_t seq);

// A record found queued or running at boot becomes interrupted, with its running step;
// returns whether it changed. `now` is an ISO-8601 UTC time.
bool reconcile(api::Run& run, const std::string& now);

class Journal {
 public:
  explicit Journal(std::string dir);
  const std::string& dir() const { return dir_; }
  std::string path_of(const std::string& id) const;

  // Every readable record, oldest (lowest seq) first; files that cannot be parsed are
  // named in *problems and left alone.
  std::vector<api::Run> load(std::vector<std::string>* problems = nullptr) const;
  // Throws std::runtime_error when the record cannot be made durable.
  void write(const api::Run& run) const;
  // Deletes the records of the oldest finished runs beyond `keep`.
  void prune(std::vector<api::Run>& runs, std::size_t keep) const;

 private:
  std::string dir_;
};

// The average duration of a step that succeeded in the last `samples` runs of a target
// that ran it, or nullopt without history.
std::optional<double> average_step_seconds(const std::vector<api::Run>& runs,
                                           std::string_view target, std::string_view step,
                                           std::size_t samples = 5);

}  // namespace squash::journal
