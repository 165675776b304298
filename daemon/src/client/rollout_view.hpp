// How squashctl prints rollouts (squashctl rollout status) and the fleet's targets
// (squashctl fleet status), from the daemon's JSON answers.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace squash::client {

// One line a rollout: NAME, STATE, STAGE, REVISION, and per stage stamped/total.
std::string format_rollouts(const nlohmann::json& rollouts);
// One rollout: its stages with their counts, every target with its state and, for a
// failed one, its error and the guard's differences.
std::string format_rollout(const nlohmann::json& rollout);
// TARGET, ROLLOUT, STAGE, STATE, REVISION (live), SNAPSHOT (live fingerprint equals the
// rollout's: yes/no/-), LAST BACKUP, LAST RUN.
std::string format_fleet_targets(const nlohmann::json& answer);

}  // namespace squash::client
