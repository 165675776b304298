#include "scheduler/cron.hpp"

#include <array>
#include <cctype>
#include <vector>

#include <fmt/format.h>

namespace squash::scheduler {

namespace chr = std::chrono;

namespace {

constexpr std::array<std::string_view, 12> kMonthNames = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kWeekdayNames = {"sun", "mon", "tue", "wed",
                                                           "thu", "fri", "sat"};
constexpr std::array<std::string_view, 12> kMonthLong = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};

struct FieldSpec {
  const char* name;
  int min, max;
  const std::string_view* names;  // names[i] is value i + names_base
  int name_count, names_base;
};

constexpr FieldSpec kFields[5] = {
    {"minute", 0, 59, nullptr, 0, 0},
    {"hour", 0, 23, nullptr, 0, 0},
    {"day-of-month", 1, 31, nullptr, 0, 0},
    {"month", 1, 12, kMonthNames.data(), 12, 1},
    {"day-of-week", 0, 7, kWeekdayNames.data(), 7, 0},
};

struct Token {
  std::string_view text;
  std::size_t offset;
};

struct FieldParse {
  std::vector<bool> bits;
  bool star = false;
};

// Parses one value (number or name) of a field; throws CronError.
int parse_value(std::string_view s, std::size_t offset, const FieldSpec& spec) {
  if (s.empty()) throw CronError{spec.name, offset, fmt::format("{}: missing value", spec.name)};
  if (std::isdigit(static_cast<unsigned char>(s[0]))) {
    int v = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i])))
        throw CronError{spec.name, offset + i,
                        fmt::format("{}: '{}' is not a number", spec.name, s)};
      v = v * 10 + (s[i] - '0');
      if (v > 1000) break;
    }
    if (v < spec.min || v > spec.max)
      throw CronError{
          spec.name, offset,
          fmt::format("{}: {} is out of range {}-{}", spec.name, s, spec.min, spec.max)};
    return v;
  }
  if (spec.names) {
    std::string lower;
    for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (int i = 0; i < spec.name_count; ++i)
      if (spec.names[i] == lower) return i + spec.names_base;
    throw CronError{spec.name, offset,
                    fmt::format("{}: unknown name '{}' (use {}..{} or numbers)", spec.name, s,
                                spec.names[0], spec.names[spec.name_count - 1])};
  }
  throw CronError{spec.name, offset, fmt::format("{}: '{}' is not a number", spec.name, s)};
}

FieldParse parse_field(Token tok, const FieldSpec& spec) {
  FieldParse out;
  out.bits.assign(static_cast<std::size_t>(spec.max) + 1, false);
  out.star = tok.text[0] == '*';
  std::size_t item_start = 0;
  while (item_start <= tok.text.size()) {
    auto comma = tok.text.find(',', item_start);
    auto item = tok.text.substr(
        item_start, comma == std::string_view::npos ? std::string_view::npos : comma - item_start);
    std::size_t at = tok.offset + item_start;
    if (item.empty())
      throw CronError{spec.name, at, fmt::format("{}: empty item in list", spec.name)};

    auto slash = item.find('/');
    auto base = item.substr(0, slash);
    int lo, hi, step = 1;
    if (base == "*") {
      lo = spec.min;
      hi = spec.max;
    } else if (auto dash = base.find('-'); dash != std::string_view::npos) {
      lo = parse_value(base.substr(0, dash), at, spec);
      hi = parse_value(base.substr(dash + 1), at + dash + 1, spec);
      if (lo > hi)
        throw CronError{spec.name, at,
                        fmt::format("{}: range {} goes backwards (write the smaller value first)",
                                    spec.name, base)};
    } else {
      lo = hi = parse_value(base, at, spec);
      if (slash != std::string_view::npos) hi = spec.max;  // "a/n": from a to the maximum
    }
    if (slash != std::string_view::npos) {
      auto step_text = item.substr(slash + 1);
      std::size_t step_at = at + slash + 1;
      if (step_text.empty())
        throw CronError{spec.name, step_at, fmt::format("{}: missing step after '/'", spec.name)};
      step = 0;
      for (char c : step_text) {
        if (!std::isdigit(static_cast<unsigned char>(c)))
          throw CronError{spec.name, step_at,
                          fmt::format("{}: step '{}' is not a number", spec.name, step_text)};
        step = step * 10 + (c - '0');
        if (step > 1000) break;
      }
      if (step == 0)
        throw CronError{spec.name, step_at, fmt::format("{}: step must be at least 1", spec.name)};
      if (step > spec.max - spec.min)
        throw CronError{spec.name, step_at,
                        fmt::format("{}: step {} is larger than the field's range {}-{}", spec.name,
                                    step_text, spec.min, spec.max)};
    }
    for (int v = lo; v <= hi; v += step) out.bits[static_cast<std::size_t>(v)] = true;
    if (comma == std::string_view::npos) break;
    item_start = comma + 1;
  }
  return out;
}

std::string_view expand_macro(std::string_view text, bool& known) {
  known = true;
  if (text == "@yearly" || text == "@annually") return "0 0 1 1 *";
  if (text == "@monthly") return "0 0 1 * *";
  if (text == "@weekly") return "0 0 * * 0";
  if (text == "@daily" || text == "@midnight") return "0 0 * * *";
  if (text == "@hourly") return "0 * * * *";
  known = false;
  return text;
}

}  // namespace

std::variant<CronExpr, CronError> CronExpr::parse(std::string_view text) {
  CronExpr e;
  e.text_ = std::string(text);
  std::string_view fields_text = text;
  if (!text.empty() && text[0] == '@') {
    bool known = false;
    fields_text = expand_macro(text, known);
    if (!known)
      return CronError{"", 0,
                       fmt::format("unknown macro '{}' (use @hourly, @daily, @weekly, @monthly "
                                   "or @yearly)",
                                   text)};
  }
  std::vector<Token> tokens;
  for (std::size_t i = 0; i < fields_text.size();) {
    if (std::isspace(static_cast<unsigned char>(fields_text[i]))) {
      ++i;
      continue;
    }
    std::size_t start = i;
    while (i < fields_text.size() && !std::isspace(static_cast<unsigned char>(fields_text[i]))) ++i;
    tokens.push_back({fields_text.substr(start, i - start), fields_text == text ? start : 0});
  }
  if (tokens.size() != 5)
    return CronError{"", tokens.size() > 5 ? tokens[5].offset : 0,
                     fmt::format("expected 5 fields (minute hour day-of-month month day-of-week), "
                                 "found {}",
                                 tokens.size())};
  try {
    FieldParse f[5];
    for (int i = 0; i < 5; ++i) f[i] = parse_field(tokens[static_cast<std::size_t>(i)], kFields[i]);
    for (std::size_t v = 0; v < 60; ++v) e.minutes_[v] = f[0].bits[v];
    for (std::size_t v = 0; v < 24; ++v) e.hours_[v] = f[1].bits[v];
    for (std::size_t v = 1; v <= 31; ++v) e.days_[v] = f[2].bits[v];
    for (std::size_t v = 1; v <= 12; ++v) e.months_[v] = f[3].bits[v];
    for (std::size_t v = 0; v < 7; ++v) e.weekdays_[v] = f[4].bits[v];
    if (f[4].bits[7]) e.weekdays_[0] = true;  // 7 is Sunday too
    e.minute_star_ = f[0].star;
    e.hour_star_ = f[1].star;
    e.dom_star_ = f[2].star;
    e.dow_star_ = f[4].star;
  } catch (const CronError& err) {
    return err;
  }

  // When only day-of-month selects days, some chosen day must exist in a chosen month.
  if (e.dow_star_) {
    static constexpr int kMaxDays[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool possible = false;
    int first_month = 0, first_day = 0;
    for (int m = 1; m <= 12 && !possible; ++m) {
      if (!e.months_[static_cast<std::size_t>(m)]) continue;
      if (!first_month) first_month = m;
      for (int d = 1; d <= kMaxDays[m]; ++d)
        if (e.days_[static_cast<std::size_t>(d)]) possible = true;
    }
    for (int d = 1; d <= 31 && !first_day; ++d)
      if (e.days_[static_cast<std::size_t>(d)]) first_day = d;
    if (!possible)
      return CronError{"day-of-month", tokens[2].offset,
                       fmt::format("day-of-month: day {} never occurs in {}", first_day,
                                   kMonthLong[static_cast<std::size_t>(first_month - 1)])};
  }
  return e;
}

bool CronExpr::matches_day(chr::year_month_day day) const {
  if (!months_[static_cast<unsigned>(day.month())]) return false;
  bool dom = days_[static_cast<unsigned>(day.day())];
  bool dow = weekdays_[chr::weekday{chr::sys_days{day}}.c_encoding()];
  return (dom_star_ || dow_star_) ? (dom && dow) : (dom || dow);
}

std::optional<local_seconds> CronExpr::next_match(local_seconds from, local_seconds limit) const {
  auto cursor = chr::ceil<chr::minutes>(from);
  while (cursor <= limit) {
    auto day = chr::floor<chr::days>(cursor);
    chr::year_month_day ymd{day};
    if (!months_[static_cast<unsigned>(ymd.month())]) {
      auto next_month = ymd.year() / ymd.month() / 1 + chr::months{1};
      cursor = chr::local_days{next_month};
      continue;
    }
    if (!matches_day(ymd)) {
      cursor = day + chr::days{1};
      continue;
    }
    auto minute_of_day = chr::duration_cast<chr::minutes>(cursor - day).count();
    auto h = static_cast<std::size_t>(minute_of_day / 60);
    auto m = static_cast<std::size_t>(minute_of_day % 60);
    if (!hours_[h]) {
      cursor = day + chr::hours{h + 1};
      continue;
    }
    while (m < 60 && !minutes_[m]) ++m;
    if (m == 60) {
      cursor = day + chr::hours{h + 1};
      continue;
    }
    return day + chr::hours{h} + chr::minutes{m};
  }
  return std::nullopt;
}

std::optional<sys_seconds> CronExpr::next_after(sys_seconds after, const TimeZone& zone) const {
  // Scan wall-clock times from a little before `after` (a fall-back overlap repeats up to
  // this much wall-clock time) and keep the earliest instant after `after`. Once a run is
  // found, later wall-clock times more than the slack beyond it cannot be earlier.
  constexpr chr::seconds kSlack = chr::hours{3};
  const local_seconds start = zone.to_local(after) - kSlack;
  const local_seconds limit = start + chr::days{366 * 100};
  std::optional<sys_seconds> best;
  local_seconds best_local{};
  for (auto cursor = start;;) {
    auto local = next_match(cursor, limit);
    if (!local || (best && *local > best_local + kSlack)) break;
    cursor = *local + chr::minutes{1};

    auto r = zone.resolve(*local);
    sys_seconds candidates[2];
    int n = 0;
    switch (r.kind) {
      case LocalResolution::Kind::unique:
        candidates[n++] = r.first;
        break;
      case LocalResolution::Kind::ambiguous:
        candidates[n++] = r.first;
        if (!fixed_time()) candidates[n++] = r.second;
        break;
      case LocalResolution::Kind::nonexistent:
        if (fixed_time()) candidates[n++] = r.gap_end;
        break;
    }
    for (int i = 0; i < n; ++i) {
      if (candidates[i] > after && (!best || candidates[i] < *best)) {
        best = candidates[i];
        best_local = *local;
      }
    }
  }
  return best;
}

}  // namespace squash::scheduler
