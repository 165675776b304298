#include <gtest/gtest.h>

#include "scheduler/duration.hpp"

namespace squash::scheduler {
namespace {

using std::chrono::seconds;

TEST(Duration, ParsesHoursMinutesSeconds) {
  struct Case {
    const char* text;
    long long secs;
  } cases[] = {{"2h", 7200},     {"90m", 5400},  {"1h30m", 5400}, {"45s", 45},
               {"1h1m1s", 3661}, {"2h0m", 7200}, {"168h", 604800}};
  for (const auto& c : cases) {
    auto r = parse_duration(c.text);
    ASSERT_TRUE(std::holds_alternative<seconds>(r)) << c.text;
    EXPECT_EQ(std::get<seconds>(r).count(), c.secs) << c.text;
  }
}

TEST(Duration, RefusesBadText) {
  struct Case {
    const char* text;
    std::size_t offset;
    const char* message;
  } cases[] = {
      {"", 0, "empty duration"},
      {"2", 1, "missing unit after 2"},
      {"h", 0, "expected a whole number"},
      {"2x", 1, "unknown unit 'x'"},
      {"2d", 1, "unknown unit 'd'"},
      {"1.5h", 1, "unknown unit '.'"},
      {"30m1h", 4, "largest first"},
      {"1h1h", 3, "largest first"},
      {"0m", 0, "longer than zero"},
      {"169h", 0, "longer than the maximum 168h"},
      {" 2h", 0, "expected a whole number"},
      {"2h ", 2, "expected a whole number"},
      {"-2h", 0, "expected a whole number"},
  };
  for (const auto& c : cases) {
    auto r = parse_duration(c.text);
    ASSERT_TRUE(std::holds_alternative<DurationError>(r)) << c.text;
    auto& e = std::get<DurationError>(r);
    EXPECT_EQ(e.offset, c.offset) << c.text;
    EXPECT_NE(e.message.find(c.message), std::string::npos) << c.text << " → " << e.message;
  }
}

TEST(Duration, FormatsBackToTheShortestText) {
  EXPECT_EQ(format_duration(seconds{7200}), "2h");
  EXPECT_EQ(format_duration(seconds{5400}), "1h30m");
  EXPECT_EQ(format_duration(seconds{3661}), "1h1m1s");
  EXPECT_EQ(format_duration(seconds{45}), "45s");
  EXPECT_EQ(format_duration(seconds{0}), "0s");
}

}  // namespace
}  // namespace squash::scheduler
