// An application probe as configured ([[target.probe]]): what to reach after a job's
// database checks and what answer counts as healthy.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace squash::probe {

enum class ProbeKind { http, websocket, tcp };
std::string_view to_string(ProbeKind kind);
std::optional<ProbeKind> parse_probe_kind(std::string_view name);

// Where a probe connects: http(s)://, ws(s):// or tcp://.
struct Endpoint {
  std::string scheme;  // "http", "https", "ws", "wss", "tcp"
  bool tls = false;    // https, wss
  std::string host;    // a name, an IPv4 literal or an IPv6 literal without brackets
  std::string port;    // digits
  std::string target;  // path and query, "/" when none (unused for tcp)
};

// The placeholder a header value uses for the content of secret_file.
inline constexpr std::string_view kSecretPlaceholder = "{secret}";

struct ProbeSpec {
  std::string name;
  ProbeKind kind = ProbeKind::http;
  std::string url;  // as written; holds no credentials
  Endpoint endpoint;
  std::string method = "GET";  // http: GET or HEAD
  int expect_status = 200;     // http
  // http: the body must contain it; websocket / tcp: the reply must contain it.
  std::optional<std::string> expect_reply;
  std::optional<std::string> send;  // websocket / tcp: sent once connected
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
  // http / websocket request headers; a value may hold {secret}.
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<std::string> secret_file;  // read when the probe runs, never logged
  // https / wss: the CA certificates (PEM) to trust instead of the system's.
  std::optional<std::string> ca_file;
};

}  // namespace squash::probe
