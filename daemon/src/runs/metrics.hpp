// GET /metrics: Prometheus text exposition format 0.0.4, written by hand.
//
//   squashd_build_info{version}                        1
//   squashd_start_time_seconds                         when squashd started (unix time)
//   squashd_runs_total{target,job,outcome}             counter (counters.hpp: kept across
//                                                      restarts); outcome: succeeded, failed,
//                                                      interrupted, cancelled
//   squashd_runs_running / squashd_runs_queued         gauges
//   squashd_last_success_timestamp_seconds{target,job} gauge
//   squashd_backup_size_bytes{target}                  gauge, the newest backup a run made
//   squashd_backup_duration_seconds{target}            gauge, how long taking it took
//   squashd_backups_unreadable{target}                 gauge, backup directories the newest
//                                                      retention kept unread
//   squashd_probe_up, _duration_seconds, _last_timestamp_seconds{target,probe}: gauges
//   squashd_probe_failures_total{target,probe}         counter (counters.hpp)
#pragma once

#include <string>
#include <vector>

#include "api/types.hpp"
#include "runs/counters.hpp"

namespace squash::runs {

inline constexpr char kMetricsContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// Gauges from `runs` (the runs in memory), counters from `counters`.
std::string render_metrics(const std::vector<api::Run>& runs, const Counters::Values& counters,
                           double start_time_seconds, const std::string& version);

// A label value escaped for the text format (\\, \", \n).
std::string escape_label(const std::string& value);

}  // namespace squash::runs
