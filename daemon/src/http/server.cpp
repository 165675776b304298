#include "http/server.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "version.hpp"

namespace squash::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(30);
constexpr std::uint64_t kBodyLimit = 64 * 1024;
constexpr std::uint32_t kHeaderLimit = 16 * 1024;

class Session;

// What the listener and its sessions share; outlives both.
struct Shared {
  Handler handler;
  std::map<Session*, std::weak_ptr<Session>> sessions;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = fmt::format("{}:{}", ep.address().to_string(), ep.port());
  }
  ~Session() { shared_->sessions.erase(this); }

  void start() {
    shared_->sessions[this] = weak_from_this();
    read();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    parser_->header_limit(kHeaderLimit);
    stream_.expires_after(kIdleTimeout);
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream) return shutdown();
    if (ec) {
      if (ec != asio::error::operation_aborted && ec != beast::error::timeout)
        spdlog::debug("http: dropping connection from {}: {}", remote_, ec.message());
      return close();
    }
    auto& req = parser_->get();
    Request request{std::string(req.method_string()), std::string(req.target()),
                    std::string(req[bhttp::field::authorization]), req.body(), remote_};
    auto started = std::chrono::steady_clock::now();
    Response response;
    try {
      response = shared_->handler(request);
    } catch (const std::exception& e) {
      spdlog::error("http: {} {} failed: {}", request.method, request.target, e.what());
      response = error_response(500, "internal", "internal error; see the squashd log");
    }
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started);
    spdlog::debug("http: {} {} {} {:.1f}ms from {}", request.method,
                  request.target.substr(0, request.target.find('?')), response.status, ms.count(),
                  remote_);

    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(response.status), req.version());
    res->set(bhttp::field::server, fmt::format("squashd/{}", kVersion));
    res->set(bhttp::field::content_type, response.content_type);
    res->set(bhttp::field::cache_control, "no-store");
    for (auto& [name, value] : response.headers) res->set(name, value);
    res->keep_alive(req.keep_alive());
    res->body() = std::move(response.body);
    res->prepare_payload();
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res](beast::error_code wec, std::size_t) {
                         if (wec) return self->close();
                         if (res->need_eof()) return self->shutdown();
                         self->read();
                       });
  }

  void shutdown() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<Shared> shared_;
  std::string remote_ = "?";
};

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(asio::io_context& io, Handler handler)
      : io(io), acceptor(io), shared(std::make_shared<Shared>()) {
    shared->handler = std::move(handler);
  }

  void accept() {
    acceptor.async_accept(io, [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
      if (ec) {
        spdlog::warn("http: accept failed: {}", ec.message());
      } else {
        std::make_shared<Session>(std::move(s), self->shared)->start();
      }
      self->accept();
    });
  }

  asio::io_context& io;
  tcp::acceptor acceptor;
  std::shared_ptr<Shared> shared;
};

Server::Server(asio::io_context& io, Handler handler)
    : impl_(std::make_shared<Impl>(io, std::move(handler))) {}

Server::~Server() {
  stop();
}

void Server::listen(const std::string& address, std::uint16_t port) {
  beast::error_code ec;
  auto addr = asio::ip::make_address(address, ec);
  if (ec) throw std::runtime_error(fmt::format("bad listen address {}: {}", address, ec.message()));
  tcp::endpoint endpoint(addr, port);
  auto& acc = impl_->acceptor;
  auto fail = [&](const char* what) {
    auto message = fmt::format("cannot {} {}:{}: {}", what, address, port, ec.message());
    acc.close(ec);
    throw std::runtime_error(message);
  };
  acc.open(endpoint.protocol(), ec);
  if (ec) fail("open a socket for");
  acc.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) fail("set SO_REUSEADDR on");
  acc.bind(endpoint, ec);
  if (ec) fail("listen on");
  acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail("listen on");
  impl_->accept();
}

std::uint16_t Server::port() const {
  beast::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void Server::stop() {
  beast::error_code ec;
  impl_->acceptor.close(ec);
  // Copy first: closing a session can end it and erase it from the map.
  std::vector<std::shared_ptr<Session>> open;
  for (auto& [ptr, weak] : impl_->shared->sessions)
    if (auto s = weak.lock()) open.push_back(std::move(s));
  for (auto& s : open) s->close();
}

}  // namespace squash::http
