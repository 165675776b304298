// Settings changed for the duration of one C++ scope, as a function's SET clause would,
// restored by the destructor (and by transaction abort if an error gets there first).
#pragma once

#include <string>

#include "pg_squash/pg/boundary.hpp"

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

// Pins what decides how values and expressions are spelled (search_path, quoting, date,
// interval, time zone, float, bytea and locale formats), so that the same catalog or row
// reads the same in every session. extra_float_digits > 0 gives the shortest exact form.
void pin_output_settings(GucScope& guc);

}  // namespace squash
