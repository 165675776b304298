// The HTTP/1.1 server (Boost.Beast) that runs on the daemon's io_context: accepts on one
// address, reads requests (bounded size, timeouts), hands them to a Handler, writes the
// answers, keeps connections alive. Beast stays inside server.cpp.
//
// Flood limits: at most Limits::max_connections connections are open; one more is
// answered with a canned 503 (written only if the socket takes it at once) and closed
// without reading. A request's header must arrive within header_timeout of the start of
// the read (on a kept-alive connection: of the previous answer), the whole request
// within request_timeout. An accept that fails (EMFILE, ENFILE, ENOBUFS, ENOMEM, ...)
// is retried after a back-off of 100 ms doubling to 1 s; the log gets one line when
// failures start, one every 30 s while they last and one when accepting works again.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "http/message.hpp"

namespace boost::asio {
class io_context;
}

namespace squash::http {

struct Limits {
  std::size_t max_connections = 64;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds request_timeout{30'000};
};

// The connection cap to use under an open-file soft limit of `nofile`: at most a quarter
// of it (at least 1), so that runs keep the rest for their files, pipes and connections.
std::size_t connection_cap(std::size_t wanted, std::uint64_t nofile);

class Server {
 public:
  Server(boost::asio::io_context& io, Handler handler, Limits limits = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting; throws std::runtime_error when the address cannot be bound.
  void listen(const std::string& address, std::uint16_t port);
  // The bound port (useful after listening on port 0).
  std::uint16_t port() const;
  // New connections and requests use these; call on the io_context's thread.
  void set_limits(const Limits& limits);
  // Connections open now (callable from any thread).
  std::size_t connections() const;
  // Stops accepting and closes every open connection.
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace squash::http
