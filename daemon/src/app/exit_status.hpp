// Exit statuses both programs share. A usage error is 64 (EX_USAGE of sysexits.h) in both,
// so a unit's RestartPreventExitStatus= or a script can name it once.
#pragma once

namespace squash::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 64;

// squashd reads this file when --config is not given.
inline constexpr char kDefaultConfigPath[] = "/etc/squashd/squashd.toml";

}  // namespace squash::app
