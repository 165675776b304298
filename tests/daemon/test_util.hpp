// Helpers shared by squashd's unit tests.
#pragma once

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "scheduler/time_zone.hpp"
#include "util/format.hpp"

namespace squash::testing {

// An instant given as its UTC calendar fields.
inline std::chrono::sys_seconds utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0,
                                    int s = 0) {
  using namespace std::chrono;
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

inline std::string iso(std::chrono::sys_seconds t) {
  return util::format_utc_iso8601(t);
}

// A fresh directory under the system's temporary one, removed with all it holds (modes
// that a test took away are given back first).
struct TempDir {
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "squashd_test.XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::permissions(path, fs::perms::owner_all, ec);
    for (auto& e : fs::recursive_directory_iterator(path, ec))
      fs::permissions(e.path(), fs::perms::owner_all, ec);
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string operator/(const std::string& name) const { return (path / name).string(); }
  std::set<std::string> names() const {
    std::set<std::string> out;
    for (auto& e : std::filesystem::directory_iterator(path))
      out.insert(e.path().filename().string());
    return out;
  }
  std::filesystem::path path;
};

}  // namespace squash::testing
