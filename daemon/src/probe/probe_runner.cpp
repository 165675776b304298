#include "probe/probe_runner.hpp"

#include <future>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/token_file.hpp"
#include "scheduler/time_zone.hpp"
#include "api/version.hpp"
#include "util/format.hpp"

namespace squash::probe {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ws = boost::beast::websocket;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kBodyLimit = 1 << 20;  // bytes of a body or message read
constexpr std::size_t kExcerpt = 200;        // bytes of it kept in the result
constexpr std::size_t kTcpReadLimit = 64 << 10;

// The probe failed for a reason its message states.
class Failed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Runs the io_context until the future is ready, the deadline passes or stop() says so;
// then cancel() aborts the operation, which is drained before the failure is reported.
template <typename T, typename Cancel>
T await(asio::io_context& io, std::future<T> f, Clock::time_point deadline, Cancel&& cancel,
        const std::string& what, std::chrono::milliseconds timeout,
        const std::function<bool()>& stop) {
  io.restart();
  while (f.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    bool stopped = stop && stop();
    if (stopped || Clock::now() >= deadline) {
      cancel();
      io.restart();
      io.run();
      if (stopped) throw Failed(fmt::format("stopped {}", what));
      throw Failed(fmt::format("timed out after {:.1f}s {}", timeout.count() / 1000.0, what));
    }
    auto slice = std::min(deadline, Clock::now() + std::chrono::milliseconds(200));
    if (io.run_one_until(slice) == 0 && io.stopped()) io.restart();
  }
  try {
    return f.get();
  } catch (const boost::system::system_error& e) {
    throw Failed(fmt::format("{}: {}", what, e.code().message()));
  }
}

std::string host_header(const Endpoint& e) {
  auto host = e.host.find(':') != std::string::npos ? "[" + e.host + "]" : e.host;
  return e.port == (e.tls ? "443" : "80") ? host : host + ":" + e.port;
}

std::string with_secret(const std::string& value, const std::string& secret) {
  std::string out = value;
  for (auto at = out.find(kSecretPlaceholder); at != std::string::npos;
       at = out.find(kSecretPlaceholder, at + secret.size()))
    out.replace(at, kSecretPlaceholder.size(), secret);
  return out;
}

bool contains(std::string_view haystack, const std::string& needle) {
  return haystack.find(needle) != std::string_view::npos;
}

struct Outcome {
  std::optional<int> status;
  std::string reply;
};

class Prober {
 public:
  Prober(const ProbeSpec& spec, std::string secret, const std::function<bool()>& stop)
      : spec_(spec),
        secret_(std::move(secret)),
        stop_(stop),
        deadline_(Clock::now() + spec.timeout) {}

  Outcome run() {
    auto endpoints = resolve();
    switch (spec_.kind) {
      case ProbeKind::http:
        return http(endpoints);
      case ProbeKind::websocket:
        return websocket(endpoints);
      case ProbeKind::tcp:
        return raw_tcp(endpoints);
    }
    throw Failed("unknown probe kind");
  }

 private:
  template <typename T, typename Cancel>
  T wait(std::future<T> f, Cancel&& cancel, const std::string& what) {
    return await(io_, std::move(f), deadline_, std::forward<Cancel>(cancel), what, spec_.timeout,
                 stop_);
  }

  tcp::resolver::results_type resolve() {
    tcp::resolver resolver(io_);
    return wait(
        resolver.async_resolve(spec_.endpoint.host, spec_.endpoint.port, asio::use_future),
        [&] { resolver.cancel(); }, "resolving " + spec_.endpoint.host);
  }

  void apply_headers(auto& request) {
    request.set(bhttp::field::user_agent, fmt::format("squashd/{} probe", kVersion));
    for (auto& [name, value] : spec_.headers) request.set(name, with_secret(value, secret_));
  }

  // A connected stream: plain TCP, or TLS with the peer's certificate checked against
  // the system's CAs (or ca_file) and the URL's host name.
  void connect(beast::tcp_stream& stream, const tcp::resolver::results_type& endpoints) {
    wait(
        stream.async_connect(endpoints, asio::use_future), [&] { stream.socket().close(); },
        "connecting");
  }
  void connect(beast::ssl_stream<beast::tcp_stream>& stream,
               const tcp::resolver::results_type& endpoints) {
    auto& tcp_layer = beast::get_lowest_layer(stream);
    auto close = [&] { tcp_layer.socket().close(); };
    wait(tcp_layer.async_connect(endpoints, asio::use_future), close, "connecting");
    if (!SSL_set_tlsext_host_name(stream.native_handle(), spec_.endpoint.host.c_str()))
      throw Failed("cannot set the TLS server name");
    stream.set_verify_callback(asio::ssl::host_name_verification(spec_.endpoint.host));
    wait(stream.async_handshake(asio::ssl::stream_base::client, asio::use_future), close,
         "in the TLS handshake");
  }

  asio::ssl::context& tls_context() {
    if (!tls_) {
      tls_.emplace(asio::ssl::context::tls_client);
      tls_->set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                        asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
      tls_->set_verify_mode(asio::ssl::verify_peer);
      boost::system::error_code ec;
      if (spec_.ca_file)
        tls_->load_verify_file(*spec_.ca_file, ec);
      else
        tls_->set_default_verify_paths(ec);
      if (ec)
        throw Failed(fmt::format("cannot load {}: {}",
                                 spec_.ca_file ? "ca_file " + *spec_.ca_file
                                               : std::string("the system's CA certificates"),
                                 ec.message()));
    }
    return *tls_;
  }

  Outcome http(const tcp::resolver::results_type& endpoints) {
    if (!spec_.endpoint.tls) {
      beast::tcp_stream stream(io_);
      return http_over(stream, endpoints);
    }
    beast::ssl_stream<beast::tcp_stream> stream(io_, tls_context());
    return http_over(stream, endpoints);
  }

  template <typename Stream>
  Outcome http_over(Stream& stream, const tcp::resolver::results_type& endpoints) {
    connect(stream, endpoints);
    auto close = [&] { beast::get_lowest_layer(stream).socket().close(); };
    bhttp::request<bhttp::empty_body> req{bhttp::string_to_verb(spec_.method),
                                          spec_.endpoint.target, 11};
    req.set(bhttp::field::host, host_header(spec_.endpoint));
    req.set(bhttp::field::connection, "close");
    apply_headers(req);
    wait(bhttp::async_write(stream, req, asio::use_future), close, "sending the request");
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(kBodyLimit);
    if (spec_.method == "HEAD") parser.skip(true);
    wait(bhttp::async_read_header(stream, buffer, parser, asio::use_future), close,
         "waiting for the answer");
    Outcome out;
    out.status = static_cast<int>(parser.get().result_int());
    if (spec_.expect_reply && spec_.method != "HEAD") {
      wait(bhttp::async_read(stream, buffer, parser, asio::use_future), close,
           "reading the answer's body");
      out.reply = parser.get().body();
    }
    return out;  // the connection closes with the stream ("Connection: close")
  }

  Outcome websocket(const tcp::resolver::results_type& endpoints) {
    if (!spec_.endpoint.tls) {
      ws::stream<beast::tcp_stream> socket(io_);
      return websocket_over(socket, endpoints);
    }
    ws::stream<beast::ssl_stream<beast::tcp_stream>> socket(io_, tls_context());
    return websocket_over(socket, endpoints);
  }

  template <typename Socket>
  Outcome websocket_over(Socket& socket, const tcp::resolver::results_type& endpoints) {
    connect(socket.next_layer(), endpoints);
    auto close = [&] { beast::get_lowest_layer(socket).socket().close(); };
    socket.read_message_max(kBodyLimit);
    socket.set_option(
        ws::stream_base::decorator([this](ws::request_type& req) { apply_headers(req); }));
    wait(socket.async_handshake(host_header(spec_.endpoint), spec_.endpoint.target,
                                asio::use_future),
         close, "in the WebSocket handshake");
    Outcome out;
    out.status = 101;
    if (spec_.send) {
      socket.text(true);
      wait(socket.async_write(asio::buffer(*spec_.send), asio::use_future), close,
           "sending the message");
    }
    if (spec_.send || spec_.expect_reply) {
      beast::flat_buffer buffer;
      wait(socket.async_read(buffer, asio::use_future), close, "waiting for a reply");
      out.reply = beast::buffers_to_string(buffer.data());
    }
    try {  // a polite close; the outcome is already known
      wait(socket.async_close(ws::close_code::normal, asio::use_future), close, "closing");
    } catch (const Failed&) {
    }
    return out;
  }

  Outcome raw_tcp(const tcp::resolver::results_type& endpoints) {
    tcp::socket socket(io_);
    auto close = [&] { socket.close(); };
    wait(asio::async_connect(socket, endpoints, asio::use_future), close, "connecting");
    if (spec_.send)
      wait(asio::async_write(socket, asio::buffer(*spec_.send), asio::use_future), close,
           "sending");
    Outcome out;
    if (!spec_.expect_reply) return out;
    char chunk[4096];
    while (!contains(out.reply, *spec_.expect_reply) && out.reply.size() < kTcpReadLimit) {
      std::size_t n = 0;
      try {
        n = wait(socket.async_read_some(asio::buffer(chunk), asio::use_future), close,
                 "waiting for the reply");
      } catch (const Failed&) {
        if (!out.reply.empty() && Clock::now() < deadline_) break;  // closed after replying
        throw;
      }
      out.reply.append(chunk, n);
    }
    return out;
  }

  const ProbeSpec& spec_;
  std::string secret_;
  const std::function<bool()>& stop_;
  Clock::time_point deadline_;
  asio::io_context io_;
  std::optional<asio::ssl::context> tls_;  // before the streams that use it go
};

}  // namespace

std::string masked_excerpt(std::string_view text, const std::string& secret, std::size_t max) {
  std::string s(text);
  if (!secret.empty())
    for (auto at = s.find(secret); at != std::string::npos; at = s.find(secret, at + 3))
      s.replace(at, secret.size(), "***");
  bool cut = s.size() > max;
  if (cut) s.resize(max);
  for (auto& c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) c = (c == '\n' || c == '\r' || c == '\t') ? ' ' : '.';
  }
  return cut ? s + "..." : s;
}

api::ProbeResult run_probe(const ProbeSpec& spec, std::chrono::system_clock::time_point now,
                           const std::function<bool()>& stop) {
  api::ProbeResult r;
  r.name = spec.name;
  r.kind = std::string(to_string(spec.kind));
  r.url = spec.url;
  r.at = util::format_utc_iso8601(std::chrono::floor<std::chrono::seconds>(now));
  auto started = Clock::now();
  std::string secret;
  try {
    if (spec.secret_file) {
      std::string warning;
      try {
        secret = api::read_token_file(*spec.secret_file, &warning);
      } catch (const std::exception& e) {
        throw Failed(fmt::format("secret_file: {}", e.what()));
      }
      if (!warning.empty()) spdlog::warn("probe {}: {}", spec.name, warning);
    }
    Prober prober(spec, secret, stop);
    auto out = prober.run();
    r.status = out.status;
    if (!out.reply.empty()) r.reply = masked_excerpt(out.reply, secret, kExcerpt);
    std::vector<std::string> problems;
    if (spec.kind == ProbeKind::http && out.status != spec.expect_status)
      problems.push_back(fmt::format("status {}, expected {}", *out.status, spec.expect_status));
    if (spec.expect_reply && !contains(out.reply, *spec.expect_reply))
      problems.push_back(fmt::format("the {} does not contain the expected '{}'",
                                     spec.kind == ProbeKind::http ? "body" : "reply",
                                     masked_excerpt(*spec.expect_reply, secret, kExcerpt)));
    else if (spec.kind != ProbeKind::http && spec.send && !spec.expect_reply && out.reply.empty())
      problems.push_back("no reply");
    r.ok = problems.empty();
    if (!r.ok) r.error = fmt::format("{}", fmt::join(problems, "; "));
  } catch (const std::exception& e) {
    r.ok = false;
    r.error = masked_excerpt(e.what(), secret, 500);
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return r;
}

}  // namespace squash::probe
