// Application probes: the [[target.probe]] config, probe URLs, masking, running against
// a real local listener, and the metrics they feed.
#include <gtest/gtest.h>

#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "config/config.hpp"
#include "probe/endpoint.hpp"
#include "probe/probe_runner.hpp"
#include "runs/metrics.hpp"

namespace squash::probe {
namespace {

config::LoadResult parse(const std::string& probe_lines) {
  static scheduler::TimeZoneDb zones;
  return config::parse_config(R"([[target]]
name = "kidney"
conninfo = "host=/run/postgresql dbname=kidney user=squash"
backup_dir = "/var/backups/kidney"

)" + probe_lines,
                              "squashd.toml", zones);
}

std::string first_error(const config::LoadResult& r) {
  return r.errors.empty() ? "" : r.errors[0].to_string();
}

TEST(ProbeConfig, ParsesEveryKind) {
  auto r = parse(R"([[target.probe]]
name = "api"
kind = "http"
url = "http://127.0.0.1:8000/api/health?deep=1"
expect_status = 204
timeout = "3s"
headers = { Authorization = "Bearer {secret}", Accept = "application/json" }
secret_file = "/etc/squashd/api-token"

[[target.probe]]
name = "admin"
kind = "http"
method = "HEAD"
url = "http://localhost/admin/"

[[target.probe]]
name = "ws"
kind = "websocket"
url = "ws://[::1]:9000/ws"
send = "ping"
expect_reply = "pong"

[[target.probe]]
name = "cache"
kind = "tcp"
url = "tcp://127.0.0.1:6379"
send = "PING\r\n"
expect_reply = "+PONG"
)");
  ASSERT_TRUE(r.config) << first_error(r);
  const auto& probes = r.config->targets.at(0).probes;
  ASSERT_EQ(probes.size(), 4u);
  EXPECT_EQ(probes[0].endpoint.target, "/api/health?deep=1");
  EXPECT_EQ(probes[0].endpoint.port, "8000");
  EXPECT_EQ(probes[0].expect_status, 204);
  EXPECT_EQ(probes[0].timeout, std::chrono::seconds(3));
  ASSERT_EQ(probes[0].headers.size(), 2u);
  EXPECT_EQ(probes[0].secret_file, "/etc/squashd/api-token");
  EXPECT_EQ(probes[1].method, "HEAD");
  EXPECT_EQ(probes[1].endpoint.port, "80");
  EXPECT_EQ(probes[1].timeout, std::chrono::seconds(10));
  EXPECT_EQ(probes[2].kind, ProbeKind::websocket);
  EXPECT_EQ(probes[2].endpoint.host, "::1");
  EXPECT_EQ(probes[2].send, "ping");
  EXPECT_EQ(probes[3].kind, ProbeKind::tcp);
  EXPECT_EQ(probes[3].send, "PING\r\n");
}

struct BadProbe {
  std::string lines;
  std::string message;
};

TEST(ProbeConfig, RefusesBrokenProbesWithAPosition) {
  const std::vector<BadProbe> cases = {
      {"name = \"a\"\nurl = \"http://x/\"", "missing required key 'kind'"},
      {"name = \"a\"\nkind = \"smtp\"\nurl = \"tcp://x:25\"", "kind 'smtp' is not one of"},
      {"name = \"a\"\nkind = \"http\"\nurl = \"wss://x/\"", "needs http:// or https://"},
      {"name = \"a\"\nkind = \"http\"\nurl = \"http://x/\"\nca_file = \"/ca.pem\"",
       "'ca_file' applies to https:// and wss://"},
      {"name = \"a\"\nkind = \"http\"\nurl = \"http://u:pw@x/\"", "must not hold credentials"},
      {"name = \"a\"\nkind = \"http\"\nurl = \"ws://x/\"", "needs http://"},
      {"name = \"a\"\nkind = \"tcp\"\nurl = \"tcp://x\"", "needs a port"},
      {"name = \"a\"\nkind = \"tcp\"\nurl = \"tcp://x:70000\"", "out of range"},
      {"name = \"a\"\nkind = \"tcp\"\nurl = \"tcp://x:1/p\"", "takes no path"},
      {"name = \"a\"\nkind = \"http\"\nurl = \"http://x/\"\nsend = \"hi\"", "'send' applies"},
      {"name = \"a\"\nkind = \"tcp\"\nurl = \"tcp://x:1\"\nexpect_status = 200",
       "'expect_status' applies"},
      {"name = \"a\"\nkind = \"http\"\nurl = \"http://x/\"\nexpect_status = 99", "100-599"},
      {"name = \"a\"\nkind = \"http\"\nurl = \"http://x/\"\nmethod = \"POST\"",
       "method 'POST' is not one of"},
      {"name = \"a\"\nkind = \"http\"\nurl = \"http://x/\"\ntimeout = \"10\"", "bad timeout"},
      {"name = \"a\"\nkind = \"http\"\nurl = \"http://x/\"\ntimeout = \"1h\"", "bad timeout"},
      {"name = \"a\"\nkind = \"http\"\nurl = \"http://x/\"\nsecret_file = \"/s\"",
       "no header uses {secret}"},
      {"name = \"a\"\nkind = \"http\"\nurl = \"http://x/\"\nheaders = { A = \"{secret}\" }",
       "'secret_file' is not set"},
      {"name = \"a\"\nkind = \"http\"\nurl = \"http://x/\"\nsecret_file = \"rel\"\nheaders = { "
       "A = \"{secret}\" }",
       "absolute path"},
      {"name = \"a\"\nkind = \"http\"\nurl = \"http://x/\"\nheaders = { \"A B\" = \"v\" }",
       "header name"},
      {"name = \"a\"\nkind = \"http\"\nurl = \"http://x/\"\nheaders = { A = \"v\\r\\nX: y\" }",
       "control character"},
      {"name = \"a\"\nkind = \"http\"\nurl = \"http://x/\"\nmethod = \"HEAD\"\nexpect_reply = "
       "\"ok\"",
       "HEAD probe has none"},
      {"name = \"a b\"\nkind = \"http\"\nurl = \"http://x/\"", "probe name"},
      {"name = \"a\"\nkind = \"http\"\nurl = \"http://x/\"\nverb = \"GET\"", "unknown key 'verb'"},
  };
  for (const auto& c : cases) {
    auto r = parse("[[target.probe]]\n" + c.lines + "\n");
    EXPECT_FALSE(r.config) << c.lines;
    ASSERT_FALSE(r.errors.empty()) << c.lines;
    EXPECT_GT(r.errors[0].line, 5) << c.lines;
    EXPECT_NE(r.errors[0].message.find(c.message), std::string::npos)
        << c.lines << "\n  got: " << r.errors[0].to_string();
  }
}

TEST(ProbeConfig, DuplicateProbeNames) {
  auto r = parse(
      "[[target.probe]]\nname = \"a\"\nkind = \"tcp\"\nurl = \"tcp://x:1\"\n"
      "[[target.probe]]\nname = \"a\"\nkind = \"tcp\"\nurl = \"tcp://x:2\"\n");
  EXPECT_FALSE(r.config);
  EXPECT_NE(first_error(r).find("duplicate probe name 'a'"), std::string::npos) << first_error(r);
}

TEST(ProbeConfig, ProbeIsAJob) {
  auto r = parse(R"([[target.probe]]
name = "api"
kind = "http"
url = "http://127.0.0.1:8000/"

[[schedule]]
target = "kidney"
job = "probe"
cron = "*/15 * * * *"
)");
  ASSERT_TRUE(r.config) << first_error(r);
  EXPECT_EQ(r.config->schedules.at(0).job, jobs::JobKind::probe);
}

TEST(ProbeEndpoint, Forms) {
  std::string error;
  auto e = parse_endpoint(ProbeKind::http, "HTTP://example.internal:8080?x=1", &error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->host, "example.internal");
  EXPECT_EQ(e->target, "/?x=1");
  EXPECT_FALSE(parse_endpoint(ProbeKind::http, "http://x/a b", &error));
  EXPECT_FALSE(parse_endpoint(ProbeKind::http, "http://x/#frag", &error));
  EXPECT_FALSE(parse_endpoint(ProbeKind::http, "http://::1/", &error));
  EXPECT_NE(error.find("brackets"), std::string::npos);
  e = parse_endpoint(ProbeKind::websocket, "wss://x/live", &error);
  ASSERT_TRUE(e) << error;
  EXPECT_TRUE(e->tls);
  EXPECT_EQ(e->port, "443");
  EXPECT_FALSE(parse_endpoint(ProbeKind::tcp, "tcps://x:1", &error));
  EXPECT_FALSE(parse_endpoint(ProbeKind::http, "127.0.0.1:80", &error));
  EXPECT_NE(error.find("no scheme"), std::string::npos);
}

TEST(ProbeMask, SecretIsNeverShown) {
  EXPECT_EQ(masked_excerpt("token s3cr3t and s3cr3t again", "s3cr3t", 100),
            "token *** and *** again");
  EXPECT_EQ(masked_excerpt("abc\x01\xff\ndef", "", 100), "abc.. def");
  EXPECT_EQ(masked_excerpt("abcdef", "", 3), "abc...");
  // The secret is masked before the cut, so no prefix of it survives at the end.
  EXPECT_EQ(masked_excerpt("xxs3cr3t", "s3cr3t", 4), "xx**...");
}

ProbeSpec tcp_probe(unsigned short port) {
  ProbeSpec p;
  p.name = "t";
  p.kind = ProbeKind::tcp;
  p.url = "tcp://127.0.0.1:" + std::to_string(port);
  std::string error;
  p.endpoint = *parse_endpoint(ProbeKind::tcp, p.url, &error);
  p.timeout = std::chrono::seconds(2);
  return p;
}

TEST(ProbeRun, RefusedConnectionFails) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  auto port = a.local_endpoint().port();
  a.close();  // nothing listens there now
  auto r = run_probe(tcp_probe(port));
  EXPECT_FALSE(r.ok);
  ASSERT_TRUE(r.error);
  EXPECT_NE(r.error->find("connecting"), std::string::npos) << *r.error;
}

TEST(ProbeRun, TcpSendAndExpect) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor a(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  auto port = a.local_endpoint().port();
  std::thread server([&] {
    for (int i = 0; i < 2; ++i) {
      auto s = a.accept();
      boost::asio::streambuf in;
      boost::system::error_code ec;
      boost::asio::read_until(s, in, "\n", ec);
      std::string line((std::istreambuf_iterator<char>(&in)), {});
      std::string reply = line == "PING\r\n" ? "+PONG\r\n" : "-ERR\r\n";
      boost::asio::write(s, boost::asio::buffer(reply), ec);
    }
  });
  auto p = tcp_probe(port);
  p.send = "PING\r\n";
  p.expect_reply = "+PONG";
  auto good = run_probe(p);
  EXPECT_TRUE(good.ok) << good.error.value_or("");
  EXPECT_EQ(good.reply, "+PONG  ");
  p.send = "HELLO\r\n";
  auto bad = run_probe(p);
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.error.value_or("").find("does not contain the expected '+PONG'"), std::string::npos)
      << bad.error.value_or("");
  server.join();
}

TEST(ProbeMetrics, NewestResultPerProbe) {
  api::Run older, newer;
  older.id = "a";
  older.target = newer.target = "kidney";
  older.job = newer.job = "probe";
  older.state = newer.state = api::kSucceeded;
  api::ProbeResult p;
  p.name = "api";
  p.kind = "http";
  p.ok = false;
  p.at = "2026-11-24T10:00:00Z";
  p.seconds = 1.5;
  older.probes.push_back(p);
  p.ok = true;
  p.at = "2026-11-24T11:00:00Z";
  p.seconds = 0.25;
  newer.id = "b";
  newer.probes.push_back(p);
  runs::Counters::Values counters;
  for (const auto& r : {newer, older}) runs::Counters::add(counters, r);
  auto text = runs::render_metrics({newer, older}, counters, 1700000000, "0.1.0");
  EXPECT_NE(text.find("squashd_probe_up{target=\"kidney\",probe=\"api\",kind=\"http\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("squashd_probe_duration_seconds{target=\"kidney\",probe=\"api\"} 0.250\n"),
            std::string::npos);
  EXPECT_NE(text.find("squashd_probe_failures_total{target=\"kidney\",probe=\"api\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("squashd_probe_last_timestamp_seconds{target=\"kidney\",probe=\"api\"} "
                      "1795518000\n"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace squash::probe
