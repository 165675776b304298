#include "runtime/fleet_api.hpp"

#include <filesystem>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "control/rollout_rules.hpp"
#include "jobs/schema_diff.hpp"
#include "util/files.hpp"

namespace squash::runtime {

using nlohmann::json;

namespace {

constexpr std::uintmax_t kMaxSnapshotBytes = 1ull << 30;  // as the extension's import bound

http::Response no_control() {
  return http::error_response(404, "no_control",
                              "rollouts and the fleet need a control database ([control] in "
                              "squashd's configuration)");
}

http::Response unavailable(const std::exception& e) {
  return http::error_response(503, "control_unavailable",
                              fmt::format("the control database cannot answer: {}", e.what()));
}

http::Response create(control::Rollouts& rollouts, const std::string& body) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded())
    return http::error_response(400, "bad_request", "the rollout must be a JSON object");
  std::vector<std::string> problems;
  auto spec = control::parse_rollout(parsed, &problems);
  if (!spec)
    return http::error_response(400, "bad_request", fmt::format("{}", fmt::join(problems, "; ")));
  std::error_code ec;
  auto size = std::filesystem::file_size(spec->snapshot_file, ec);
  if (ec || size > kMaxSnapshotBytes)
    return http::error_response(
        422, "refused",
        fmt::format("snapshot_file {}: {}", spec->snapshot_file,
                    ec ? "cannot be read by squashd: " + ec.message() : "larger than 1 GiB"));
  auto document = util::read_file(spec->snapshot_file);
  if (!document)
    return http::error_response(
        422, "refused",
        fmt::format("snapshot_file {} cannot be read by squashd", spec->snapshot_file));
  std::string problem;
  auto fp = control::snapshot_fingerprint(*document, spec->fingerprint, &problem);
  if (!fp)
    return http::error_response(422, "refused",
                                fmt::format("snapshot_file {}: {}", spec->snapshot_file, problem));
  spec->fingerprint = *fp;
  auto created = rollouts.create(*spec, *document);
  if (created.kind == control::Rollouts::Created::Kind::exists)
    return http::json_response(409,
                               {{"error", "exists"},
                                {"message", fmt::format("a rollout named {} exists", spec->name)},
                                {"rollout", created.rollout}});
  spdlog::info("rollout {} created: revision {}, snapshot {}, {} stage(s)", spec->name,
               spec->revision, *fp, spec->stages.size());
  return http::json_response(201, created.rollout);
}

// Each target with what this daemon reads of it live (the targets it can reach).
json fleet_targets(runs::RunManager& runs, const std::string& state_dir, process::Stop& stop) {
  auto rows = runs.rollouts()->fleet_targets();
  for (auto& r : rows) {
    auto target = runs.resolve_target(r["target"].get<std::string>());
    if (!target) {
      r["live"] = nullptr;  // not a target of this daemon
      r["matches_snapshot"] = nullptr;
      continue;
    }
    auto live = jobs::live_state(*target, state_dir, stop);
    r["matches_snapshot"] = live.contains("fingerprint") && live["fingerprint"].is_string()
                                ? json(live["fingerprint"] == r["snapshot_fingerprint"])
                                : json(nullptr);
    r["live"] = std::move(live);
  }
  return {{"targets", rows}};
}

}  // namespace

void add_fleet_sources(http::ApiSources& s, std::function<runs::RunManager*()> runs_of,
                       std::string state_dir, process::Stop* stop) {
  // Every answer needs the control database: on a worker thread, never the event loop.
  auto with = [runs_of](std::function<http::Response(runs::RunManager&)> f) {
    return http::Reply::later([runs_of, f]() -> http::Response {
      auto* runs = runs_of();
      if (!runs || !runs->rollouts()) return no_control();
      try {
        return f(*runs);
      } catch (const std::exception& e) {
        return unavailable(e);
      }
    });
  };
  s.rollouts = [with] {
    return with([](runs::RunManager& r) {
      return http::json_response(200, {{"rollouts", r.rollouts()->list()}});
    });
  };
  s.create_rollout = [with](const std::string& body) {
    return with([body](runs::RunManager& r) { return create(*r.rollouts(), body); });
  };
  s.rollout = [with](const std::string& id) {
    return with([id](runs::RunManager& r) {
      if (auto one = r.rollouts()->get(id)) return http::json_response(200, *one);
      return http::error_response(404, "not_found", fmt::format("no rollout named {}", id));
    });
  };
  s.change_rollout = [with](const std::string& id, bool pause) {
    return with([id, pause](runs::RunManager& r) {
      std::string message;
      auto* ro = r.rollouts();
      auto change = pause ? ro->pause(id, &message) : ro->resume(id, &message);
      if (change == control::Rollouts::Change::not_found)
        return http::error_response(404, "not_found", fmt::format("no rollout named {}", id));
      if (change == control::Rollouts::Change::refused)
        return http::error_response(409, "refused", message);
      spdlog::info("rollout {} {}", id, pause ? "paused" : "resumed");
      return http::json_response(200, *ro->get(id));
    });
  };
  s.fleet_targets = [with, state_dir, stop] {
    return with([state_dir, stop](runs::RunManager& r) {
      return http::json_response(200, fleet_targets(r, state_dir, *stop));
    });
  };
}

}  // namespace squash::runtime
