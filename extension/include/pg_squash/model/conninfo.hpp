// libpq connection strings without their secrets: what a subscription's connection string
// and a user mapping's options may carry into a snapshot. Pure C++ (no PostgreSQL headers),
// unit-tested in tests/unit/test_conninfo.cpp.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace squash::model {

// A key whose value is a secret: libpq's password keys (password, sslpassword,
// oauth_client_secret) and, for foreign-data wrappers that name theirs differently, any key
// containing "password", "passwd" or "secret" (but password_required, a switch).
// Case-insensitive.
bool is_secret_key(std::string_view key);

// An option of a foreign-data wrapper, server or foreign table (user_mapping false) or of a
// user mapping (true) whose value must stay out of a snapshot. Wrappers name credentials in
// many ways (token, api_key, access_key_id, private_key, passphrase, credentials, ...), so
// beyond is_secret_key any name with one of those words counts; a user mapping exists to
// hold credentials, so every option of one is secret but user/username and the
// non-secret postgres_fdw switches and file paths (password_required, sslcert, sslkey,
// sslrootcert). Case-insensitive; errs on the side of hiding.
bool is_secret_option(std::string_view key, bool user_mapping);

struct Conninfo {
  bool ok = false;    // false: not a connection string libpq would accept
  std::string error;  // why, without any value from the text
  std::vector<std::pair<std::string, std::string>> params;  // non-secret, sorted by key
  std::vector<std::string> secret_keys;                     // sorted, unique
};

// Parses a connection string in key=value form ("host=a port=5432 password='x y'") or URI
// form ("postgresql://user:secret@host:5432/db?sslmode=require"), as libpq does: values
// unquoted, URI parts percent-decoded and named as their keywords (host, port, user,
// password, dbname). Secret values are dropped; their keys are kept in secret_keys.
Conninfo parse_conninfo(std::string_view text);

// The non-secret parameters as one key=value string, values quoted where needed
// (key='it''s' style: single quotes, backslash-escaped), keys in sorted order.
std::string conninfo_text(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace squash::model
