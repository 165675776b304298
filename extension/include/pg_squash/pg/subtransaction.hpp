// Runs C++ code inside an internal subtransaction, so that an ERROR in it (a broken view
// queried by a check, say) is rolled back and reported instead of aborting the caller.
#pragma once

#include <optional>
#include <string>

#include "pg_squash/pg/boundary.hpp"

extern "C" {
#include "utils/resowner.h"
}

namespace squash {

class Subtransaction {
 public:
  Subtransaction();   // BeginInternalSubTransaction
  ~Subtransaction();  // rolls back unless commit() ran
  Subtransaction(const Subtransaction&) = delete;
  Subtransaction& operator=(const Subtransaction&) = delete;
  void commit();

 private:
  void restore() noexcept;
  MemoryContext context_;
  ResourceOwner owner_;
  bool open_ = false;
};

// Runs f() in a subtransaction. Returns nullopt on success, else the error message (the
// subtransaction is rolled back; the caller's transaction carries on).
template <typename F>
std::optional<std::string> try_in_subtransaction(F&& f) {
  try {
    Subtransaction sub;
    f();
    sub.commit();
    return std::nullopt;
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
}

}  // namespace squash
