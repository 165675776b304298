#include "config/conninfo.hpp"

#include <cstring>

#include <libpq-fe.h>

namespace squash::config {

std::optional<std::string> conninfo_problem(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &err);
  if (!options) {
    std::string message = err ? err : "out of memory";
    if (err) PQfreemem(err);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    return "conninfo is not a valid libpq connection string: " + message;
  }
  bool has_password = false;
  for (auto* o = options; o->keyword; ++o)
    if (o->val && std::strcmp(o->keyword, "password") == 0) has_password = true;
  PQconninfoFree(options);
  if (has_password)
    return "conninfo contains a password: never a password in the config; put it in a pgpass "
           "file and name that file with passfile";
  return std::nullopt;
}

}  // namespace squash::config
