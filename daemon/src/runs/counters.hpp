// The `*_total` counters of /metrics, kept so that they only go up: across restarts and
// although the journal forgets old runs (it keeps the newest 1000).
//
// state_dir/counters.json holds every counter's value and the ids of the counted runs that
// the journal still holds; it is rewritten atomically (temp file, fsync, rename, fsync
// dir) after each run ends. A run counts once, when its final record is journaled; at
// start the runs the journal has but the file has not counted (squashd died between the
// two writes, or a run was reconciled to interrupted) are counted then.
//
// A file that cannot be read or parsed is logged as an error, kept as
// counters.json.corrupt, and counting starts again from the runs in the journal: the
// one case where counters go down, which Prometheus reads as a counter reset (as after
// a restart of any exporter without state).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "api/types.hpp"

namespace squash::runs {

class Counters {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;  // in output order
  using Key = std::pair<std::string, Labels>;                       // metric name, labels
  using Values = std::map<Key, std::uint64_t>;

  explicit Counters(std::string path);

  // Reads the file and counts the finished runs of `journal` it has not counted. Call
  // once, before count().
  void load(const std::vector<api::Run>& journal);
  // Counts a finished run (a second call for the same id does nothing) and saves.
  void count(const api::Run& run);
  // Forgets counted ids that are not in `kept` (pruned: they never come back) and saves.
  void forget_except(const std::vector<api::Run>& kept);
  Values values() const;

  // What a finished run adds (an unfinished one: nothing):
  // squashd_runs_total{target,job,outcome} and squashd_probe_failures_total{target,probe}.
  static void add(Values& values, const api::Run& run);

 private:
  void save();  // logs, never throws: what is not saved is recounted from the journal

  std::string path_;
  mutable std::mutex mutex_;
  Values values_;
  std::set<std::string> counted_;
};

}  // namespace squash::runs
