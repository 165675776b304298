// Dependency order of managed views. Pure C++: no PostgreSQL headers, so the ordering can be
// tested without a server.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace squash::views {

// Thrown when the dependencies form a cycle; `cycle` lists node indexes, each depending on
// the next, the last on the first.
class DependencyCycle : public std::runtime_error {
 public:
  explicit DependencyCycle(std::vector<size_t> cycle)
      : std::runtime_error("dependency cycle"), cycle_(std::move(cycle)) {}
  const std::vector<size_t>& cycle() const noexcept { return cycle_; }

 private:
  std::vector<size_t> cycle_;
};

// Orders nodes 0..names.size()-1 so that every node comes after the nodes it depends on
// (depends_on[i] lists them; indexes out of range and self-references are ignored). Among
// nodes that are ready at the same time the smaller name comes first, so the order is the
// same on every run and every server. Throws DependencyCycle.
std::vector<size_t> dependency_order(const std::vector<std::string>& names,
                                     const std::vector<std::vector<size_t>>& depends_on);

}  // namespace squash::views
