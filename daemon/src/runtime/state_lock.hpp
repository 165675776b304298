// One squashd per state directory: state_dir/squashd.lock, held with flock for the
// daemon's life, holding {"pid": ..., "started_at": ...}. A stale file left by a crash is
// harmless: the kernel dropped its lock with the process.
#pragma once

#include <string>

namespace squash::runtime {

class StateLock {
 public:
  // Creates state_dir (0700) when missing and takes the lock. Throws std::runtime_error
  // naming the holder when another process has it.
  static StateLock acquire(const std::string& state_dir);

  StateLock(StateLock&& other) noexcept;
  StateLock& operator=(StateLock&&) = delete;
  ~StateLock();
  const std::string& path() const { return path_; }

 private:
  StateLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

}  // namespace squash::runtime
