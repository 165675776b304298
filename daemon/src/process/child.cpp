#include "process/child.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

#include "util/sha256.hpp"

namespace squash::process {

namespace {

namespace chr = std::chrono;
constexpr std::size_t kStderrKeep = 64 * 1024;

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Everything the child needs, built before fork (only async-signal-safe calls after it).
struct ExecPlan {
  std::vector<char*> argv;
  std::vector<char*> envp;
};

ExecPlan plan(const ChildSpec& spec) {
  ExecPlan p;
  for (auto& a : spec.argv) p.argv.push_back(const_cast<char*>(a.c_str()));
  p.argv.push_back(nullptr);
  for (auto& e : spec.env) p.envp.push_back(const_cast<char*>(e.c_str()));
  p.envp.push_back(nullptr);
  return p;
}

[[noreturn]] void child_fail(int err_fd, int err) {
  auto n = ::write(err_fd, &err, sizeof err);
  (void)n;
  ::_exit(127);
}

std::string signal_text(int sig) {
  switch (sig) {
    case SIGKILL:
      return "SIGKILL";
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    case SIGSEGV:
      return "SIGSEGV";
    case SIGPIPE:
      return "SIGPIPE";
    case SIGABRT:
      return "SIGABRT";
    default:
      return fmt::format("signal {}", sig);
  }
}

// The last few non-empty lines of stderr, joined with " / ".
std::string stderr_tail(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    auto line = text.substr(start, end - start);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) lines.push_back(std::move(line));
    start = end + 1;
  }
  std::string out;
  std::size_t from = lines.size() > 3 ? lines.size() - 3 : 0;
  for (std::size_t i = from; i < lines.size(); ++i) out += (out.empty() ? "" : " / ") + lines[i];
  if (out.size() > 600) out = out.substr(out.size() - 600);
  return out;
}

}  // namespace

std::string ChildResult::describe(const std::string& name) const {
  std::string what;
  if (!spawn_error.empty())
    what = fmt::format("{} could not be started: {}", name, spawn_error);
  else if (!write_error.empty())
    what = fmt::format("{} was stopped: {}", name, write_error);
  else if (stopped != StopReason::none)
    what = fmt::format("{} was stopped: {}", name, to_string(stopped));
  else if (term_signal != 0)
    what = fmt::format("{} was killed by {}", name, signal_text(term_signal));
  else if (exit_code != 0)
    what = fmt::format("{} exited with status {}", name, exit_code);
  else
    what = fmt::format("{} succeeded", name);
  auto tail = stderr_tail(stderr_text);
  if (!tail.empty() && !ok()) what += ": " + tail;
  return what;
}

ChildResult run_child(const ChildSpec& spec, Stop& stop, const Progress& progress) {
  ChildResult r;
  auto started = chr::steady_clock::now();
  if (spec.argv.empty() || spec.argv[0].empty() || spec.argv[0][0] != '/') {
    r.spawn_error = "argv[0] must be an absolute path";
    return r;
  }
  std::optional<util::Sha256> hash;  // set up before anything needs cleaning up: it may throw
  if (spec.stdout_file) hash.emplace();
  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1}, exec_pipe[2] = {-1, -1};
  int out_file = -1, in_file = -1;
  auto cleanup = [&] {
    for (int* fd : {&out_pipe[0], &out_pipe[1], &err_pipe[0], &err_pipe[1], &exec_pipe[0],
                    &exec_pipe[1], &out_file, &in_file})
      close_fd(*fd);
  };
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0 ||
      ::pipe2(exec_pipe, O_CLOEXEC) != 0) {
    r.spawn_error = fmt::format("pipe: {}", std::strerror(errno));
    cleanup();
    return r;
  }
  if (spec.stdout_file) {
    out_file = ::open(spec.stdout_file->c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out_file < 0) {
      r.spawn_error = fmt::format("cannot create {}: {}", *spec.stdout_file, std::strerror(errno));
      cleanup();
      return r;
    }
  }
  in_file = ::open(spec.stdin_file ? spec.stdin_file->c_str() : "/dev/null", O_RDONLY | O_CLOEXEC);
  if (in_file < 0) {
    r.spawn_error = fmt::format("cannot open {}: {}", spec.stdin_file.value_or("/dev/null"),
                                std::strerror(errno));
    cleanup();
    return r;
  }
  ExecPlan p = plan(spec);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    r.spawn_error = fmt::format("fork: {}", std::strerror(errno));
    cleanup();
    return r;
  }
  if (pid == 0) {
    // Child: async-signal-safe calls only.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; ++s) ::sigaction(s, &dfl, nullptr);
    if (::dup2(in_file, 0) < 0 || ::dup2(out_pipe[1], 1) < 0 || ::dup2(err_pipe[1], 2) < 0)
      child_fail(exec_pipe[1], errno);
    // Keep the exec-error pipe (close-on-exec) above 2; close everything else.
    int keep = exec_pipe[1];
    for (int fd = 3; fd < 1024; ++fd)
      if (fd != keep) ::close(fd);
    ::close_range(1024, ~0U, 0);
    ::execve(p.argv[0], p.argv.data(), p.envp.data());
    child_fail(keep, errno);
  }
  ::setpgid(pid, pid);  // also done in the child; whichever runs first wins
  r.pid = pid;
  close_fd(out_pipe[1]);
  close_fd(err_pipe[1]);
  close_fd(exec_pipe[1]);
  close_fd(in_file);
  {
    int err = 0;
    ssize_t n;
    do n = ::read(exec_pipe[0], &err, sizeof err);
    while (n < 0 && errno == EINTR);
    close_fd(exec_pipe[0]);
    if (n == static_cast<ssize_t>(sizeof err)) {
      ::waitpid(pid, nullptr, 0);
      r.spawn_error = fmt::format("{}: {}", spec.argv[0], std::strerror(err));
      cleanup();
      return r;
    }
  }

  bool reaped = false;
  int status = 0;
  bool term_sent = false;
  chr::steady_clock::time_point term_at{};
  auto last_progress = chr::steady_clock::now();
  std::vector<char> buf(1 << 16);
  auto kill_group = [&](int sig) { ::kill(-pid, sig); };

  while (!reaped || out_pipe[0] >= 0 || err_pipe[0] >= 0) {
    // Stop requested, or stdout cannot be written: end the whole group.
    if (!reaped && (stop.poll() != StopReason::none || !r.write_error.empty())) {
      if (!term_sent) {
        if (r.write_error.empty()) r.stopped = stop.reason();
        kill_group(SIGTERM);
        term_sent = true;
        term_at = chr::steady_clock::now();
      } else if (chr::steady_clock::now() - term_at > spec.term_grace) {
        kill_group(SIGKILL);
      }
    }
    pollfd fds[2];
    nfds_t nfds = 0;
    if (out_pipe[0] >= 0) fds[nfds++] = {out_pipe[0], POLLIN, 0};
    if (err_pipe[0] >= 0) fds[nfds++] = {err_pipe[0], POLLIN, 0};
    if (nfds > 0) {
      int pr = ::poll(fds, nfds, 100);
      if (pr < 0 && errno != EINTR) break;
      for (nfds_t i = 0; pr > 0 && i < nfds; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        auto n = ::read(fds[i].fd, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        bool is_out = fds[i].fd == out_pipe[0];
        if (n <= 0) {
          close_fd(is_out ? out_pipe[0] : err_pipe[0]);
          continue;
        }
        auto len = static_cast<std::size_t>(n);
        if (!is_out) {
          r.stderr_text.append(buf.data(), len);
          if (r.stderr_text.size() > 2 * kStderrKeep)
            r.stderr_text.erase(0, r.stderr_text.size() - kStderrKeep);
          continue;
        }
        r.stdout_bytes += len;
        if (out_file >= 0 && r.write_error.empty()) {
          hash->update(buf.data(), len);
          const char* q = buf.data();
          std::size_t left = len;
          while (left > 0) {
            auto w = ::write(out_file, q, left);
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) {
              r.write_error =
                  fmt::format("cannot write {}: {}", *spec.stdout_file, std::strerror(errno));
              break;
            }
            q += w;
            left -= static_cast<std::size_t>(w);
          }
        } else if (out_file < 0 && r.stdout_text.size() < spec.capture_limit) {
          r.stdout_text.append(buf.data(),
                               std::min(len, spec.capture_limit - r.stdout_text.size()));
        }
        auto now = chr::steady_clock::now();
        if (progress && now - last_progress >= chr::milliseconds(250)) {
          last_progress = now;
          progress(r.stdout_bytes);
        }
      }
    } else {
      std::this_thread::sleep_for(chr::milliseconds(20));
    }
    if (!reaped) {
      pid_t w = ::waitpid(pid, &status, WNOHANG);
      if (w == pid) {
        reaped = true;
        // Whatever the leader left behind in its group goes with it when we stopped it.
        if (term_sent) kill_group(SIGKILL);
      }
    }
  }
  if (!reaped) {
    kill_group(SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  if (out_file >= 0 && r.write_error.empty()) {
    if (::fsync(out_file) != 0 && errno != EINVAL)
      r.write_error = fmt::format("cannot fsync {}: {}", *spec.stdout_file, std::strerror(errno));
    if (::close(out_file) != 0 && r.write_error.empty())
      r.write_error = fmt::format("cannot close {}: {}", *spec.stdout_file, std::strerror(errno));
    out_file = -1;
    if (r.write_error.empty()) r.stdout_sha256 = hash->finish();
  }
  cleanup();
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.term_signal = WTERMSIG(status);
  if (progress) progress(r.stdout_bytes);
  r.seconds = chr::duration<double>(chr::steady_clock::now() - started).count();
  return r;
}

}  // namespace squash::process
