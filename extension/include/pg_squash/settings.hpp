// Settings (GUCs) defined in module.cpp.
#pragma once

namespace squash::settings {
extern char* version_table;  // pg_squash.version_table
}
