// Plain request/response values between the Beast server and the API handlers, so the
// handlers unit-test without sockets.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace squash::http {

struct Request {
  std::string method;         // "GET"
  std::string target;         // "/v1/status?x=1"
  std::string authorization;  // the Authorization header, "" when absent
  std::string body;
  std::string remote;  // "127.0.0.1:50312"
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using Handler = std::function<Response(const Request&)>;

Response json_response(int status, const nlohmann::json& body);
// {"error": code, "message": message}
Response error_response(int status, std::string code, std::string message);

}  // namespace squash::http
