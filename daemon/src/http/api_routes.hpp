// squashd's HTTP API endpoints (DESIGN.md): which path answers what.
#pragma once

#include <functional>

#include "api/types.hpp"
#include "http/router.hpp"

namespace squash::http {

struct ApiSources {
  std::function<api::Status()> status;  // the daemon's state, taken at request time
};

Router make_api_router(ApiSources sources);

}  // namespace squash::http
