// GucScope (see guc_scope.hpp).
#include "pg_squash/pg/guc_scope.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace squash {

GucScope::GucScope() : nest_level_(pg_call([] { return NewGUCNestLevel(); })) {}

GucScope::~GucScope() {
  boundary::try_postgres([](void* level) { AtEOXact_GUC(true, *static_cast<int*>(level)); },
                         &nest_level_);
}

void GucScope::set(const char* name, const std::string& value) {
  pg_call([&] {
    (void)set_config_option(name, value.c_str(), PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true,
                            0, false);
  });
}

void pin_output_settings(GucScope& guc) {
  guc.set("search_path", "pg_catalog, pg_temp");
  guc.set("quote_all_identifiers", "off");
  guc.set("standard_conforming_strings", "on");
  guc.set("DateStyle", "ISO, YMD");
  guc.set("IntervalStyle", "postgres");
  guc.set("TimeZone", "UTC");
  guc.set("extra_float_digits", "1");
  guc.set("bytea_output", "hex");
  guc.set("xmloption", "content");
  guc.set("lc_monetary", "C");
  guc.set("lc_numeric", "C");
}

}  // namespace squash
