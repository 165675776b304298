// Maps method + path to handlers, with path parameters ("/v1/runs/{id}") and the
// bearer-token check for routes that need it. 404 / 405 / 401 answers are JSON.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace squash::http {

using PathParams = std::map<std::string, std::string, std::less<>>;

class Router {
 public:
  enum class Access { open, token };
  using RouteHandler = std::function<Reply(const Request&, const PathParams&)>;

  void add(std::string method, std::string_view pattern, Access access, RouteHandler handler);
  // `token` is the API token in force; an empty one refuses every token route. The reply
  // may be work for a worker thread (Reply::later).
  Reply dispatch(const Request& request, std::string_view token) const;
  // dispatch(), with deferred work run here (tests, callers without workers).
  Response handle(const Request& request, std::string_view token) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{name}" captures one segment
    Access access;
    RouteHandler handler;
  };
  std::vector<Route> routes_;
};

// Splits "/a/b?x" into {"a", "b"}.
std::vector<std::string> path_segments(std::string_view target);
// The query of "/a?x=1&y=%2F" as {"x": "1", "y": "/"} ('+' is a space); nullopt when a
// %-escape is malformed or a name repeats.
std::optional<std::map<std::string, std::string, std::less<>>> query_params(
    std::string_view target);

}  // namespace squash::http
