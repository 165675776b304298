// The control database's schema, squashd_control, created and migrated by squashd at
// start: numbered migrations, each applied once in its own transaction under an advisory
// lock, recorded in squashd_control.schema_version.
#pragma once

#include <string>
#include <vector>

#include "db/connection.hpp"

namespace squash::control {

struct Migration {
  int version;
  std::vector<std::string> statements;  // fixed text: no value is ever pasted in
};

// Every migration, oldest first; the last one's version is what this squashd knows.
const std::vector<Migration>& migrations();
int known_schema_version();

// Brings the schema to known_schema_version() and returns the version found before.
// Throws std::runtime_error when the database holds a newer version than this squashd
// knows (an older squashd must not write a newer schema), or db::PgError.
int migrate(db::Connection& conn, const std::string& squashd_version);

}  // namespace squash::control
