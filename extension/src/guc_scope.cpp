// GucScope (see guc_scope.hpp).
#include "pg_squash/guc_scope.hpp"

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

}  // namespace squash
