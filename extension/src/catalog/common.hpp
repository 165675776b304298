// Internals of the catalog reader: Text helpers (common.cpp).
#pragma once

// C++ standard and model headers before any PostgreSQL header (see pg/boundary.hpp).
#include <algorithm>
#include <climits>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "pg_squash/catalog/catalog_reader.hpp"
#include "pg_squash/model/printable.hpp"
#include "query.hpp"

namespace squash::catalog {

// Elements of a one-dimensional array in text form ("{a,\"b c\",NULL}"); NULL as "NULL".
std::vector<std::string> parse_array(std::string_view text);
// "{1,2,3}" for a list of numbers, to put into SQL as '{...}'::pg_catalog.oid[].
template <typename T>
std::string array_literal(const T& values) {
  std::string out = "{";
  bool first = true;
  for (const auto& v : values) {
    if (!first) out += ',';
    first = false;
    out += std::to_string(v);
  }
  return out + "}";
}
// Space-separated numbers (int2vector / oidvector text).
std::vector<int64_t> parse_vector(std::string_view text);
using model::join;
// Sorted "key=value" options (reloptions, attoptions), joined by ", "; "" when NULL/empty.
std::string render_options(std::string_view array_text,
                           const std::vector<std::string_view>& drop_prefixes = {});
// identity parts joined: quote_ident(schema) "." quote_ident(name)
std::string qualified(std::string_view schema, std::string_view name);
std::string quote(std::string_view name);                     // quote_ident rules
void append_quoted(std::string& out, std::string_view name);  // out += quote(name)
std::string bool_text(bool b);

}  // namespace squash::catalog
