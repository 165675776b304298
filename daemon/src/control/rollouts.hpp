// Rollouts in the control database (docs/design.md, "Rollouts"): created from squashctl's
// definition, advanced stage by stage by whichever daemon locks the rollout's row first
// (FOR UPDATE SKIP LOCKED), the stamp of each target queued as a fleet run and claimed
// like any other. Every value reaches SQL as a parameter.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "control/fleet.hpp"
#include "control/rollout_rules.hpp"

namespace squash::control {

class Rollouts {
 public:
  explicit Rollouts(Fleet& fleet) : fleet_(fleet) {}

  struct Created {
    enum class Kind { created, exists } kind;
    nlohmann::json rollout;
  };
  // snapshot: the exported document as squashctl sent it.
  Created create(const RolloutSpec& spec, const std::string& snapshot);

  nlohmann::json list();
  std::optional<nlohmann::json> get(const std::string& id);
  std::optional<std::string> snapshot(const std::string& id);

  enum class Change { done, not_found, refused };
  // Pause: nothing new is queued (runs already queued go on). Resume: a paused or stopped
  // rollout runs again; a stopped stage's failed targets are stamped again.
  Change pause(const std::string& id, std::string* message);
  Change resume(const std::string& id, std::string* message);

  // The databases of a stage's match, found on the template's server: the template's and
  // the stage's patterns, as parameters.
  using Expand = std::function<std::vector<std::string>(const config::TargetTemplate&,
                                                        const std::string& pattern)>;
  // One step of every running rollout this daemon can expand (it has the templates its
  // current stage matches): run outcomes read, new databases added, the gate checked,
  // stamps queued up to the stage's parallel. Returns what happened, for the log.
  std::vector<std::string> advance(const config::Config& config, const Expand& expand);

  // Targets of the templates named, found by any daemon's expansion: name -> template.
  std::map<std::string, std::pair<std::string, std::string>> template_targets(
      const std::vector<std::string>& templates);

  // Per target of any rollout: its stage and state there, last run, last verified backup,
  // the revision its last stamp wrote.
  nlohmann::json fleet_targets();

  // Prometheus lines: squashd_rollout_targets{rollout,stage,state}.
  std::string metrics_text();

 private:
  Fleet& fleet_;
};

}  // namespace squash::control
