// The HTTP/1.1 server (Boost.Beast) that runs on the daemon's io_context: accepts on one
// address, reads requests (bounded size, timeouts), hands them to a Handler, writes the
// answers, keeps connections alive. Beast stays inside server.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "http/message.hpp"

namespace boost::asio {
class io_context;
}

namespace squash::http {

class Server {
 public:
  Server(boost::asio::io_context& io, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting; throws std::runtime_error when the address cannot be bound.
  void listen(const std::string& address, std::uint16_t port);
  // The bound port (useful after listening on port 0).
  std::uint16_t port() const;
  // Stops accepting and closes every open connection.
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace squash::http
