// views/view_order: managed views in dependency order, ties by name, cycles named.
#include <gtest/gtest.h>

#include "pg_squash/views/view_order.hpp"

namespace squash::views {
namespace {

TEST(ViewOrder, DependenciesComeFirst) {
  // d depends on b and c, b and c on a.
  std::vector<std::string> names = {"d", "c", "b", "a"};
  std::vector<std::vector<size_t>> deps = {{1, 2}, {3}, {3}, {}};
  std::vector<size_t> order = dependency_order(names, deps);
  ASSERT_EQ(order.size(), 4u);
  std::vector<std::string> got;
  for (size_t i : order) got.push_back(names[i]);
  EXPECT_EQ(got, (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(ViewOrder, TiesGoByNameWhateverTheInputOrder) {
  std::vector<std::string> names = {"zeta", "alpha", "mid"};
  std::vector<std::vector<size_t>> none(3);
  std::vector<size_t> order = dependency_order(names, none);
  EXPECT_EQ(names[order[0]], "alpha");
  EXPECT_EQ(names[order[1]], "mid");
  EXPECT_EQ(names[order[2]], "zeta");
}

TEST(ViewOrder, SelfReferencesAndOutOfRangeIndexesAreIgnored) {
  std::vector<std::string> names = {"a", "b"};
  std::vector<std::vector<size_t>> deps = {{0, 7}, {0}};
  std::vector<size_t> order = dependency_order(names, deps);
  EXPECT_EQ(order, (std::vector<size_t>{0, 1}));
}

TEST(ViewOrder, ACycleIsNamedNodeByNode) {
  // a -> b -> c -> a, and d outside it.
  std::vector<std::string> names = {"a", "b", "c", "d"};
  std::vector<std::vector<size_t>> deps = {{1}, {2}, {0}, {}};
  try {
    dependency_order(names, deps);
    FAIL() << "no cycle reported";
  } catch (const DependencyCycle& e) {
    const std::vector<size_t>& cycle = e.cycle();
    ASSERT_EQ(cycle.size(), 3u);
    for (size_t k = 0; k < cycle.size(); k++) {
      const auto& next = deps[cycle[k]];
      EXPECT_NE(std::find(next.begin(), next.end(), cycle[(k + 1) % cycle.size()]), next.end())
          << "each node depends on the next";
    }
  }
}

}  // namespace
}  // namespace squash::views
