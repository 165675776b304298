// Bearer-token authentication for the HTTP API.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace squash::http {

// Compares without an early exit, so the time taken does not reveal how much matched.
bool constant_time_equal(std::string_view a, std::string_view b);

// The token of an "Authorization: Bearer <token>" header value, or nullopt.
std::optional<std::string_view> bearer_token(std::string_view authorization);

}  // namespace squash::http
