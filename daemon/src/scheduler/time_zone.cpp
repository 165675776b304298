#include "scheduler/time_zone.hpp"
#include "util/format.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace squash::scheduler {

namespace chr = std::chrono;

namespace {

constexpr std::int64_t kDay = 86400;

// Sequential big-endian reader over the bytes of a TZif file.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}

  std::string_view take(std::size_t n) {
    if (n > bytes_.size() - pos_) throw std::invalid_argument("truncated TZif data");
    auto out = bytes_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  std::uint8_t u8() { return static_cast<std::uint8_t>(take(1)[0]); }
  std::uint32_t u32() {
    auto s = take(4);
    std::uint32_t v = 0;
    for (char c : s) v = (v << 8) | static_cast<std::uint8_t>(c);
    return v;
  }
  std::int64_t i64() {
    auto s = take(8);
    std::uint64_t v = 0;
    for (char c : s) v = (v << 8) | static_cast<std::uint8_t>(c);
    return static_cast<std::int64_t>(v);
  }
  std::string_view rest() const { return bytes_.substr(pos_); }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

struct TzifHeader {
  char version = 0;
  std::uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
};

TzifHeader read_header(ByteReader& in) {
  if (in.take(4) != "TZif") throw std::invalid_argument("not a TZif file");
  TzifHeader h;
  h.version = static_cast<char>(in.u8());
  in.take(15);
  h.isutcnt = in.u32();
  h.isstdcnt = in.u32();
  h.leapcnt = in.u32();
  h.timecnt = in.u32();
  h.typecnt = in.u32();
  h.charcnt = in.u32();
  if (h.typecnt == 0) throw std::invalid_argument("TZif file without local time types");
  return h;
}

// Parses [+-]hh[:mm[:ss]] at pos; hours up to 167 (RFC 8536 extension).
chr::seconds parse_hms(std::string_view s, std::size_t& pos, bool allow_sign) {
  int sign = 1;
  if (allow_sign && pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    sign = s[pos] == '-' ? -1 : 1;
    ++pos;
  }
  auto number = [&](int max) {
    std::size_t start = pos;
    int v = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9' && pos - start < 3) {
      v = v * 10 + (s[pos] - '0');
      ++pos;
    }
    if (pos == start || v > max) throw std::invalid_argument("bad time in TZ rule");
    return v;
  };
  int h = number(167), m = 0, sec = 0;
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    m = number(59);
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      sec = number(59);
    }
  }
  return chr::seconds{sign * (h * 3600 + m * 60 + sec)};
}

std::string parse_zone_name(std::string_view s, std::size_t& pos) {
  std::size_t start = pos;
  if (pos < s.size() && s[pos] == '<') {
    auto close = s.find('>', pos);
    if (close == std::string_view::npos)
      throw std::invalid_argument("unterminated <name> in TZ rule");
    pos = close + 1;
    return std::string(s.substr(start + 1, close - start - 1));
  }
  while (pos < s.size() && ((s[pos] >= 'A' && s[pos] <= 'Z') || (s[pos] >= 'a' && s[pos] <= 'z')))
    ++pos;
  if (pos - start < 3) throw std::invalid_argument("bad zone name in TZ rule");
  return std::string(s.substr(start, pos - start));
}

bool valid_zone_name(const std::string& name) {
  if (name.empty() || name.size() > 255 || name.front() == '/') return false;
  std::size_t start = 0;
  while (start <= name.size()) {
    auto slash = name.find('/', start);
    auto part = name.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    for (char c : part) {
      bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-' || c == '+' || c == '.';
      if (!ok) return false;
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// PosixTzRule

PosixTzRule PosixTzRule::parse(std::string_view s) {
  PosixTzRule r;
  std::size_t pos = 0;
  r.std_name_ = parse_zone_name(s, pos);
  r.std_offset_ = -parse_hms(s, pos, true);  // POSIX offsets count west of Greenwich
  if (pos == s.size()) return r;

  r.has_dst_ = true;
  r.dst_name_ = parse_zone_name(s, pos);
  r.dst_offset_ = r.std_offset_ + chr::hours{1};
  if (pos < s.size() && s[pos] != ',') r.dst_offset_ = -parse_hms(s, pos, true);

  auto parse_date = [&](DateRule& d) {
    if (pos >= s.size()) throw std::invalid_argument("missing date in TZ rule");
    auto number = [&] {
      std::size_t start = pos;
      int v = 0;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9' && pos - start < 4) {
        v = v * 10 + (s[pos] - '0');
        ++pos;
      }
      if (pos == start) throw std::invalid_argument("bad date in TZ rule");
      return v;
    };
    auto expect = [&](char c) {
      if (pos >= s.size() || s[pos] != c) throw std::invalid_argument("bad date in TZ rule");
      ++pos;
    };
    if (s[pos] == 'M') {
      ++pos;
      d.kind = DateRule::Kind::month_week_day;
      d.month = number();
      expect('.');
      d.week = number();
      expect('.');
      d.day = number();
      if (d.month < 1 || d.month > 12 || d.week < 1 || d.week > 5 || d.day > 6)
        throw std::invalid_argument("bad Mm.w.d date in TZ rule");
    } else if (s[pos] == 'J') {
      ++pos;
      d.kind = DateRule::Kind::julian_no_leap;
      d.day = number();
      if (d.day < 1 || d.day > 365) throw std::invalid_argument("bad Jn date in TZ rule");
    } else {
      d.kind = DateRule::Kind::zero_based;
      d.day = number();
      if (d.day > 365) throw std::invalid_argument("bad n date in TZ rule");
    }
    d.time = chr::hours{2};
    if (pos < s.size() && s[pos] == '/') {
      ++pos;
      d.time = parse_hms(s, pos, true);
    }
  };

  if (pos == s.size()) {  // POSIX default: the US rules
    r.start_ = {DateRule::Kind::month_week_day, 0, 3, 2, chr::hours{2}};
    r.end_ = {DateRule::Kind::month_week_day, 0, 11, 1, chr::hours{2}};
    return r;
  }
  if (s[pos] != ',') throw std::invalid_argument("bad TZ rule");
  ++pos;
  parse_date(r.start_);
  if (pos >= s.size() || s[pos] != ',') throw std::invalid_argument("bad TZ rule");
  ++pos;
  parse_date(r.end_);
  if (pos != s.size()) throw std::invalid_argument("trailing characters in TZ rule");
  return r;
}

chr::sys_days PosixTzRule::date_in_year(const DateRule& r, int year) const {
  chr::year y{year};
  chr::sys_days jan1{y / chr::January / 1};
  switch (r.kind) {
    case DateRule::Kind::julian_no_leap:
      return jan1 + chr::days{r.day - 1 + ((y.is_leap() && r.day >= 60) ? 1 : 0)};
    case DateRule::Kind::zero_based:
      return jan1 + chr::days{r.day};
    case DateRule::Kind::month_week_day:
      break;
  }
  auto month = chr::month{static_cast<unsigned>(r.month)};
  auto wd = chr::weekday{static_cast<unsigned>(r.day)};
  if (r.week == 5) return chr::sys_days{y / month / wd[chr::last]};
  return chr::sys_days{y / month / wd[static_cast<unsigned>(r.week)]};
}

ZoneInfo PosixTzRule::at(sys_seconds t) const {
  if (!has_dst_) return {std_offset_, false, std_name_};
  auto local_std = t + std_offset_;
  int year = static_cast<int>(chr::year_month_day{chr::floor<chr::days>(local_std)}.year());
  sys_seconds start = date_in_year(start_, year) + start_.time - std_offset_;
  sys_seconds end = date_in_year(end_, year) + end_.time - dst_offset_;
  bool dst = start < end ? (start <= t && t < end) : !(end <= t && t < start);
  return dst ? ZoneInfo{dst_offset_, true, dst_name_} : ZoneInfo{std_offset_, false, std_name_};
}

// ---------------------------------------------------------------------------------------
// TimeZone

TimeZone TimeZone::utc() {
  TimeZone z;
  z.name_ = "UTC";
  z.types_.push_back({0, false, "UTC"});
  return z;
}

TimeZone TimeZone::from_tzif(std::string name, std::string_view bytes) {
  TimeZone z;
  z.name_ = std::move(name);
  ByteReader in(bytes);
  TzifHeader h = read_header(in);
  bool wide = h.version >= '2';
  if (wide) {
    // Skip the 32-bit block; the 64-bit block after it says the same with more range.
    in.take(std::size_t{h.timecnt} * 5 + std::size_t{h.typecnt} * 6 + h.charcnt +
            std::size_t{h.leapcnt} * 8 + h.isstdcnt + h.isutcnt);
    h = read_header(in);
  }
  z.transitions_.reserve(h.timecnt);
  for (std::uint32_t i = 0; i < h.timecnt; ++i)
    z.transitions_.push_back(wide ? in.i64() : static_cast<std::int32_t>(in.u32()));
  for (std::uint32_t i = 0; i < h.timecnt; ++i) {
    auto idx = in.u8();
    if (idx >= h.typecnt) throw std::invalid_argument("bad local time type index in TZif");
    z.transition_types_.push_back(idx);
  }
  std::vector<std::pair<std::int32_t, std::pair<bool, std::uint8_t>>> raw;
  for (std::uint32_t i = 0; i < h.typecnt; ++i) {
    auto off = static_cast<std::int32_t>(in.u32());
    bool dst = in.u8() != 0;
    auto abbr = in.u8();
    raw.push_back({off, {dst, abbr}});
  }
  auto chars = in.take(h.charcnt);
  for (auto& [off, rest] : raw) {
    auto [dst, abbr] = rest;
    if (abbr >= chars.size()) throw std::invalid_argument("bad abbreviation index in TZif");
    auto end = chars.find('\0', abbr);
    z.types_.push_back({off, dst, std::string(chars.substr(abbr, end - abbr))});
  }
  in.take(std::size_t{h.leapcnt} * (wide ? 12 : 8) + h.isstdcnt + h.isutcnt);
  if (wide) {
    auto rest = in.rest();
    if (rest.size() >= 2 && rest[0] == '\n') {
      auto end = rest.find('\n', 1);
      if (end != std::string_view::npos && end > 1)
        z.footer_ = PosixTzRule::parse(rest.substr(1, end - 1));
    }
  }
  if (!std::is_sorted(z.transitions_.begin(), z.transitions_.end()))
    throw std::invalid_argument("TZif transitions out of order");
  return z;
}

ZoneInfo TimeZone::at(sys_seconds t) const {
  auto secs = t.time_since_epoch().count();
  auto from_type = [&](const Type& ty) {
    return ZoneInfo{chr::seconds{ty.offset}, ty.is_dst, ty.abbreviation};
  };
  if (transitions_.empty()) return footer_ ? footer_->at(t) : from_type(types_[0]);
  if (secs < transitions_.front()) return from_type(types_[0]);
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), secs);
  auto i = static_cast<std::size_t>(it - transitions_.begin()) - 1;
  if (i + 1 == transitions_.size() && footer_) return footer_->at(t);
  return from_type(types_[transition_types_[i]]);
}

local_seconds TimeZone::to_local(sys_seconds t) const {
  return local_seconds{(t + offset(t)).time_since_epoch()};
}

LocalResolution TimeZone::resolve(local_seconds local) const {
  const sys_seconds as_utc{local.time_since_epoch()};
  // The offsets that can be in force around this wall-clock time (a day either side
  // covers every real offset change); keep each instant that maps back to `local`.
  std::vector<chr::seconds> offsets = {offset(as_utc - chr::seconds{kDay}),
                                       offset(as_utc + chr::seconds{kDay})};
  offsets.push_back(offset(as_utc - offsets[0]));
  offsets.push_back(offset(as_utc - offsets[1]));
  std::vector<sys_seconds> hits;
  for (auto o : offsets) {
    auto u = as_utc - o;
    if (offset(u) == o) hits.push_back(u);
  }
  std::sort(hits.begin(), hits.end());
  hits.erase(std::unique(hits.begin(), hits.end()), hits.end());

  LocalResolution r;
  if (hits.size() == 1) {
    r.first = hits[0];
    return r;
  }
  if (hits.size() >= 2) {
    r.kind = LocalResolution::Kind::ambiguous;
    r.first = hits.front();
    r.second = hits.back();
    return r;
  }
  // In a gap: the transition lies between the two readings of `local`; find it.
  r.kind = LocalResolution::Kind::nonexistent;
  auto [lo_off, hi_off] = std::minmax(offsets[0], offsets[1]);
  sys_seconds lo = as_utc - hi_off, hi = as_utc - lo_off;
  auto before = offset(lo);
  while (hi - lo > chr::seconds{1}) {
    auto mid = lo + (hi - lo) / 2;
    (offset(mid) == before ? lo : hi) = mid;
  }
  r.gap_end = hi;
  return r;
}

// ---------------------------------------------------------------------------------------
// TimeZoneDb

TimeZoneDb::TimeZoneDb(std::string dir) : dir_(std::move(dir)) {
  if (dir_.empty()) {
    const char* env = std::getenv("TZDIR");
    dir_ = (env && *env) ? env : "/usr/share/zoneinfo";
  }
}

std::shared_ptr<const TimeZone> TimeZoneDb::find(const std::string& name, std::string* error) {
  std::lock_guard lock(mutex_);
  if (auto it = cache_.find(name); it != cache_.end()) return it->second;
  if (!valid_zone_name(name)) {
    if (error) *error = fmt::format("'{}' is not a valid IANA time zone name", name);
    return nullptr;
  }
  std::ifstream file(dir_ + "/" + name, std::ios::binary);
  std::ostringstream bytes;
  if (file) bytes << file.rdbuf();
  if (!file || bytes.str().empty()) {
    if (error) *error = fmt::format("unknown time zone '{}' (not found in {})", name, dir_);
    return nullptr;
  }
  try {
    auto zone = std::make_shared<const TimeZone>(TimeZone::from_tzif(name, bytes.str()));
    cache_.emplace(name, zone);
    return zone;
  } catch (const std::exception& e) {
    if (error) *error = fmt::format("'{}' is not a usable time zone: {}", name, e.what());
    return nullptr;
  }
}

// ---------------------------------------------------------------------------------------

std::string format_local_iso8601(sys_seconds t, const TimeZone& zone) {
  auto off = zone.offset(t).count();
  auto a = off < 0 ? -off : off;
  return fmt::format("{}{}{:02}:{:02}",
                     util::format_date_time(sys_seconds{zone.to_local(t).time_since_epoch()}),
                     off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}

}  // namespace squash::scheduler
