#include "runs/target_lock.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/file.h>
#include <unistd.h>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "scheduler/time_zone.hpp"
#include "util/files.hpp"
#include "util/format.hpp"

namespace squash::runs {

std::optional<TargetLock> TargetLock::try_acquire(const std::string& state_dir,
                                                  const std::string& target,
                                                  const std::string& run_id, std::string* holder) {
  auto dir = state_dir + "/locks";
  util::ensure_dir(dir);
  auto path = dir + "/" + target + ".lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    throw std::runtime_error(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (holder) {
      char buf[512] = {};
      auto n = ::pread(fd, buf, sizeof buf - 1, 0);
      *holder = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
      while (!holder->empty() && holder->back() == '\n') holder->pop_back();
    }
    ::close(fd);
    return std::nullopt;
  }
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  auto content = nlohmann::json{{"pid", ::getpid()},
                                {"run_id", run_id},
                                {"target", target},
                                {"started_at", util::format_utc_iso8601(now)}}
                     .dump() +
                 "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, content.data(), content.size(), 0) != static_cast<ssize_t>(content.size())) {
    int err = errno;
    ::close(fd);
    throw std::runtime_error(fmt::format("cannot write {}: {}", path, std::strerror(err)));
  }
  return TargetLock(fd);
}

TargetLock::TargetLock(TargetLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

TargetLock& TargetLock::operator=(TargetLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

TargetLock::~TargetLock() {
  if (fd_ < 0) return;
  if (::ftruncate(fd_, 0) != 0) {
    // the lock goes with the descriptor either way
  }
  ::close(fd_);
}

}  // namespace squash::runs
