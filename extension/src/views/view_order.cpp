// Dependency order of managed views (see view_order.hpp): Kahn's algorithm with a name-ordered
// ready set.
#include "pg_squash/views/view_order.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <queue>
#include <utility>

namespace squash::views {

namespace {

// A cycle among the nodes left over once nothing more is ready: walk unfinished
// dependencies until a node repeats.
std::vector<size_t> find_cycle(const std::vector<std::vector<size_t>>& deps,
                               const std::vector<bool>& done, size_t start) {
  std::vector<size_t> path;
  std::vector<size_t> seen_at(deps.size(), SIZE_MAX);
  size_t node = start;
  while (seen_at[node] == SIZE_MAX) {
    seen_at[node] = path.size();
    path.push_back(node);
    size_t next = node;
    for (size_t d : deps[node]) {
      if (!done[d]) {
        next = d;
        break;
      }
    }
    if (next == node) return {node};  // not reached: a left-over node has a left-over dependency
    node = next;
  }
  return std::vector<size_t>(path.begin() + static_cast<std::ptrdiff_t>(seen_at[node]), path.end());
}

}  // namespace

std::vector<size_t> dependency_order(const std::vector<std::string>& names,
                                     const std::vector<std::vector<size_t>>& depends_on) {
  const size_t n = names.size();
  std::vector<std::vector<size_t>> deps(n), dependents(n);
  std::vector<size_t> waiting(n, 0);
  for (size_t i = 0; i < n && i < depends_on.size(); i++) {
    std::vector<size_t> d = depends_on[i];
    std::sort(d.begin(), d.end());
    d.erase(std::unique(d.begin(), d.end()), d.end());
    for (size_t j : d) {
      if (j >= n || j == i) continue;
      deps[i].push_back(j);
      dependents[j].push_back(i);
      waiting[i]++;
    }
  }
  auto later = [&](size_t a, size_t b) {
    return names[a] > names[b] || (names[a] == names[b] && a > b);
  };
  std::priority_queue<size_t, std::vector<size_t>, decltype(later)> ready(later);
  for (size_t i = 0; i < n; i++)
    if (waiting[i] == 0) ready.push(i);

  std::vector<size_t> order;
  std::vector<bool> done(n, false);
  order.reserve(n);
  while (!ready.empty()) {
    size_t i = ready.top();
    ready.pop();
    order.push_back(i);
    done[i] = true;
    for (size_t d : dependents[i])
      if (--waiting[d] == 0) ready.push(d);
  }
  if (order.size() < n) {
    size_t start = 0;
    while (done[start]) start++;
    std::vector<size_t> cycle = find_cycle(deps, done, start);
    throw DependencyCycle(std::move(cycle));
  }
  return order;
}

}  // namespace squash::views
