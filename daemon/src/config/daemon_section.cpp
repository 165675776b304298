#include "config/loader.hpp"

#include <arpa/inet.h>
#include <cstring>

#include "scheduler/duration.hpp"

namespace squash::config {

void Loader::parse_daemon(const toml::table& t) {
  const std::string where = "[daemon]";
  check_keys(t, where, kDaemonKeys);
  auto& d = cfg_.daemon;
  if (auto* s = get_string(t, where, "listen", false)) parse_listen(*s);
  if (auto p = get_path(t, where, "token_file", false)) d.token_file = *p;
  if (auto p = get_path(t, where, "state_dir", false)) d.state_dir = *p;
  if (auto p = get_path(t, where, "log_file", false)) d.log_file = *p;
  get_choice(t, where, "log_level", kLogLevels, d.log_level);
  get_choice(t, where, "log_format", kLogFormats, d.log_format);
  get_count(t, "max_connections", 1, d.max_connections);
  if (auto v = get_timeout(t, where, "header_timeout", std::chrono::minutes(5)))
    d.header_timeout = *v;
  if (auto v = get_timeout(t, where, "request_timeout", std::chrono::minutes(10)))
    d.request_timeout = *v;
  if (d.request_timeout < d.header_timeout)
    error(pos_of(t.get("request_timeout") ? t.get("request_timeout")->source() : t.source()),
          fmt::format("request_timeout ({}) must not be shorter than header_timeout ({})",
                      scheduler::format_duration(d.request_timeout),
                      scheduler::format_duration(d.header_timeout)));
}

void Loader::parse_listen(const toml::value<std::string>& node) {
  const std::string& v = node.get();
  auto fail = [&](std::string why) {
    error(pos_of(node.source()), fmt::format("listen '{}' {}", v, why));
  };
  std::string host, port;
  if (!v.empty() && v[0] == '[') {
    auto close = v.find(']');
    if (close == std::string::npos || close + 1 >= v.size() || v[close + 1] != ':')
      return fail("is not [address]:port");
    host = v.substr(1, close - 1);
    port = v.substr(close + 2);
  } else {
    auto colon = v.rfind(':');
    if (colon == std::string::npos) return fail("is not host:port (e.g. \"127.0.0.1:8433\")");
    host = v.substr(0, colon);
    port = v.substr(colon + 1);
    if (host.find(':') != std::string::npos)
      return fail("has an IPv6 address without brackets (write \"[::1]:8433\")");
  }
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoi(port) < 1 || std::stoi(port) > 65535)
    return fail("has no valid port (1-65535)");
  if (host == "localhost") host = "127.0.0.1";
  bool loopback = false;
  unsigned char buf[16];
  if (inet_pton(AF_INET, host.c_str(), buf) == 1) {
    loopback = buf[0] == 127;
  } else if (inet_pton(AF_INET6, host.c_str(), buf) == 1) {
    static const unsigned char kLoop6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    loopback = std::memcmp(buf, kLoop6, 16) == 0;
  } else {
    return fail("has no IP address or 'localhost' as host (host names are not resolved)");
  }
  if (!loopback)
    return fail(
        "is not a loopback address: squashd serves HTTP on loopback only (127.0.0.0/8, ::1, "
        "localhost); put a TLS reverse proxy in front of it for remote access");
  cfg_.daemon.listen = v;
  cfg_.daemon.listen_address = host;
  cfg_.daemon.listen_port = static_cast<std::uint16_t>(std::stoi(port));
}

}  // namespace squash::config
