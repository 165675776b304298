#include "http/api_routes.hpp"

#include <fmt/format.h>

#include "api/version.hpp"

namespace squash::http {

namespace {

Response answer(const SubmitAnswer& a) {
  if (a.status >= 400) {
    auto r = json_response(a.status, {{"error", a.error}, {"message", a.message}, {"run", a.id}});
    return r;
  }
  return json_response(a.status, api::RunAccepted{a.id, a.state});
}

}  // namespace

Router make_api_router(ApiSources sources) {
  Router router;
  router.add("GET", api::kHealthPath, Router::Access::open, [](const Request&, const PathParams&) {
    return json_response(200, api::Health{"ok", std::string(kVersion)});
  });
  router.add("GET", api::kStatusPath, Router::Access::token,
             [status = sources.status](const Request&, const PathParams&) {
               return json_response(200, status());
             });
  if (sources.metrics)
    router.add("GET", api::kMetricsPath, Router::Access::open,
               [metrics = sources.metrics](const Request&, const PathParams&) {
                 Response r;
                 r.content_type = "text/plain; version=0.0.4; charset=utf-8";
                 r.body = metrics();
                 return r;
               });
  if (sources.runs)
    router.add("GET", api::kRunsPath, Router::Access::token,
               [runs = sources.runs](const Request&, const PathParams&) {
                 return json_response(200, nlohmann::json{{"runs", runs()}});
               });
  if (sources.run)
    router.add("GET", api::kRunPath, Router::Access::token,
               [run = sources.run](const Request&, const PathParams& p) {
                 auto id = p.at("id");
                 if (auto r = run(id)) return json_response(200, *r);
                 return error_response(404, "not_found", fmt::format("no run with id {}", id));
               });
  if (sources.submit)
    router.add("POST", api::kRunsPath, Router::Access::token,
               [submit = sources.submit](const Request& req, const PathParams&) {
                 api::RunRequest request;
                 try {
                   request = nlohmann::json::parse(req.body).get<api::RunRequest>();
                 } catch (const std::exception& e) {
                   return error_response(
                       400, "bad_request",
                       fmt::format("expected a JSON body {{\"target\": .., \"job\": .., "
                                   "\"params\": {{..}}}}: {}",
                                   e.what()));
                 }
                 return answer(submit(request));
               });
  if (sources.cancel)
    router.add("POST", api::kRunCancelPath, Router::Access::token,
               [cancel = sources.cancel](const Request&, const PathParams& p) {
                 return answer(cancel(p.at("id")));
               });
  if (sources.backups)
    router.add("GET", api::kBackupsPath, Router::Access::token,
               [backups = sources.backups](const Request&, const PathParams& p) {
                 auto name = p.at("name");
                 auto list = backups(name);
                 if (!list)
                   return error_response(404, "not_found", fmt::format("no target named {}", name));
                 return json_response(200, nlohmann::json{{"target", name}, {"backups", *list}});
               });
  if (sources.diff)
    router.add("GET", api::kDiffPath, Router::Access::token,
               [diff = sources.diff](const Request& req, const PathParams& p) -> Reply {
                 auto name = p.at("name");
                 auto query = query_params(req.target);
                 if (!query) return error_response(400, "bad_request", "malformed query string");
                 api::DiffRequest request;
                 for (auto& [key, value] : *query) {
                   if (key == "against") {
                     request.against = value;
                   } else if (key == "format" && (value == "json" || value == "sql")) {
                     request.sql = value == "sql";
                   } else if (key == "allow_destructive" && (value == "true" || value == "false")) {
                     request.allow_destructive = value == "true";
                   } else {
                     return error_response(
                         400, "bad_request",
                         fmt::format("unknown parameter or value: {} (expected against=LABEL, "
                                     "format=json|sql, allow_destructive=true|false)",
                                     key));
                   }
                 }
                 if (request.against.empty())
                   return error_response(400, "bad_request",
                                         "against=LABEL is required: the stored snapshot to "
                                         "compare the target with");
                 if (auto reply = diff(name, request)) return std::move(*reply);
                 return error_response(404, "not_found", fmt::format("no target named {}", name));
               });
  if (sources.rollouts) {
    router.add("GET", api::kRolloutsPath, Router::Access::token,
               [f = sources.rollouts](const Request&, const PathParams&) { return f(); });
    router.add("POST", api::kRolloutsPath, Router::Access::token,
               [f = sources.create_rollout](const Request& req, const PathParams&) {
                 return f(req.body);
               });
    router.add(
        "GET", api::kRolloutPath, Router::Access::token,
        [f = sources.rollout](const Request&, const PathParams& p) { return f(p.at("id")); });
    router.add("POST", api::kRolloutPausePath, Router::Access::token,
               [f = sources.change_rollout](const Request&, const PathParams& p) {
                 return f(p.at("id"), true);
               });
    router.add("POST", api::kRolloutResumePath, Router::Access::token,
               [f = sources.change_rollout](const Request&, const PathParams& p) {
                 return f(p.at("id"), false);
               });
    router.add("GET", api::kFleetTargetsPath, Router::Access::token,
               [f = sources.fleet_targets](const Request&, const PathParams&) { return f(); });
  }
  return router;
}

}  // namespace squash::http
