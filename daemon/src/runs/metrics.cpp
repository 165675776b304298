#include "runs/metrics.hpp"

#include <map>
#include <set>

#include <fmt/format.h>

#include "jobs/manifest.hpp"
#include "util/format.hpp"

namespace squash::runs {

namespace {

// The steps that take a backup (inspect .. finalize), for the duration gauge; dump-schema,
// dump-data and checksums are those of runs journaled by older versions.
const std::set<std::string> kBackupSteps = {"inspect",   "dump-full", "dump-schema", "dump-data",
                                            "checksums", "verify",    "manifest",    "finalize"};

double unix_seconds(const std::optional<std::string>& iso) {
  if (!iso) return 0;
  auto t = util::parse_utc_iso8601(*iso);
  return t ? static_cast<double>(t->time_since_epoch().count()) : 0;
}

}  // namespace

std::string escape_label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string render_metrics(const std::vector<api::Run>& runs, const Counters::Values& counters,
                           double start_time_seconds, const std::string& version) {
  std::map<std::pair<std::string, std::string>, double> last_success;
  std::map<std::string, std::pair<double, std::uint64_t>> backup;  // target → (finished, bytes)
  std::map<std::string, double> backup_seconds;
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> unreadable;  // → (seq, count)
  long long running = 0, queued = 0;
  // (target, probe) → its newest result
  std::map<std::pair<std::string, std::string>, const api::ProbeResult*> probe_last;
  for (const auto& r : runs)
    for (const auto& p : r.probes) {
      auto& last = probe_last[{r.target, p.name}];
      if (!last || p.at >= last->at) last = &p;
    }
  for (const auto& r : runs) {
    if (r.state == api::kRunning) ++running;
    if (r.state == api::kQueued) ++queued;
    if (r.unreadable_backups) {
      auto& u = unreadable[r.target];
      if (r.seq >= u.first) u = {r.seq, *r.unreadable_backups};
    }
    if (!r.finished()) continue;
    if (r.state == api::kSucceeded) {
      auto& ls = last_success[{r.target, r.job}];
      ls = std::max(ls, unix_seconds(r.finished_at));
    }
    if (r.backup_bytes) {
      double at = unix_seconds(r.finished_at);
      auto it = backup.find(r.target);
      if (it == backup.end() || at >= it->second.first) {
        backup[r.target] = {at, *r.backup_bytes};
        double secs = 0;
        for (auto& s : r.steps)
          if (kBackupSteps.count(s.name) && s.seconds) secs += *s.seconds;
        backup_seconds[r.target] = secs;
      }
    }
  }
  std::string out;
  auto header = [&](const char* name, const char* type, const char* help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  };
  auto counter = [&](const char* name, const char* help) {
    header(name, "counter", help);
    for (const auto& [key, n] : counters) {
      if (key.first != name) continue;
      std::string labels;
      for (const auto& [label, value] : key.second)
        labels += fmt::format("{}{}=\"{}\"", labels.empty() ? "" : ",", label, escape_label(value));
      out += fmt::format("{}{{{}}} {}\n", name, labels, n);
    }
  };
  header("squashd_build_info", "gauge", "squashd's version.");
  out += fmt::format("squashd_build_info{{version=\"{}\"}} 1\n", escape_label(version));
  header("squashd_start_time_seconds", "gauge",
         "When squashd started, in seconds since the epoch.");
  out += fmt::format("squashd_start_time_seconds {:.0f}\n", start_time_seconds);
  counter("squashd_runs_total",
          "Finished runs by target, job and outcome (succeeded, failed, interrupted, cancelled).");
  header("squashd_runs_running", "gauge", "Runs running now.");
  out += fmt::format("squashd_runs_running {}\n", running);
  header("squashd_runs_queued", "gauge", "Runs waiting for their target.");
  out += fmt::format("squashd_runs_queued {}\n", queued);
  header("squashd_last_success_timestamp_seconds", "gauge",
         "When a run of the job last succeeded on the target, in seconds since the epoch.");
  for (auto& [key, t] : last_success)
    out +=
        fmt::format("squashd_last_success_timestamp_seconds{{target=\"{}\",job=\"{}\"}} {:.0f}\n",
                    escape_label(key.first), escape_label(key.second), t);
  header("squashd_backup_size_bytes", "gauge", "Size of the newest backup taken of the target.");
  for (auto& [target, v] : backup)
    out += fmt::format("squashd_backup_size_bytes{{target=\"{}\"}} {}\n", escape_label(target),
                       v.second);
  header("squashd_backup_duration_seconds", "gauge",
         "How long taking the newest backup of the target took.");
  for (auto& [target, secs] : backup_seconds)
    out += fmt::format("squashd_backup_duration_seconds{{target=\"{}\"}} {:.3f}\n",
                       escape_label(target), secs);
  header("squashd_backups_unreadable", "gauge",
         "Backup directories of the target that the newest retention kept because it could not "
         "read and rank them (manifest unreadable, invalid or not matching its files).");
  for (auto& [target, u] : unreadable)
    out += fmt::format("squashd_backups_unreadable{{target=\"{}\"}} {}\n", escape_label(target),
                       u.second);
  header("squashd_probe_up", "gauge",
         "Whether the newest run of the application probe passed (1) or failed (0).");
  for (auto& [key, p] : probe_last)
    out += fmt::format("squashd_probe_up{{target=\"{}\",probe=\"{}\",kind=\"{}\"}} {}\n",
                       escape_label(key.first), escape_label(key.second), escape_label(p->kind),
                       p->ok ? 1 : 0);
  header("squashd_probe_duration_seconds", "gauge",
         "How long the newest run of the application probe took.");
  for (auto& [key, p] : probe_last)
    out += fmt::format("squashd_probe_duration_seconds{{target=\"{}\",probe=\"{}\"}} {:.3f}\n",
                       escape_label(key.first), escape_label(key.second), p->seconds);
  header("squashd_probe_last_timestamp_seconds", "gauge",
         "When the application probe last ran, in seconds since the epoch.");
  for (auto& [key, p] : probe_last)
    out +=
        fmt::format("squashd_probe_last_timestamp_seconds{{target=\"{}\",probe=\"{}\"}} {:.0f}\n",
                    escape_label(key.first), escape_label(key.second),
                    unix_seconds(std::optional<std::string>(p->at)));
  counter("squashd_probe_failures_total", "Failed runs of the application probe.");
  return out;
}

}  // namespace squash::runs
