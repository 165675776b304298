// GET /metrics: Prometheus text exposition format 0.0.4, written by hand.
//
//   squashd_build_info{version}                        1
//   squashd_start_time_seconds                         when squashd started (unix time)
//   squashd_runs_total{target,job,outcome}             counter; outcome: succeeded, failed,
//                                                      interrupted, cancelled
//   squashd_runs_running / squashd_runs_queued         gauges
//   squashd_last_success_timestamp_seconds{target,job} gauge
//   squashd_backup_size_bytes{target}                  gauge, the newest backup a run made
//   squashd_backup_duration_seconds{target}            gauge, how long taking it took
//   squashd_backups_unreadable{target}                 gauge, backup directories the newest
//                                                      retention kept unread
#pragma once

#include <string>
#include <vector>

#include "api/types.hpp"

namespace squash::runs {

inline constexpr char kMetricsContentType[] = "text/plain; version=0.0.4; charset=utf-8";

std::string render_metrics(const std::vector<api::Run>& runs, double start_time_seconds,
                           const std::string& version);

// A label value escaped for the text format (\\, \", \n).
std::string escape_label(const std::string& value);

}  // namespace squash::runs
