#include "journal/journal.hpp"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

#include "util/files.hpp"

namespace squash::journal {

namespace fs = std::filesystem;

std::string make_run_id(std::chrono::sys_seconds queued, std::string_view target,
                        std::string_view job, std::uint64_t seq) {
  using namespace std::chrono;
  auto day = floor<days>(queued);
  year_month_day ymd{day};
  hh_mm_ss hms{queued - day};
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z-{}-{}-{}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count(), target, job,
                     seq);
}

bool reconcile(api::Run& run, const std::string& now) {
  if (run.finished()) return false;
  bool was_running = run.state == api::kRunning;
  run.state = api::kInterrupted;
  run.finished_at = now;
  std::string where;
  for (auto& step : run.steps) {
    if (step.state != "running") continue;
    step.state = api::kInterrupted;
    step.finished_at = now;
    step.error = "squashd stopped during this step";
    where = fmt::format(" during step {}", step.name);
  }
  run.error = was_running
                  ? fmt::format(
                        "interrupted: squashd stopped (crash, kill or power loss) while the "
                        "run was running{}; found at restart",
                        where)
                  : std::string("interrupted: squashd stopped before the queued run started");
  return true;
}

Journal::Journal(std::string dir) : dir_(std::move(dir)) {}

std::string Journal::path_of(const std::string& id) const {
  return dir_ + "/" + id + ".json";
}

std::vector<api::Run> Journal::load(std::vector<std::string>* problems) const {
  std::vector<api::Run> runs;
  std::error_code ec;
  for (auto& entry : fs::directory_iterator(dir_, ec)) {
    auto path = entry.path();
    if (path.extension() != ".json") continue;
    auto text = util::read_file(path.string());
    try {
      if (!text) throw std::runtime_error("cannot read");
      runs.push_back(nlohmann::json::parse(*text).get<api::Run>());
    } catch (const std::exception& e) {
      if (problems) problems->push_back(fmt::format("{}: {}", path.string(), e.what()));
    }
  }
  std::sort(runs.begin(), runs.end(),
            [](const api::Run& a, const api::Run& b) { return a.seq < b.seq; });
  return runs;
}

void Journal::write(const api::Run& run) const {
  util::ensure_dir(dir_);
  util::write_file_atomic(path_of(run.id), nlohmann::json(run).dump(1) + "\n");
}

void Journal::prune(std::vector<api::Run>& runs, std::size_t keep) const {
  if (runs.size() <= keep) return;
  std::size_t excess = runs.size() - keep;
  std::vector<api::Run> kept;
  for (auto& r : runs) {
    if (excess > 0 && r.finished()) {
      std::error_code ec;
      fs::remove(path_of(r.id), ec);
      --excess;
      continue;
    }
    kept.push_back(std::move(r));
  }
  runs = std::move(kept);
}

std::optional<double> average_step_seconds(const std::vector<api::Run>& runs,
                                           std::string_view target, std::string_view step,
                                           std::size_t samples) {
  double total = 0;
  std::size_t n = 0;
  for (auto it = runs.rbegin(); it != runs.rend() && n < samples; ++it) {
    if (it->target != target) continue;
    for (auto& s : it->steps) {
      if (s.name == step && s.state == api::kSucceeded && s.seconds) {
        total += *s.seconds;
        ++n;
        break;
      }
    }
  }
  if (n == 0) return std::nullopt;
  return total / static_cast<double>(n);
}

}  // namespace squash::journal
