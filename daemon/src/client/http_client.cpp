#include "client/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include "api/version.hpp"

namespace squash::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

std::optional<Url> Url::parse(std::string_view text, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<Url> {
    if (error) *error = fmt::format("bad URL '{}': {}", text, why);
    return std::nullopt;
  };
  constexpr std::string_view kScheme = "http://";
  if (text.substr(0, 8) == "https://")
    return fail("https is not supported; squashd serves plain HTTP on loopback");
  if (text.substr(0, kScheme.size()) != kScheme) return fail("expected http://host:port");
  auto rest = text.substr(kScheme.size());
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  Url url;
  url.base_path = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
  while (!url.base_path.empty() && url.base_path.back() == '/') url.base_path.pop_back();
  std::string_view port;
  if (!authority.empty() && authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return fail("unterminated [ in host");
    url.host = std::string(authority.substr(1, close - 1));
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return fail("expected :port after ]");
      port = after.substr(1);
    }
  } else {
    auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (url.host.empty()) return fail("no host");
  if (port.empty()) port = "80";
  for (char c : port)
    if (c < '0' || c > '9') return fail("port is not a number");
  if (port.size() > 5 || std::stoi(std::string(port)) > 65535) return fail("port out of range");
  url.port = std::string(port);
  return url;
}

std::string Url::to_string() const {
  auto host_part = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return fmt::format("http://{}:{}{}", host_part, port, base_path);
}

namespace {
HttpResult request(const Url& url, bhttp::verb verb, std::string_view path,
                   const std::string& bearer, const std::string* body,
                   std::chrono::milliseconds timeout);
}  // namespace

HttpResult http_get(const Url& url, std::string_view path, const std::string& bearer,
                    std::chrono::milliseconds timeout) {
  return request(url, bhttp::verb::get, path, bearer, nullptr, timeout);
}

HttpResult http_post(const Url& url, std::string_view path, const std::string& bearer,
                     const std::string& json_body, std::chrono::milliseconds timeout) {
  return request(url, bhttp::verb::post, path, bearer, &json_body, timeout);
}

namespace {
HttpResult request(const Url& url, bhttp::verb verb, std::string_view path,
                   const std::string& bearer, const std::string* body,
                   std::chrono::milliseconds timeout) {
  asio::io_context io;
  tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  bhttp::request<bhttp::string_body> req(verb, url.base_path + std::string(path), 11);
  if (body) {
    req.set(bhttp::field::content_type, "application/json");
    req.body() = *body;
    req.prepare_payload();
  }
  req.set(bhttp::field::host, url.host);
  req.set(bhttp::field::user_agent, fmt::format("squashctl/{}", kVersion));
  req.set(bhttp::field::accept, "application/json");
  if (!bearer.empty()) req.set(bhttp::field::authorization, "Bearer " + bearer);
  bhttp::response<bhttp::string_body> res;

  beast::error_code failure;
  const char* stage = "resolve";
  auto fail = [&](beast::error_code ec, const char* where) {
    failure = ec;
    stage = where;
  };
  stream.expires_after(timeout);
  resolver.async_resolve(
      url.host, url.port, [&](beast::error_code ec, tcp::resolver::results_type r) {
        if (ec) return fail(ec, "resolve");
        stream.async_connect(r, [&](beast::error_code ec2, const tcp::endpoint&) {
          if (ec2) return fail(ec2, "connect to");
          bhttp::async_write(stream, req, [&](beast::error_code ec3, std::size_t) {
            if (ec3) return fail(ec3, "send a request to");
            bhttp::async_read(stream, buffer, res, [&](beast::error_code ec4, std::size_t) {
              if (ec4) return fail(ec4, "read the answer from");
              beast::error_code ignored;
              stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
            });
          });
        });
      });
  io.run();
  if (failure) {
    auto why = failure == beast::error::timeout
                   ? fmt::format("no answer within {} ms", timeout.count())
                   : failure.message();
    throw Unreachable(fmt::format("cannot {} squashd at {}: {}", stage, url.to_string(), why));
  }
  return {static_cast<int>(res.result_int()), std::move(res.body())};
}
}  // namespace

}  // namespace squash::client
