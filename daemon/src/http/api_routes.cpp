#include "http/api_routes.hpp"

#include "version.hpp"

namespace squash::http {

Router make_api_router(ApiSources sources) {
  Router router;
  router.add("GET", api::kHealthPath, Router::Access::open, [](const Request&, const PathParams&) {
    return json_response(200, api::Health{"ok", std::string(kVersion)});
  });
  router.add("GET", api::kStatusPath, Router::Access::token,
             [status = std::move(sources.status)](const Request&, const PathParams&) {
               return json_response(200, status());
             });
  return router;
}

}  // namespace squash::http
