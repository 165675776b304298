#include "process/pg_tools.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <filesystem>
#include <stdexcept>
#include <unistd.h>

#include <fmt/format.h>

#include "util/files.hpp"

namespace squash::process {

namespace fs = std::filesystem;

namespace {

std::string on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    auto end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    auto candidate = dirs.substr(start, end - start) + "/" + name;
    if (end > start && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "/usr/bin/" + name;
}

}  // namespace

PgTools PgTools::discover() {
  PgTools t;
  std::vector<std::pair<int, std::string>> found;
  std::error_code ec;
  for (auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    auto name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    auto bin = entry.path() / "bin";
    if (::access((bin / "pg_dump").c_str(), X_OK) == 0) found.emplace_back(std::stoi(name), bin);
  }
  std::sort(found.rbegin(), found.rend());
  if (!found.empty()) {
    t.bindir = found.front().second;
    t.pg_dump = t.bindir + "/pg_dump";
    t.pg_restore = t.bindir + "/pg_restore";
    t.psql = t.bindir + "/psql";
  } else {
    t.pg_dump = on_path("pg_dump");
    t.pg_restore = on_path("pg_restore");
    t.psql = on_path("psql");
  }
  return t;
}

std::vector<std::string> pg_env(const PgTools& tools, const std::optional<std::string>& passfile,
                                const std::string& application_name) {
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  if (!tools.bindir.empty()) path = tools.bindir + ":" + path;
  const char* lang = std::getenv("LANG");
  std::vector<std::string> env = {
      "PATH=" + path,
      std::string("LANG=") + (lang && *lang ? lang : "C.UTF-8"),
      "PGAPPNAME=" + application_name,
  };
  if (passfile) env.push_back("PGPASSFILE=" + *passfile);
  return env;
}

PrivatePassfile::PrivatePassfile(const std::string& source, const std::string& dir,
                                 const std::string& run_id) {
  auto content = util::read_file(source);
  if (!content)
    throw std::runtime_error(
        fmt::format("cannot read the target's passfile {}: {}", source, std::strerror(errno)));
  util::ensure_dir(dir);
  path_ = fmt::format("{}/{}.pgpass", dir, run_id);
  ::unlink(path_.c_str());
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    throw std::runtime_error(fmt::format("cannot create {}: {}", path_, std::strerror(errno)));
  const char* p = content->data();
  std::size_t left = content->size();
  while (left > 0) {
    auto n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(path_.c_str());
      throw std::runtime_error(fmt::format("cannot write {}: {}", path_, std::strerror(err)));
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  ::fchmod(fd, 0600);
  ::close(fd);
}

PrivatePassfile::~PrivatePassfile() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

}  // namespace squash::process
