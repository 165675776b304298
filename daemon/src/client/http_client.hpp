// squashctl's side of the HTTP API: a small blocking HTTP/1.1 client with a deadline.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace squash::client {

struct Url {
  std::string host;       // "127.0.0.1", "::1", "localhost"
  std::string port;       // "8433"
  std::string base_path;  // "" or "/prefix" (no trailing slash)

  // http://host[:port][/prefix]; https is refused (squashd listens on loopback).
  static std::optional<Url> parse(std::string_view text, std::string* error);
  std::string to_string() const;
};

// The daemon could not be reached (refused, timed out, connection dropped).
class Unreachable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HttpResult {
  int status = 0;
  std::string body;
};

// GET base_path + path; bearer sent as "Authorization: Bearer ..." when not empty.
HttpResult http_get(const Url& url, std::string_view path, const std::string& bearer,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));
// POST base_path + path with a JSON body.
HttpResult http_post(const Url& url, std::string_view path, const std::string& bearer,
                     const std::string& json_body,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace squash::client
