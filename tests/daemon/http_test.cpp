#include <gtest/gtest.h>

#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <nlohmann/json.hpp>

#include "api/types.hpp"
#include "client/http_client.hpp"
#include "http/api_routes.hpp"
#include "http/auth.hpp"
#include "http/router.hpp"
#include "http/server.hpp"

namespace squash::http {
namespace {

using nlohmann::json;

TEST(Auth, ConstantTimeEqual) {
  EXPECT_TRUE(constant_time_equal("s3cret", "s3cret"));
  EXPECT_FALSE(constant_time_equal("s3cre", "s3cret"));
  EXPECT_FALSE(constant_time_equal("s3cret!", "s3cret"));
  EXPECT_FALSE(constant_time_equal("S3cret", "s3cret"));
  EXPECT_FALSE(constant_time_equal("", "s3cret"));
  EXPECT_TRUE(constant_time_equal("", ""));
}

TEST(Auth, BearerToken) {
  EXPECT_EQ(bearer_token("Bearer abc"), "abc");
  EXPECT_EQ(bearer_token("bearer   abc "), "abc");
  EXPECT_FALSE(bearer_token("Basic abc"));
  EXPECT_FALSE(bearer_token("Bearer "));
  EXPECT_FALSE(bearer_token(""));
}

api::Status sample_status() {
  api::Status s;
  s.version = "9.9.9";
  s.targets = {"kidney"};
  return s;
}

Router api_router() {
  ApiSources sources;
  sources.status = sample_status;
  return make_api_router(sources);
}

Request get(std::string target, std::string authorization = "") {
  return Request{"GET", std::move(target), std::move(authorization), "", "test"};
}

TEST(ApiRoutes, HealthIsOpen) {
  auto r = api_router().handle(get("/v1/health"), "tok");
  EXPECT_EQ(r.status, 200);
  auto body = json::parse(r.body);
  EXPECT_EQ(body["status"], "ok");
  EXPECT_FALSE(body["version"].get<std::string>().empty());
}

TEST(ApiRoutes, StatusNeedsTheToken) {
  auto router = api_router();
  auto r = router.handle(get("/v1/status"), "tok");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(json::parse(r.body)["error"], "unauthorized");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "WWW-Authenticate");
  EXPECT_EQ(router.handle(get("/v1/status", "Bearer wrong"), "tok").status, 401);
  EXPECT_EQ(router.handle(get("/v1/status", "Basic dG9r"), "tok").status, 401);
  // no token configured: nobody gets in
  EXPECT_EQ(router.handle(get("/v1/status", "Bearer "), "").status, 401);
  r = router.handle(get("/v1/status?verbose=1", "Bearer tok"), "tok");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body).get<api::Status>().targets, std::vector<std::string>{"kidney"});
}

TEST(ApiRoutes, UnknownPathAndWrongMethod) {
  auto router = api_router();
  auto r = router.handle(get("/v1/nothing"), "tok");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(json::parse(r.body)["error"], "not_found");
  EXPECT_EQ(json::parse(r.body)["message"], "no such endpoint: /v1/nothing");
  r = router.handle(Request{"POST", "/v1/health", "", "", ""}, "tok");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers.at(0), (std::pair<std::string, std::string>{"Allow", "GET"}));
}

TEST(Router, PathParameters) {
  Router router;
  router.add("GET", "/v1/runs/{id}", Router::Access::open, [](const Request&, const PathParams& p) {
    return json_response(200, {{"id", p.at("id")}});
  });
  auto r = router.handle(get("/v1/runs/42"), "");
  EXPECT_EQ(json::parse(r.body)["id"], "42");
  EXPECT_EQ(router.handle(get("/v1/runs"), "").status, 404);
  EXPECT_EQ(router.handle(get("/v1/runs/42/x"), "").status, 404);
}

// A real server on an ephemeral loopback port, driven by squashctl's client.
class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<Server>(
        io_, [this](const Request& r) { return router_.handle(r, "tok"); });
    server_->listen("127.0.0.1", 0);
    thread_ = std::thread([this] { io_.run(); });
    url_.host = "127.0.0.1";
    url_.port = std::to_string(server_->port());
  }
  void TearDown() override {
    boost::asio::post(io_, [this] { server_->stop(); });
    thread_.join();
  }

  boost::asio::io_context io_;
  Router router_ = api_router();
  std::unique_ptr<Server> server_;
  std::thread thread_;
  client::Url url_;
};

TEST_F(ServerTest, AnswersHealthStatusAndErrorsOverHttp) {
  auto r = client::http_get(url_, api::kHealthPath, "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["status"], "ok");
  EXPECT_EQ(client::http_get(url_, api::kStatusPath, "").status, 401);
  EXPECT_EQ(client::http_get(url_, api::kStatusPath, "nope").status, 401);
  r = client::http_get(url_, api::kStatusPath, "tok");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["version"], "9.9.9");
  EXPECT_EQ(client::http_get(url_, "/v2/whatever", "tok").status, 404);
}

TEST(Server, RefusesAnAddressInUse) {
  boost::asio::io_context io;
  Server a(io, [](const Request&) { return Response{}; });
  a.listen("127.0.0.1", 0);
  Server b(io, [](const Request&) { return Response{}; });
  EXPECT_THROW(b.listen("127.0.0.1", a.port()), std::runtime_error);
}

TEST(Client, UnreachableDaemon) {
  std::uint16_t port;
  {
    boost::asio::io_context io;
    Server s(io, [](const Request&) { return Response{}; });
    s.listen("127.0.0.1", 0);
    port = s.port();
  }
  client::Url url{"127.0.0.1", std::to_string(port), ""};
  EXPECT_THROW(client::http_get(url, api::kHealthPath, ""), client::Unreachable);
}

TEST(Client, ParsesUrls) {
  std::string error;
  auto u = client::Url::parse("http://127.0.0.1:8433", &error);
  ASSERT_TRUE(u) << error;
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, "8433");
  EXPECT_EQ(u->base_path, "");
  u = client::Url::parse("http://[::1]:9000/squash/", &error);
  ASSERT_TRUE(u) << error;
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->base_path, "/squash");
  EXPECT_EQ(u->to_string(), "http://[::1]:9000/squash");
  u = client::Url::parse("http://localhost", &error);
  ASSERT_TRUE(u);
  EXPECT_EQ(u->port, "80");
  EXPECT_FALSE(client::Url::parse("https://127.0.0.1:8433", &error));
  EXPECT_NE(error.find("https is not supported"), std::string::npos);
  EXPECT_FALSE(client::Url::parse("127.0.0.1:8433", &error));
  EXPECT_FALSE(client::Url::parse("http://127.0.0.1:port", &error));
  EXPECT_FALSE(client::Url::parse("http://:8433", &error));
}

}  // namespace
}  // namespace squash::http
