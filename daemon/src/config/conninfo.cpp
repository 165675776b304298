#include "config/conninfo.hpp"

#include <algorithm>
#include <cctype>
#include <memory>

#include <fmt/format.h>
#include <libpq-fe.h>

namespace squash::config {

namespace {

using Options = std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)>;

// libpq's parse of conninfo, or nullptr with *error set.
Options parse(const std::string& conninfo, std::string* error) {
  char* err = nullptr;
  Options options(PQconninfoParse(conninfo.c_str(), &err), &PQconninfoFree);
  if (!options && error) {
    *error = err ? err : "out of memory";
    while (!error->empty() && (error->back() == '\n' || error->back() == ' ')) error->pop_back();
  }
  if (err) PQfreemem(err);
  return options;
}

bool is_secret(const PQconninfoOption& o) {
  const auto& keys = secret_conninfo_keys();
  return std::find(keys.begin(), keys.end(), o.keyword) != keys.end() ||
         (o.dispchar && std::string_view(o.dispchar).find('*') != std::string_view::npos);
}

// libpq's syntax errors quote pieces of the string (a URI whole): not shown when the
// string may hold a secret.
bool may_hold_secret(const std::string& conninfo) {
  std::string lower;
  for (char c : conninfo) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.find("password") != std::string::npos || lower.find("secret") != std::string::npos)
    return true;
  for (std::string_view scheme : {"postgresql://", "postgres://"})
    if (lower.rfind(scheme, 0) == 0) {
      auto authority = lower.substr(scheme.size(), lower.find_first_of("/?", scheme.size()));
      auto at = authority.rfind('@');
      return at != std::string::npos && authority.substr(0, at).find(':') != std::string::npos;
    }
  return false;
}

std::string where_instead(std::string_view key) {
  if (key == "password")
    return "put the password in a pgpass file and name that file with passfile";
  if (key == "sslpassword")
    return "give squashd a client key that is not encrypted, readable only by its user (sslkey)";
  return "squashd cannot keep it secret";
}

}  // namespace

const std::vector<std::string_view>& secret_conninfo_keys() {
  static const std::vector<std::string_view> keys = {"password", "sslpassword",
                                                     "oauth_client_secret"};
  return keys;
}

std::vector<std::string> secret_keys_in(const std::string& conninfo) {
  std::vector<std::string> out;
  auto options = parse(conninfo, nullptr);
  if (!options) return out;
  for (auto* o = options.get(); o->keyword; ++o)
    if (o->val && is_secret(*o)) out.emplace_back(o->keyword);
  return out;
}

std::optional<std::string> conninfo_problem(const std::string& conninfo) {
  std::string error;
  if (!parse(conninfo, &error)) {
    if (may_hold_secret(conninfo))
      return "conninfo is not a valid libpq connection string (libpq's message is not shown: it "
             "may quote a secret)";
    return "conninfo is not a valid libpq connection string: " + error;
  }
  auto secrets = secret_keys_in(conninfo);
  if (secrets.empty()) return std::nullopt;
  return fmt::format(
      "conninfo contains a secret ({}): never a secret in the config, it would reach pg_dump's "
      "command line and the log; {}",
      fmt::join(secrets, ", "), where_instead(secrets.front()));
}

}  // namespace squash::config
