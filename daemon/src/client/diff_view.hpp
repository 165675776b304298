// How squashctl diff prints GET /v1/targets/{name}/diff for people, and the query it sends.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace squash::client {

// "%"-escapes everything but unreserved characters (RFC 3986), for a query value.
std::string query_escape(std::string_view value);

// One line per difference (kind, identity, change), then each changed attribute's
// old → new; added and removed objects list no attributes (the JSON form has them).
std::string format_diff(const nlohmann::json& answer);

}  // namespace squash::client
