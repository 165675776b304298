#include "runtime/state_lock.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <stdexcept>
#include <sys/file.h>
#include <unistd.h>
#include <utility>

#include <fmt/format.h>

#include "scheduler/time_zone.hpp"
#include "util/format.hpp"

namespace squash::runtime {

StateLock StateLock::acquire(const std::string& state_dir) {
  std::error_code ec;
  if (!std::filesystem::exists(state_dir, ec)) {
    std::filesystem::create_directories(state_dir, ec);
    if (ec)
      throw std::runtime_error(
          fmt::format("cannot create state_dir {}: {}", state_dir, ec.message()));
    std::filesystem::permissions(state_dir, std::filesystem::perms::owner_all, ec);
  }
  std::string path = state_dir + "/squashd.lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    throw std::runtime_error(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    char buf[256] = {};
    auto n = ::pread(fd, buf, sizeof buf - 1, 0);
    ::close(fd);
    std::string holder = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
    while (!holder.empty() && holder.back() == '\n') holder.pop_back();
    if (err == EWOULDBLOCK)
      throw std::runtime_error(
          fmt::format("another squashd is running with state_dir {} ({} holds {})", state_dir, path,
                      holder.empty() ? "no pid yet" : holder));
    throw std::runtime_error(fmt::format("cannot lock {}: {}", path, std::strerror(err)));
  }
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  auto content = fmt::format("{{\"pid\": {}, \"started_at\": \"{}\"}}\n", ::getpid(),
                             util::format_utc_iso8601(now));
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, content.data(), content.size(), 0) != static_cast<ssize_t>(content.size())) {
    int err = errno;
    ::close(fd);
    throw std::runtime_error(fmt::format("cannot write {}: {}", path, std::strerror(err)));
  }
  return StateLock(fd, std::move(path));
}

StateLock::StateLock(StateLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

StateLock::~StateLock() {
  if (fd_ < 0) return;
  if (::ftruncate(fd_, 0) != 0) {
    // Nothing to do: the lock goes with the descriptor either way.
  }
  ::close(fd_);
}

}  // namespace squash::runtime
