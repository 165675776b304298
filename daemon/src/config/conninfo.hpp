// Checks on libpq connection strings (key=value or postgresql:// URI).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace squash::config {

// What is wrong with a conninfo, or nullopt: a libpq syntax error, or a password in it
// (passwords live in a pgpass file named by `passfile`, never in the config).
std::optional<std::string> conninfo_problem(const std::string& conninfo);

}  // namespace squash::config
