// The pure parts of a rollout (docs/design.md, "Rollouts"): its definition as squashctl
// sends it, each target's state in a stage, the stage's gate and what to queue next.
// No database here; unit-tested.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace squash::control {

// Databases of a [[template]] whose name matches a LIKE pattern.
struct StageMatch {
  std::string template_name;
  std::string pattern = "%";
};

struct StageSpec {
  std::string name;
  std::vector<std::string> targets;  // configured or already expanded target names
  std::vector<StageMatch> match;     // re-evaluated at each step of the rollout
  int parallel = 1;                  // stamps of this stage running at once
  std::chrono::seconds soak{0};      // after the gate passes, before the next stage starts
};

struct RolloutSpec {
  std::string name;
  std::string revision;
  std::string snapshot_file;  // read by the daemon that creates the rollout
  std::string fingerprint;    // expected; empty: the one the document declares
  std::vector<StageSpec> stages;
};

// Reads {"name", "revision", "snapshot_file", "fingerprint"?, "stages":
// [{"name", "targets"?, "match"?: [{"template", "pattern"}], "parallel"?, "soak"?}]}.
// Problems (each naming the JSON path) go to *problems; nullopt when there are any.
std::optional<RolloutSpec> parse_rollout(const nlohmann::json& body,
                                         std::vector<std::string>* problems);
// The fingerprint an exported snapshot declares; nullopt (and *problem) when the text is
// not one, or declares another fingerprint than `expected` (when given).
std::optional<std::string> snapshot_fingerprint(const std::string& document,
                                                const std::string& expected, std::string* problem);
nlohmann::json stages_json(const std::vector<StageSpec>& stages);
std::vector<StageSpec> stages_from_json(const nlohmann::json& stages);

// A rollout: running (the stages advance), paused (nothing new is queued), stopped (a
// target failed: its stage stops until resume), succeeded (every stage passed).
inline constexpr char kRolloutRunning[] = "running";
inline constexpr char kRolloutPaused[] = "paused";
inline constexpr char kRolloutStopped[] = "stopped";
inline constexpr char kRolloutSucceeded[] = "succeeded";

// A target of a rollout: pending (no run yet, or its run was interrupted), queued (its
// stamp run is queued or running), stamped (the run succeeded: stamped and validated),
// failed (guard refused, validation or a probe failed: unstamped).
inline constexpr char kTargetPending[] = "pending";
inline constexpr char kTargetQueued[] = "queued";
inline constexpr char kTargetStamped[] = "stamped";
inline constexpr char kTargetFailed[] = "failed";

// What a target's run state makes of the target: queued/running stay queued, succeeded
// is stamped, interrupted goes back to pending (the next window takes it again), and so
// does a run its maintenance window ended (error); other failures and cancelled are failed.
std::string target_state_after_run(std::string_view run_state, std::string_view error = {});

struct StageTarget {
  std::string target;
  std::string state;
};

struct StagePlan {
  enum class Gate { open, failed, passed } gate = Gate::open;
  std::vector<std::string> to_queue;  // pending targets to queue now, in name order
  std::vector<std::string> failed;    // the targets that stop the stage
};

// The stage's next step: failed when a target failed (nothing more is queued); passed
// when every target is stamped; else up to `parallel` targets queued or running.
StagePlan plan_stage(const std::vector<StageTarget>& targets, int parallel);

// Whether the next stage may start: the gate passed at passed_at, and soak has elapsed.
bool soak_over(std::chrono::sys_seconds passed_at, std::chrono::seconds soak,
               std::chrono::sys_seconds now);

// The guard's differences from a failed stamp's error: the DETAIL lines of "refusing to
// stamp: the live schema differs" (one a difference), empty for any other failure.
std::vector<std::string> guard_differences(std::string_view error);

}  // namespace squash::control
