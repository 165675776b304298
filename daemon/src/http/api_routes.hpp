// squashd's HTTP API endpoints (docs/squashd.md): which path answers what.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "api/types.hpp"
#include "http/router.hpp"

namespace squash::http {

// What POST /v1/runs and POST /v1/runs/{id}/cancel get back from the run manager.
struct SubmitAnswer {
  int status = 202;  // 202 accepted, 409 busy, 404 unknown target, 400 invalid, 503 stopping
  std::string id;
  std::string state;
  std::string error;  // "busy", "not_found", "bad_request", "stopping"
  std::string message;
};

struct ApiSources {
  std::function<api::Status()> status;  // the daemon's state, taken at request time
  std::function<std::vector<api::Run>()> runs;
  std::function<std::optional<api::Run>(const std::string&)> run;
  std::function<SubmitAnswer(const api::RunRequest&)> submit;
  std::function<SubmitAnswer(const std::string&)> cancel;
  // nullopt: no such target
  std::function<std::optional<std::vector<api::Backup>>(const std::string&)> backups;
  std::function<std::string()> metrics;
  // A deferred reply (it queries the target); nullopt: no such target.
  std::function<std::optional<Reply>(const std::string&, const api::DiffRequest&)> diff;
  // Fleet mode (docs/squashd.md, "Rollouts"): each answers in full (404 without [control]).
  std::function<Reply()> rollouts;
  std::function<Reply(const std::string& body)> create_rollout;
  std::function<Reply(const std::string& id)> rollout;
  std::function<Reply(const std::string& id, bool pause)> change_rollout;
  std::function<Reply()> fleet_targets;
};

Router make_api_router(ApiSources sources);

}  // namespace squash::http
