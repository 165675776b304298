#include "util/format.hpp"

#include <fmt/format.h>

namespace squash::util {

namespace chr = std::chrono;

std::string human_bytes(std::uint64_t b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", b) : fmt::format("{:.1f} {}", v, units[u]);
}

std::string format_date_time(chr::sys_seconds t) {
  auto day = chr::floor<chr::days>(t);
  chr::year_month_day ymd{day};
  chr::hh_mm_ss hms{t - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::string format_utc_iso8601(chr::sys_seconds t) {
  return format_date_time(t) + "Z";
}

std::string format_utc_iso8601(chr::system_clock::time_point t) {
  return format_utc_iso8601(chr::floor<chr::seconds>(t));
}

std::optional<chr::sys_seconds> parse_utc_iso8601(std::string_view t) {
  if (t.size() != 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' ||
      t[16] != ':' || t[19] != 'Z')
    return std::nullopt;
  auto num = [&](std::size_t pos, std::size_t len) -> int {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (t[i] < '0' || t[i] > '9') return -1;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  int y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), s = num(17, 2);
  if (y < 0 || mo < 1 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60)
    return std::nullopt;
  chr::year_month_day ymd{chr::year{y}, chr::month{static_cast<unsigned>(mo)},
                          chr::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return chr::sys_days{ymd} + chr::hours{h} + chr::minutes{mi} + chr::seconds{s};
}

}  // namespace squash::util
