#include "client/rollout_view.hpp"

#include <fmt/format.h>

#include "client/runs_view.hpp"

namespace squash::client {

using nlohmann::json;

namespace {

std::string text(const json& j, const char* key, const char* none = "-") {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return none;
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string counts(const json& stage) {
  auto& c = stage.at("counts");
  return fmt::format("{} pending, {} running, {} stamped, {} failed", c.value("pending", 0),
                     c.value("running", 0), c.value("stamped", 0), c.value("failed", 0));
}

}  // namespace

std::string format_rollouts(const json& rollouts) {
  if (rollouts.empty()) return "no rollouts\n";
  std::vector<std::vector<std::string>> rows = {
      {"ROLLOUT", "STATE", "STAGE", "REVISION", "STAGES"}};
  for (auto& r : rollouts) {
    std::string stages;
    for (auto& s : r.at("stages")) {
      int total = 0;
      for (auto& [k, v] : s.at("counts").items()) total += v.get<int>();
      stages += fmt::format("{}{} {}/{}", stages.empty() ? "" : ", ", text(s, "name"),
                            s["counts"].value("stamped", 0), total);
    }
    rows.push_back(
        {text(r, "id"), text(r, "state"), text(r, "stage"), text(r, "revision"), stages});
  }
  return table(rows);
}

std::string format_rollout(const json& r) {
  std::string out =
      fmt::format("rollout {}: {}, stage {}\n  revision {}, snapshot {}\n", text(r, "id"),
                  text(r, "state"), text(r, "stage"), text(r, "revision"), text(r, "fingerprint"));
  out += fmt::format("  created {} by {}, updated {}\n", text(r, "created_at"),
                     text(r, "created_by"), text(r, "updated_at"));
  if (r.contains("error") && !r["error"].is_null())
    out += fmt::format("  error: {}\n", text(r, "error"));
  for (auto& s : r.at("stages")) {
    out += fmt::format("stage {}: {} (parallel {}, soak {}): {}\n", text(s, "name"),
                       text(s, "state"), text(s, "parallel"), text(s, "soak"), counts(s));
    std::vector<std::vector<std::string>> rows = {{"  TARGET", "STATE", "RUNS", "RUN", "ERROR"}};
    for (auto& t : s.at("targets"))
      rows.push_back({"  " + text(t, "target"), text(t, "state"), text(t, "runs"), text(t, "run"),
                      shorten(text(t, "error", ""), 80)});
    if (rows.size() > 1) out += table(rows);
    for (auto& t : s.at("targets"))
      if (!t.value("differences", json::array()).empty()) {
        out += fmt::format("  {}: differs from the snapshot:\n", text(t, "target"));
        for (auto& d : t["differences"]) out += fmt::format("    {}\n", d.get<std::string>());
      }
  }
  return out;
}

std::string format_fleet_targets(const json& answer) {
  auto& targets = answer.at("targets");
  if (targets.empty()) return "no targets in any rollout\n";
  std::vector<std::vector<std::string>> rows = {
      {"TARGET", "ROLLOUT", "STAGE", "STATE", "REVISION", "SNAPSHOT", "LAST BACKUP", "LAST RUN"}};
  for (auto& t : targets) {
    std::string revision = "-", matches = "-";
    if (t.contains("live") && t["live"].is_object()) {
      auto& live = t["live"];
      revision = live.contains("error") ? "unreachable" : text(live, "revision");
      if (t["matches_snapshot"].is_boolean())
        matches = t["matches_snapshot"].get<bool>() ? "yes" : "no";
    } else {
      revision = text(t, "stamped_revision") + " (stamped)";
    }
    std::string backup = "-", run = "-";
    if (t["last_verified_backup"].is_object())
      backup = text(t["last_verified_backup"], "finished_at");
    if (t["last_run"].is_object())
      run = fmt::format("{} {} {}", text(t["last_run"], "job"), text(t["last_run"], "state"),
                        text(t["last_run"], "finished_at"));
    rows.push_back({text(t, "target"), text(t, "rollout"), text(t, "stage"), text(t, "state"),
                    revision, matches, backup, run});
  }
  return table(rows);
}

}  // namespace squash::client
