// squashd under systemd (Type=notify): READY, RELOADING, STOPPING and STATUS through
// libsystemd's sd_notify, and the watchdog's period. Outside systemd (no NOTIFY_SOCKET)
// every call does nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace squash::runtime {

void notify_ready(const std::string& status);
void notify_reloading();
void notify_stopping();
void notify_watchdog();

// How often to send WATCHDOG=1 (half of WatchdogSec=), if the service manager asks for it.
std::optional<std::chrono::microseconds> watchdog_interval();

}  // namespace squash::runtime
