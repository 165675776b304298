// Checks on libpq connection strings (key=value or postgresql:// URI), parsed by libpq.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace squash::config {

// The libpq keywords that carry a secret. A conninfo holding one is refused everywhere:
// the string reaches pg_dump's command line and squashd's debug log. libpq's own
// password-like options (those it displays as "*") count too, whatever their name.
const std::vector<std::string_view>& secret_conninfo_keys();

// The secret keywords set in conninfo, in libpq's order (never their values); empty when
// none is set or when libpq cannot parse it.
std::vector<std::string> secret_keys_in(const std::string& conninfo);

// What is wrong with a conninfo, or nullopt: a libpq syntax error, or a secret in it
// (passwords live in a pgpass file named by `passfile`). The message names the key and
// never quotes the value.
std::optional<std::string> conninfo_problem(const std::string& conninfo);

}  // namespace squash::config
