// Why a run must stop, shared between the thread running it and the daemon: a cancel
// (POST /v1/runs/{id}/cancel), a shutdown (SIGTERM/SIGINT), the end of the run's
// window, or a control-database lease this squashd could not renew. The first reason wins. Children
// and libpq queries poll it.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string_view>

namespace squash::process {

enum class StopReason { none, cancelled, shutdown, window_closed, lease_lost };
std::string_view to_string(StopReason reason);

class Stop {
 public:
  // The first request wins; later ones are ignored.
  void request(StopReason reason) {
    int expected = 0;
    reason_.compare_exchange_strong(expected, static_cast<int>(reason));
  }
  // Sets the instant at which the run's window closes (poll() then reports window_closed).
  void set_deadline(std::chrono::system_clock::time_point deadline) {
    deadline_ns_ = deadline.time_since_epoch().count();
    has_deadline_ = true;
  }
  std::optional<std::chrono::system_clock::time_point> deadline() const {
    if (!has_deadline_) return std::nullopt;
    return std::chrono::system_clock::time_point(
        std::chrono::system_clock::duration(deadline_ns_.load()));
  }
  // The reason to stop now, or none; turns a passed deadline into window_closed.
  StopReason poll(std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) {
    if (reason() == StopReason::none && has_deadline_ &&
        now.time_since_epoch().count() >= deadline_ns_.load())
      request(StopReason::window_closed);
    return reason();
  }
  StopReason reason() const { return static_cast<StopReason>(reason_.load()); }

 private:
  std::atomic<int> reason_{0};
  std::atomic<bool> has_deadline_{false};
  std::atomic<std::chrono::system_clock::duration::rep> deadline_ns_{0};
};

inline std::string_view to_string(StopReason reason) {
  switch (reason) {
    case StopReason::cancelled:
      return "cancelled";
    case StopReason::shutdown:
      return "squashd is shutting down";
    case StopReason::window_closed:
      return "the maintenance window closed";
    case StopReason::lease_lost:
      return "the target's lease in the control database was lost";
    default:
      return "not stopped";
  }
}

}  // namespace squash::process
