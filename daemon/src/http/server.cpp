#include "http/server.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "api/version.hpp"

namespace squash::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::uint64_t kBodyLimit = 64 * 1024;
constexpr std::uint32_t kHeaderLimit = 16 * 1024;
constexpr auto kFirstBackoff = std::chrono::milliseconds(100);
constexpr auto kMaxBackoff = std::chrono::seconds(1);
constexpr auto kRepeatLog = std::chrono::seconds(30);
// Deferred replies (Reply::later) run on this many threads, at most kMaxDeferred at once;
// one more is answered 503 at once rather than queued behind them.
constexpr std::size_t kWorkerThreads = 2;
constexpr std::size_t kMaxDeferred = 4;

// Sent, without reading the request, to a connection over the cap.
constexpr std::string_view kBusyBody =
    R"({"error":"busy","message":"squashd has too many open connections; try again"})";
const std::string kBusyAnswer = fmt::format(
    "HTTP/1.1 503 Service Unavailable\r\nServer: squashd/{}\r\nContent-Type: "
    "application/json\r\nContent-Length: {}\r\nRetry-After: 1\r\nConnection: "
    "close\r\n\r\n{}",
    kVersion, kBusyBody.size(), kBusyBody);

// A condition that can repeat thousands of times a second (accept failing, connections
// over the cap) is logged when it starts, then at most once per kRepeatLog.
class Episode {
 public:
  // Counts one occurrence; true when it should be logged.
  bool occur() {
    auto now = Clock::now();
    if (count_++ == 0) {
      started_ = logged_ = now;
      return true;
    }
    if (now - logged_ < kRepeatLog) return false;
    logged_ = now;
    return true;
  }
  bool active() const { return count_ > 0; }
  std::uint64_t count() const { return count_; }
  double seconds() const { return std::chrono::duration<double>(Clock::now() - started_).count(); }
  void reset() { count_ = 0; }

 private:
  std::uint64_t count_ = 0;
  Clock::time_point started_, logged_;
};

class Session;

// What the listener and its sessions share; outlives both.
struct Shared {
  Handler handler;
  Limits limits;
  std::map<Session*, std::weak_ptr<Session>> sessions;
  std::atomic<std::size_t> open{0};  // sessions.size(), readable from other threads
  asio::thread_pool workers{kWorkerThreads};
  std::atomic<std::size_t> deferred{0};  // Reply::later work queued or running
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<Shared> shared)
      : stream_(std::move(socket)), shared_(std::move(shared)) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = fmt::format("{}:{}", ep.address().to_string(), ep.port());
  }
  ~Session() {
    shared_->sessions.erase(this);
    shared_->open = shared_->sessions.size();
  }

  void start() {
    shared_->sessions[this] = weak_from_this();
    shared_->open = shared_->sessions.size();
    read();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

 private:
  // The header first, under its own short deadline (a slow sender cannot hold the
  // connection), then the rest of the request within request_timeout of the start.
  void read() {
    const Limits& limits = shared_->limits;
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    parser_->header_limit(kHeaderLimit);
    auto deadline = Clock::now() + limits.request_timeout;
    stream_.expires_after(std::min(limits.header_timeout, limits.request_timeout));
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this(), deadline](beast::error_code ec, std::size_t) {
          if (ec) return self->on_read(ec, "the request header");
          self->stream_.expires_at(deadline);
          bhttp::async_read(
              self->stream_, self->buffer_, *self->parser_,
              [self](beast::error_code ec2, std::size_t) { self->on_read(ec2, "the request"); });
        });
  }

  void on_read(beast::error_code ec, const char* what) {
    if (ec == bhttp::error::end_of_stream) return shutdown();
    if (ec == beast::error::timeout)
      spdlog::debug("http: closing the connection from {}: {} did not arrive in time", remote_,
                    what);
    else if (ec && ec != asio::error::operation_aborted)
      spdlog::debug("http: dropping connection from {}: {}", remote_, ec.message());
    if (ec) return close();
    auto& req = parser_->get();
    Request request{std::string(req.method_string()), std::string(req.target()),
                    std::string(req[bhttp::field::authorization]), req.body(), remote_};
    auto started = std::chrono::steady_clock::now();
    Reply reply;
    try {
      reply = shared_->handler(request);
    } catch (const std::exception& e) {
      spdlog::error("http: {} {} failed: {}", request.method, request.target, e.what());
      reply = error_response(500, "internal", "internal error; see the squashd log");
    }
    if (reply.work) return defer(std::move(reply.work), std::move(request), started);
    respond(std::move(reply.response), request, started);
  }

  // Runs the work on a worker thread, then answers on the I/O thread. No read is pending
  // meanwhile, so the connection's timer is idle and the parser keeps the request.
  void defer(std::function<Response()> work, Request request, Clock::time_point started) {
    if (shared_->deferred.fetch_add(1) >= kMaxDeferred) {
      --shared_->deferred;
      auto busy = error_response(503, "busy",
                                 fmt::format("squashd is already answering {} long requests; try "
                                             "again",
                                             kMaxDeferred));
      busy.headers.emplace_back("Retry-After", "1");
      return respond(std::move(busy), request, started);
    }
    asio::post(shared_->workers, [self = shared_from_this(), work = std::move(work),
                                  request = std::move(request), started]() mutable {
      Response response;
      try {
        response = work();
      } catch (const std::exception& e) {
        spdlog::error("http: {} {} failed: {}", request.method, request.target, e.what());
        response = error_response(500, "internal", "internal error; see the squashd log");
      }
      --self->shared_->deferred;
      auto executor = self->stream_.get_executor();
      // The session moves into the I/O thread's handler: it must never end on a worker.
      asio::post(executor, [self = std::move(self), response = std::move(response),
                            request = std::move(request), started]() mutable {
        self->respond(std::move(response), request, started);
      });
    });
  }

  void respond(Response response, const Request& request, Clock::time_point started) {
    auto& req = parser_->get();
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
    stream_.expires_after(shared_->limits.request_timeout);
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
  Impl(asio::io_context& io, Handler handler, Limits limits)
      : io(io), acceptor(io), retry(io), shared(std::make_shared<Shared>()) {
    shared->handler = std::move(handler);
    shared->limits = limits;
  }

  void accept() {
    acceptor.async_accept(io, [self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
      if (ec) return self->accept_failed(ec);
      if (self->failures.active()) {
        spdlog::info("http: accepting again after {} failed attempt(s) over {:.1f} s",
                     self->failures.count(), self->failures.seconds());
        self->failures.reset();
      }
      self->backoff = {};
      self->admit(std::move(s));
      self->accept();
    });
  }

  // Out of descriptors or memory the listening socket stays readable: retrying at once
  // would spin. Wait, doubling the pause, and log rarely.
  void accept_failed(const beast::error_code& ec) {
    backoff = backoff == Clock::duration{} ? Clock::duration(kFirstBackoff)
                                           : std::min<Clock::duration>(backoff * 2, kMaxBackoff);
    if (failures.occur()) {
      if (failures.count() == 1)
        spdlog::warn("http: accept failed: {}; retrying after a pause (100 ms doubling to 1 s)",
                     ec.message());
      else
        spdlog::warn("http: accept still failing: {} ({} attempts over {:.0f} s)", ec.message(),
                     failures.count(), failures.seconds());
    }
    retry.expires_after(backoff);
    retry.async_wait([self = shared_from_this()](const beast::error_code& wec) {
      if (!wec && self->acceptor.is_open()) self->accept();
    });
  }

  void admit(tcp::socket s) {
    auto max = shared->limits.max_connections;
    if (shared->sessions.size() < max) {
      if (over_cap.active()) {
        spdlog::info("http: below max_connections again; {} connection(s) refused over {:.0f} s",
                     over_cap.count(), over_cap.seconds());
        over_cap.reset();
      }
      std::make_shared<Session>(std::move(s), shared)->start();
      return;
    }
    if (over_cap.occur()) {
      if (over_cap.count() == 1)
        spdlog::warn(
            "http: {} connections open (max_connections); refusing new ones until some "
            "close",
            max);
      else
        spdlog::warn("http: still at max_connections ({}): {} connection(s) refused over {:.0f} s",
                     max, over_cap.count(), over_cap.seconds());
    }
    // Never waits and never reads: a 503 if the socket takes it at once, then closed.
    beast::error_code ec;
    s.non_blocking(true, ec);
    if (!ec) s.write_some(asio::buffer(kBusyAnswer), ec);
    s.shutdown(tcp::socket::shutdown_both, ec);
    s.close(ec);
  }

  asio::io_context& io;
  tcp::acceptor acceptor;
  asio::steady_timer retry;
  Clock::duration backoff{};
  Episode failures, over_cap;
  std::shared_ptr<Shared> shared;
};

std::size_t connection_cap(std::size_t wanted, std::uint64_t nofile) {
  auto quarter = static_cast<std::size_t>(std::min<std::uint64_t>(nofile / 4, SIZE_MAX));
  return std::max<std::size_t>(1, std::min(wanted, quarter));
}

Server::Server(asio::io_context& io, Handler handler, Limits limits)
    : impl_(std::make_shared<Impl>(io, std::move(handler), limits)) {}

Server::~Server() {
  stop();
  // Deferred work may still hold sessions; none may post to the io_context after this.
  impl_->shared->workers.join();
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

void Server::set_limits(const Limits& limits) {
  impl_->shared->limits = limits;
}

std::size_t Server::connections() const {
  return impl_->shared->open;
}

void Server::stop() {
  beast::error_code ec;
  impl_->acceptor.close(ec);
  impl_->retry.cancel();
  // Copy first: closing a session can end it and erase it from the map.
  std::vector<std::shared_ptr<Session>> open;
  for (auto& [ptr, weak] : impl_->shared->sessions)
    if (auto s = weak.lock()) open.push_back(std::move(s));
  for (auto& s : open) s->close();
}

}  // namespace squash::http
