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

// What a handler gives back: the Response now, or work the server runs on a worker thread
// (a query on a target can take seconds; the I/O thread must not wait for it) whose
// Response it writes when done. Converts from a Response, so most handlers return one.
struct Reply {
  Reply() = default;
  Reply(Response r) : response(std::move(r)) {}  // NOLINT: implicit on purpose
  static Reply later(std::function<Response()> work) {
    Reply r;
    r.work = std::move(work);
    return r;
  }
  Response response;
  std::function<Response()> work;  // set: run it off the I/O thread, answer with its result
};

using Handler = std::function<Reply(const Request&)>;

Response json_response(int status, const nlohmann::json& body);
// {"error": code, "message": message}
Response error_response(int status, std::string code, std::string message);

}  // namespace squash::http
