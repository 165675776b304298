#include "http/router.hpp"

#include <fmt/format.h>

#include "http/auth.hpp"

namespace squash::http {

Response json_response(int status, const nlohmann::json& body) {
  Response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return r;
}

Response error_response(int status, std::string code, std::string message) {
  return json_response(status, {{"error", std::move(code)}, {"message", std::move(message)}});
}

std::vector<std::string> path_segments(std::string_view target) {
  auto path = target.substr(0, target.find_first_of("?#"));
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < path.size()) {
    auto slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) out.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

void Router::add(std::string method, std::string_view pattern, Access access,
                 RouteHandler handler) {
  routes_.push_back({std::move(method), path_segments(pattern), access, std::move(handler)});
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

}  // namespace

std::optional<std::map<std::string, std::string, std::less<>>> query_params(
    std::string_view target) {
  std::map<std::string, std::string, std::less<>> out;
  auto q = target.find('?');
  if (q == std::string_view::npos) return out;
  auto query = target.substr(q + 1);
  query = query.substr(0, query.find('#'));
  std::size_t start = 0;
  while (start <= query.size()) {
    auto amp = query.find('&', start);
    if (amp == std::string_view::npos) amp = query.size();
    auto item = query.substr(start, amp - start);
    if (!item.empty()) {
      auto eq = item.find('=');
      auto name = percent_decode(item.substr(0, eq));
      auto value = percent_decode(eq == std::string_view::npos ? "" : item.substr(eq + 1));
      if (!name || !value || !out.emplace(std::move(*name), std::move(*value)).second)
        return std::nullopt;
    }
    start = amp + 1;
  }
  return out;
}

Response Router::handle(const Request& request, std::string_view token) const {
  auto reply = dispatch(request, token);
  return reply.work ? reply.work() : std::move(reply.response);
}

Reply Router::dispatch(const Request& request, std::string_view token) const {
  auto segments = path_segments(request.target);
  std::string allowed;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    PathParams params;
    bool match = true;
    for (std::size_t i = 0; i < segments.size() && match; ++i) {
      const auto& want = route.segments[i];
      if (want.size() > 2 && want.front() == '{' && want.back() == '}')
        params.emplace(want.substr(1, want.size() - 2), segments[i]);
      else
        match = want == segments[i];
    }
    if (!match) continue;
    if (route.method != request.method) {
      allowed += (allowed.empty() ? "" : ", ") + route.method;
      continue;
    }
    if (route.access == Access::token) {
      auto presented = bearer_token(request.authorization);
      if (!presented || token.empty() || !constant_time_equal(*presented, token)) {
        auto r = error_response(401, "unauthorized",
                                presented ? "invalid bearer token"
                                          : "this endpoint needs an Authorization: Bearer token");
        r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"squashd\"");
        return r;
      }
    }
    return route.handler(request, params);
  }
  auto path = request.target.substr(0, request.target.find_first_of("?#"));
  if (!allowed.empty()) {
    auto r = error_response(
        405, "method_not_allowed",
        fmt::format("{} does not accept {} (allowed: {})", path, request.method, allowed));
    r.headers.emplace_back("Allow", allowed);
    return r;
  }
  return error_response(404, "not_found", fmt::format("no such endpoint: {}", path));
}

}  // namespace squash::http
