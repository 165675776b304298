#include "probe/endpoint.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace squash::probe {

namespace {

constexpr std::pair<ProbeKind, std::string_view> kKinds[] = {
    {ProbeKind::http, "http"}, {ProbeKind::websocket, "websocket"}, {ProbeKind::tcp, "tcp"}};

bool printable_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f;
  });
}

bool valid_host_name(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  return std::all_of(h.begin(), h.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
  });
}

}  // namespace

std::string_view to_string(ProbeKind kind) {
  for (auto& [k, name] : kKinds)
    if (k == kind) return name;
  return "unknown";
}

std::optional<ProbeKind> parse_probe_kind(std::string_view name) {
  for (auto& [k, n] : kKinds)
    if (n == name) return k;
  return std::nullopt;
}

std::optional<Endpoint> parse_endpoint(ProbeKind kind, std::string_view url, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<Endpoint> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  if (!printable_ascii(url)) return fail("must be printable ASCII without spaces");
  const std::string_view expected = kind == ProbeKind::http        ? "http"
                                    : kind == ProbeKind::websocket ? "ws"
                                                                   : "tcp";
  auto sep = url.find("://");
  if (sep == std::string_view::npos)
    return fail(fmt::format("has no scheme (expected {}://host:port...)", expected));
  std::string scheme(url.substr(0, sep));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  const bool tls = (kind == ProbeKind::http && scheme == "https") ||
                   (kind == ProbeKind::websocket && scheme == "wss");
  if (scheme != expected && !tls)
    return fail(fmt::format("has scheme '{}', but a {} probe needs {}://{}", scheme,
                            to_string(kind), expected,
                            kind == ProbeKind::tcp ? "" : " or " + std::string(expected) + "s://"));
  auto rest = url.substr(sep + 3);
  if (rest.find('#') != std::string_view::npos) return fail("must not have a #fragment");
  auto path_at = rest.find_first_of("/?");
  auto authority = rest.substr(0, path_at);
  if (authority.find('@') != std::string_view::npos)
    return fail(
        "must not hold credentials (user@ or user:password@); send them in a header with "
        "secret_file");
  Endpoint e;
  e.scheme = scheme;
  e.tls = tls;
  std::string_view port;
  if (!authority.empty() && authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("has an unterminated [ in its host");
    e.host = std::string(authority.substr(1, close - 1));
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return fail("needs :port after ]");
      port = after.substr(1);
      if (port.empty()) return fail("has an empty port");
    }
    if (e.host.empty() || e.host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string::npos)
      return fail("has an invalid IPv6 address");
  } else {
    auto colon = authority.find(':');
    if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos)
      return fail("has an IPv6 address without brackets (write [::1]:port)");
    e.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return fail("has an empty port");
    }
    if (!valid_host_name(e.host)) return fail("has no valid host");
  }
  if (port.empty()) {
    if (kind == ProbeKind::tcp) return fail("needs a port (tcp://host:port)");
    port = tls ? "443" : "80";
  }
  if (port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return fail("has a port that is not a number");
  auto number = std::stoi(std::string(port));
  if (number < 1 || number > 65535) return fail("has a port out of range (1-65535)");
  e.port = std::to_string(number);
  e.target = path_at == std::string_view::npos ? "/" : std::string(rest.substr(path_at));
  if (!e.target.empty() && e.target[0] == '?') e.target.insert(0, "/");
  if (kind == ProbeKind::tcp && e.target != "/")
    return fail("is a tcp:// URL and takes no path or query");
  return e;
}

}  // namespace squash::probe
