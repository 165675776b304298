// The fleet's endpoints (docs/squashd.md, "Rollouts"): /v1/rollouts and /v1/fleet/targets,
// answered from the control database on an HTTP worker thread.
#pragma once

#include <functional>
#include <string>

#include "http/api_routes.hpp"
#include "runs/manager.hpp"

namespace squash::runtime {

// Fills the rollout and fleet sources of `s`; runs() gives the run manager (null before
// the start), state_dir the daemon's, stop fires at shutdown.
void add_fleet_sources(http::ApiSources& s, std::function<runs::RunManager*()> runs,
                       std::string state_dir, process::Stop* stop);

}  // namespace squash::runtime
