// Running one child process (pg_dump, pg_restore, psql) safely:
// - argv vector, no shell; an explicit, clean environment (see pg_env());
// - its own process group, killed as a whole (SIGTERM, then SIGKILL after a grace
//   period) when the run stops; PR_SET_PDEATHSIG so a crashed squashd takes it along;
// - stdout streamed to a file (bytes counted, progress reported) or captured;
//   stderr captured (the last 64 KiB);
// - every file descriptor but 0, 1, 2 closed in the child.
// run_child() blocks the calling thread (each run has its own thread) and polls the
// run's Stop every 100 ms.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "process/stop.hpp"

namespace squash::process {

struct ChildSpec {
  std::vector<std::string> argv;           // argv[0]: an absolute path
  std::vector<std::string> env;            // "NAME=value", the child's whole environment
  std::optional<std::string> stdout_file;  // created (0600, truncated); else captured
  std::optional<std::string> stdin_file;   // else /dev/null
  std::size_t capture_limit = 16 << 20;    // captured stdout beyond this is dropped
  std::chrono::milliseconds term_grace{5000};
};

struct ChildResult {
  int pid = 0;
  int exit_code = -1;                     // set when the child exited
  int term_signal = 0;                    // set when a signal ended it
  StopReason stopped = StopReason::none;  // set when we killed it because the run stopped
  std::string spawn_error;                // set when it never ran
  std::string write_error;                // set when writing stdout_file failed (ENOSPC...)
  std::uint64_t stdout_bytes = 0;
  std::string stdout_sha256;  // of the bytes written to stdout_file, once fsync'ed
  std::string stdout_text;    // when captured
  std::string stderr_text;    // last 64 KiB
  double seconds = 0;

  bool ok() const {
    return spawn_error.empty() && write_error.empty() && stopped == StopReason::none &&
           term_signal == 0 && exit_code == 0;
  }
  // "pg_dump exited with status 1: <last stderr line(s)>", "... killed by SIGKILL", ...
  std::string describe(const std::string& name) const;
};

// Called at most every 250 ms while stdout streams: total bytes so far.
using Progress = std::function<void(std::uint64_t bytes)>;

ChildResult run_child(const ChildSpec& spec, Stop& stop, const Progress& progress = {});

}  // namespace squash::process
