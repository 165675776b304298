// Which verified backups retention deletes. Pure; the backup job applies it after a
// success only.
//
// The rule: pinned backups (a file named "pinned" in the directory) are kept forever
// and do not count. The other verified backups are ranked newest first by the
// completion time in their manifest. Rank < min_keep: kept, always. Otherwise kept when
// rank < keep_last and (keep_days == 0 or it completed at most keep_days days ago);
// deleted otherwise. Unverified and partial directories never count (the caller removes
// the target's partial ones and keeps the others: it deletes only what it read and ranked).
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace squash::jobs {

struct RetentionPolicy {
  int keep_last = 7;
  int keep_days = 30;
  int min_keep = 2;
};

struct RetentionCandidate {
  std::string name;
  std::chrono::sys_seconds completed;
  bool pinned = false;
};

// The names to delete.
std::vector<std::string> select_expired(std::vector<RetentionCandidate> verified,
                                        const RetentionPolicy& policy,
                                        std::chrono::sys_seconds now);

}  // namespace squash::jobs
