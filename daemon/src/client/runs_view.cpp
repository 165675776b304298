#include "client/runs_view.hpp"
#include "util/format.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace squash::client {

std::string table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths(rows.empty() ? 0 : rows[0].size(), 0);
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], r[i].size());
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (std::size_t i = 0; i < r.size(); ++i)
      line += i + 1 < r.size() ? fmt::format("{:<{}}  ", r[i], widths[i]) : r[i];
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string shorten(const std::string& s, std::size_t n) {
  return s.size() <= n ? s : s.substr(0, n - 3) + "...";
}

std::string clock_duration(double seconds) {
  auto total = static_cast<long long>(std::max(0.0, seconds) + 0.5);
  long long h = total / 3600, m = total / 60 % 60, sec = total % 60;
  return h > 0 ? fmt::format("{}:{:02}:{:02}", h, m, sec) : fmt::format("{}:{:02}", m, sec);
}

std::string progress_line(const api::Progress& p, int width, int tick) {
  std::string bar(static_cast<std::size_t>(width), '.');
  std::string rate = util::human_bytes(static_cast<std::uint64_t>(p.bytes_per_second));
  if (p.percent && p.expected_bytes) {
    auto filled = static_cast<std::size_t>(*p.percent / 100.0 * width);
    for (std::size_t i = 0; i < filled && i < bar.size(); ++i) bar[i] = '#';
    return fmt::format("[{}] {:>3.0f}%  {} of {}  {}/s  {}", bar, *p.percent,
                       util::human_bytes(p.bytes), util::human_bytes(*p.expected_bytes), rate,
                       p.eta_seconds ? clock_duration(*p.eta_seconds) + " left"
                                     : std::string("larger than last time"));
  }
  // No earlier run to compare with: show a block moving along the bar.
  int block = std::max(3, width / 6);
  int span = width - block;
  int pos = span > 0 ? tick % (2 * span) : 0;
  if (pos > span) pos = 2 * span - pos;
  for (int i = 0; i < block && pos + i < width; ++i) bar[static_cast<std::size_t>(pos + i)] = '#';
  return fmt::format("[{}] {:>10}  {:>10}/s  {} elapsed", bar, util::human_bytes(p.bytes), rate,
                     clock_duration(p.elapsed_seconds));
}

std::string progress_text(const api::Progress& p) {
  std::string rate = util::human_bytes(static_cast<std::uint64_t>(p.bytes_per_second));
  if (p.percent && p.expected_bytes)
    return fmt::format("{:.0f}%, {} of {}, {}/s, {}", *p.percent, util::human_bytes(p.bytes),
                       util::human_bytes(*p.expected_bytes), rate,
                       p.eta_seconds ? clock_duration(*p.eta_seconds) + " left"
                                     : std::string("larger than last time"));
  return fmt::format("{}, {}/s, {} elapsed (no earlier backup to estimate from)",
                     util::human_bytes(p.bytes), rate, clock_duration(p.elapsed_seconds));
}

std::string format_runs(const std::vector<api::Run>& runs) {
  if (runs.empty()) return "no runs\n";
  std::vector<std::vector<std::string>> rows = {
      {"ID", "TARGET", "JOB", "STATE", "STARTED", "FINISHED", "ERROR"}};
  for (const auto& r : runs)
    rows.push_back({r.id, r.target, r.job, r.state, r.started_at.value_or("-"),
                    r.finished_at.value_or("-"), shorten(r.error.value_or(""), 70)});
  return table(rows);
}

std::string format_run(const api::Run& r) {
  std::string out = fmt::format("run {}\n  target {}, job {}, {} (trigger {})\n", r.id, r.target,
                                r.job, r.state, r.trigger);
  out += fmt::format("  queued {}, started {}, finished {}\n", r.queued_at,
                     r.started_at.value_or("-"), r.finished_at.value_or("-"));
  if (r.window_end) out += fmt::format("  window ends {}\n", *r.window_end);
  if (r.backup) out += fmt::format("  backup {}\n", *r.backup);
  if (r.error) out += fmt::format("  error: {}\n", *r.error);
  for (const auto& n : r.notes) out += fmt::format("  note: {}\n", n);
  if (r.steps.empty()) return out;
  std::vector<std::vector<std::string>> rows = {{"  STEP", "STATE", "SECONDS", "DETAIL"}};
  for (const auto& s : r.steps) {
    std::string detail = s.error ? "error: " + *s.error : s.detail.value_or("");
    if (s.progress && s.state == api::kRunning)
      detail = progress_text(*s.progress) + (detail.empty() ? "" : "; " + detail);
    rows.push_back(
        {"  " + s.name, s.state, s.seconds ? fmt::format("{:.1f}", *s.seconds) : "-", detail});
  }
  out += table(rows);
  if (!r.probes.empty()) out += format_probes(r.probes);
  return out;
}

std::string format_probes(const std::vector<api::ProbeResult>& probes) {
  std::vector<std::vector<std::string>> rows = {
      {"  PROBE", "KIND", "STEP", "RESULT", "SECONDS", "URL", "DETAIL"}};
  for (const auto& p : probes) {
    std::string detail = p.error                        ? *p.error
                         : p.status && p.kind == "http" ? fmt::format("status {}", *p.status)
                         : p.reply                      ? "reply: " + *p.reply
                                                        : "";
    rows.push_back({"  " + p.name, p.kind, p.step, p.ok ? "pass" : "FAIL",
                    fmt::format("{:.3f}", p.seconds), p.url, shorten(detail, 90)});
  }
  return table(rows);
}

std::string format_backups(const std::string& target, const std::vector<api::Backup>& backups) {
  if (backups.empty()) return fmt::format("no verified backups of {}\n", target);
  std::vector<std::vector<std::string>> rows = {
      {"COMPLETED", "SIZE", "REVISION", "PINNED", "DIRECTORY"}};
  for (const auto& b : backups) {
    std::string rev;
    for (auto& r : b.revisions) rev += (rev.empty() ? "" : ",") + r;
    rows.push_back({b.completed_at, util::human_bytes(b.size_bytes), rev.empty() ? "none" : rev,
                    b.pinned ? "yes" : "", b.directory});
  }
  return table(rows);
}

}  // namespace squash::client
