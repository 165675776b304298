// Settings changed for the duration of one C++ scope, as a function's SET clause would,
// restored by the destructor (and by transaction abort if an error gets there first).
#pragma once

#include <string>

#include "pg_squash/boundary.hpp"

namespace squash {

class GucScope {
 public:
  GucScope();
  ~GucScope();
  GucScope(const GucScope&) = delete;
  GucScope& operator=(const GucScope&) = delete;

  void set(const char* name, const std::string& value);

 private:
  int nest_level_;
};

}  // namespace squash
