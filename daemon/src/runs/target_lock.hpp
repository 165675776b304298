// One run at a time per target, across processes: state_dir/locks/<target>.lock held
// with flock for the run's life, holding {"pid":..,"run_id":..,"started_at":..}. A
// stale file left by a crash holds no lock (the kernel dropped it with the process).
#pragma once

#include <optional>
#include <string>

namespace squash::runs {

class TargetLock {
 public:
  // The lock, or nullopt with *holder set to the file's content (who has it). Throws
  // std::runtime_error when the file cannot be opened.
  static std::optional<TargetLock> try_acquire(const std::string& state_dir,
                                               const std::string& target, const std::string& run_id,
                                               std::string* holder = nullptr);
  TargetLock(TargetLock&& other) noexcept;
  TargetLock& operator=(TargetLock&& other) noexcept;
  ~TargetLock();

 private:
  explicit TargetLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace squash::runs
