#include "runtime/systemd_notify.hpp"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <fmt/format.h>

namespace squash::runtime {

namespace {

void notify(const std::string& state) {
  // A failure to reach the manager is not the daemon's problem: it keeps running.
  (void)sd_notify(0, state.c_str());
}

}  // namespace

void notify_ready(const std::string& status) {
  notify("READY=1\nSTATUS=" + status);
}

void notify_reloading() {
  // MONOTONIC_USEC lets systemd (Type=notify-reload, v253+) match the reload it asked for.
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  const long long usec = static_cast<long long>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
  notify(fmt::format("RELOADING=1\nMONOTONIC_USEC={}\nSTATUS=reloading the configuration", usec));
}

void notify_stopping() {
  notify("STOPPING=1\nSTATUS=stopping: ending runs and closing connections");
}

void notify_watchdog() {
  notify("WATCHDOG=1");
}

std::optional<std::chrono::microseconds> watchdog_interval() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec / 2);
}

}  // namespace squash::runtime
