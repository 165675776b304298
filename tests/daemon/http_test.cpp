#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

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

TEST(Router, QueryParameters) {
  auto q = query_params("/v1/x?against=squashed%20v2&format=sql&empty=&flag");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->at("against"), "squashed v2");
  EXPECT_EQ(q->at("format"), "sql");
  EXPECT_EQ(q->at("empty"), "");
  EXPECT_EQ(q->at("flag"), "");
  EXPECT_EQ(query_params("/v1/x?a=%27%3B+drop")->at("a"), "'; drop");
  EXPECT_TRUE(query_params("/v1/x")->empty());
  EXPECT_FALSE(query_params("/v1/x?a=%2"));   // cut escape
  EXPECT_FALSE(query_params("/v1/x?a=%zz"));  // not hex
  EXPECT_FALSE(query_params("/v1/x?a=1&a=2"));
}

// The diff route: its parameters, and a reply deferred to a worker (run inline by handle).
TEST(ApiRoutes, DiffParametersAndDeferredReply) {
  ApiSources sources;
  sources.status = sample_status;
  api::DiffRequest seen;
  std::string seen_target;
  sources.diff = [&](const std::string& name,
                     const api::DiffRequest& request) -> std::optional<Reply> {
    if (name != "kidney") return std::nullopt;
    return Reply::later([&, name, request] {
      seen = request;
      seen_target = name;
      return json_response(200, {{"differences", 0}});
    });
  };
  auto router = make_api_router(sources);
  const std::string auth = "Bearer tok";
  auto reply = router.dispatch(get("/v1/targets/kidney/diff?against=base", auth), "tok");
  ASSERT_TRUE(reply.work);  // nothing ran yet: the work is for a worker thread
  EXPECT_EQ(seen_target, "");
  EXPECT_EQ(reply.work().status, 200);
  EXPECT_EQ(seen_target, "kidney");
  EXPECT_EQ(seen.against, "base");
  EXPECT_FALSE(seen.sql);
  EXPECT_FALSE(seen.allow_destructive);

  auto r = router.handle(
      get("/v1/targets/kidney/diff?against=a%27b&format=sql&allow_destructive=true", auth), "tok");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(seen.against, "a'b");
  EXPECT_TRUE(seen.sql);
  EXPECT_TRUE(seen.allow_destructive);

  EXPECT_EQ(router.handle(get("/v1/targets/kidney/diff?against=a", ""), "tok").status, 401);
  EXPECT_EQ(router.handle(get("/v1/targets/liver/diff?against=a", auth), "tok").status, 404);
  for (const char* bad :
       {"/v1/targets/kidney/diff",
        "/v1/targets/kidney/diff?against=", "/v1/targets/kidney/diff?against=a&format=yaml",
        "/v1/targets/kidney/diff?against=a&allow_destructive=yes",
        "/v1/targets/kidney/diff?against=a&nope=1", "/v1/targets/kidney/diff?against=%zz"}) {
    r = router.handle(get(bad, auth), "tok");
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(json::parse(r.body)["error"], "bad_request") << bad;
  }
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
  void SetUp() override { start(); }
  void start(Limits limits = {}) {
    server_ = std::make_unique<Server>(
        io_, [this](const Request& r) { return router_.dispatch(r, "tok"); }, limits);
    server_->listen("127.0.0.1", 0);
    thread_ = std::thread([this] { io_.run(); });
    url_.host = "127.0.0.1";
    url_.port = std::to_string(server_->port());
  }
  void stop() {
    if (!thread_.joinable()) return;
    boost::asio::post(io_, [this] { server_->stop(); });
    thread_.join();
    io_.restart();
  }
  void TearDown() override { stop(); }
  // The server again with other limits.
  void restart(Limits limits) {
    stop();
    start(limits);
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

// A deferred reply runs on a worker: the I/O thread answers others meanwhile.
TEST_F(ServerTest, DeferredRepliesLeaveTheServerResponsive) {
  stop();
  std::atomic<bool> entered{false}, release{false};
  router_.add("GET", "/v1/slow", Router::Access::open, [&](const Request&, const PathParams&) {
    return Reply::later([&] {
      entered = true;
      for (int i = 0; i < 1000 && !release; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      return json_response(200, {{"done", release.load()}});
    });
  });
  start();
  client::HttpResult slow;
  std::thread t([&] { slow = client::http_get(url_, "/v1/slow", "", std::chrono::seconds(20)); });
  for (int i = 0; i < 1000 && !entered; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(entered);
  auto health = client::http_get(url_, api::kHealthPath, "");  // while the slow one waits
  EXPECT_EQ(health.status, 200);
  release = true;
  t.join();
  EXPECT_EQ(slow.status, 200);
  EXPECT_EQ(json::parse(slow.body)["done"], true);
}

// --- flood limits, with raw sockets

// A connected loopback socket, closed when it goes.
struct RawSocket {
  explicit RawSocket(std::uint16_t port) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
  }
  RawSocket(RawSocket&& o) noexcept : fd(std::exchange(o.fd, -1)) {}
  ~RawSocket() {
    if (fd >= 0) ::close(fd);
  }
  bool send(std::string_view data) const {
    return ::send(fd, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
  }
  // Reads until the peer closes (true) or nothing came for `patience` (false: still
  // open); *received gets what was read.
  bool wait_closed(std::chrono::seconds patience, std::string* received = nullptr) const {
    timeval tv{static_cast<time_t>(patience.count()), 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[4096];
    for (;;) {
      auto n = ::recv(fd, buf, sizeof buf, 0);
      if (n > 0) {
        if (received) received->append(buf, static_cast<std::size_t>(n));
        continue;
      }
      return n == 0 || errno == ECONNRESET;
    }
  }
  bool open_now() const {
    char c;
    return ::recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK) < 0 && errno == EAGAIN;
  }
  int fd = -1;
};

// Sends `chunk` every 50 ms while it lives, until the peer closes.
class Drip {
 public:
  Drip(const RawSocket& s, std::string chunk)
      : thread_([this, &s, chunk = std::move(chunk)] {
          while (!done_ && s.send(chunk))
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }) {}
  ~Drip() {
    done_ = true;
    thread_.join();
  }

 private:
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// Polls `done` (a safety deadline, not a timing assertion).
bool eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return done();
}

using namespace std::chrono_literals;

TEST_F(ServerTest, ConnectionsOverTheCapAreClosedWithoutBeingRead) {
  restart({4, 60s, 60s});
  auto port = server_->port();
  std::vector<RawSocket> held;
  for (int i = 0; i < 4; ++i) held.emplace_back(port);
  ASSERT_TRUE(eventually([&] { return server_->connections() == 4; }));
  std::vector<RawSocket> extra;
  for (int i = 0; i < 3; ++i) extra.emplace_back(port);
  for (auto& s : extra) {
    std::string answer;
    EXPECT_TRUE(s.wait_closed(20s, &answer)) << "a connection over the cap stayed open";
    EXPECT_EQ(answer.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u) << answer;
  }
  for (auto& s : held) EXPECT_TRUE(s.open_now()) << "a connection under the cap was closed";
  EXPECT_EQ(server_->connections(), 4u);

  held.clear();
  extra.clear();
  ASSERT_TRUE(eventually([&] { return server_->connections() == 0; }));
  EXPECT_EQ(client::http_get(url_, api::kHealthPath, "").status, 200);
}

TEST_F(ServerTest, AHeaderSentSlowlyIsCutOffAtTheHeaderTimeout) {
  restart({8, 300ms, 60s});
  RawSocket s(server_->port());
  ASSERT_TRUE(s.send("GET /v1/health HTTP/1.1\r\nHost: x\r\n"));
  std::string answer;
  {
    Drip drip(s, "X-Drip: 1\r\n");  // never idle, never complete
    EXPECT_TRUE(s.wait_closed(20s, &answer)) << "the half-sent header kept the connection";
  }
  EXPECT_EQ(answer, "");
  EXPECT_EQ(client::http_get(url_, api::kHealthPath, "").status, 200);
}

TEST_F(ServerTest, ABodySentSlowlyIsCutOffAtTheRequestTimeout) {
  restart({8, 300ms, 600ms});
  RawSocket s(server_->port());
  ASSERT_TRUE(s.send("POST /v1/runs HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"));
  Drip drip(s, "x");
  EXPECT_TRUE(s.wait_closed(20s)) << "the slow body kept the connection";
}

TEST(Server, ConnectionCapLeavesDescriptorsForRuns) {
  EXPECT_EQ(connection_cap(64, 1024), 64u);
  EXPECT_EQ(connection_cap(64, 200), 50u);
  EXPECT_EQ(connection_cap(64, 3), 1u);
  EXPECT_EQ(connection_cap(64, std::uint64_t(1) << 40), 64u);
}

// Out of descriptors, accept fails at once for as long as the listening socket has a
// connection waiting. In a child process (its own descriptor limit and log file) every
// descriptor is used up for 1.5 s while a request waits: the log must say so a bounded
// number of times, and the request must be answered once descriptors are free again.
TEST(Server, AcceptBacksOffWhenOutOfDescriptors) {
  auto dir = std::filesystem::temp_directory_path() /
             ("squashd_http_emfile." + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto log_path = (dir / "child.log").string();
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(pipefd[0]);
    auto logger = spdlog::basic_logger_st("emfile", log_path, true);
    logger->set_pattern("%l %v");
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(logger);
    boost::asio::io_context io;
    Server server(io, [](const Request&) { return json_response(200, {{"status", "ok"}}); });
    server.listen("127.0.0.1", 0);
    rlimit low{256, 256};
    ::setrlimit(RLIMIT_NOFILE, &low);
    std::vector<int> filler;
    for (int fd; (fd = ::dup(0)) >= 0;) filler.push_back(fd);
    if (errno != EMFILE || filler.empty()) ::_exit(3);
    std::uint16_t port = server.port();
    if (::write(pipefd[1], &port, sizeof port) != sizeof port) ::_exit(4);
    boost::asio::steady_timer release(io);
    release.expires_after(1500ms);
    release.async_wait([&](const boost::system::error_code&) {
      for (int fd : filler) ::close(fd);
    });
    boost::asio::steady_timer give_up(io);
    give_up.expires_after(30s);
    give_up.async_wait([&](const boost::system::error_code&) { io.stop(); });
    io.run();
    ::_exit(0);
  }
  ::close(pipefd[1]);
  std::uint16_t port = 0;
  bool got_port = ::read(pipefd[0], &port, sizeof port) == sizeof port;
  ::close(pipefd[0]);
  std::string answer;
  if (got_port) {
    RawSocket s(port);
    EXPECT_TRUE(s.send("GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    EXPECT_TRUE(s.wait_closed(20s, &answer));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(got_port) << "the child could not use up its descriptors (status " << status << ")";
  EXPECT_EQ(answer.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << answer;

  std::ifstream in(log_path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::filesystem::remove_all(dir);
  std::string all;
  for (auto& l : lines) all += l + "\n";
  EXPECT_LE(lines.size(), 3u) << all;  // spinning would log thousands
  ASSERT_GE(lines.size(), 2u) << all;
  EXPECT_NE(lines.front().find("warning http: accept failed: Too many open files"),
            std::string::npos)
      << all;
  EXPECT_NE(lines.back().find("info http: accepting again after"), std::string::npos) << all;
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
