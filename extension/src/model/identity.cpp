// Splitting identities into their quoted parts (see identity.hpp).
#include "pg_squash/model/identity.hpp"

namespace squash::model {

namespace {

// Calls part(begin, end) for every dot-separated part of identity.
template <typename F>
void for_each_part(std::string_view identity, F&& part) {
  bool in_quotes = false;
  int depth = 0;  // parentheses outside quotes
  std::size_t start = 0;
  for (std::size_t i = 0; i < identity.size(); i++) {
    const char c = identity[i];
    if (c == '"') {
      // A doubled quote inside a quoted part toggles twice: still inside.
      in_quotes = !in_quotes;
    } else if (in_quotes) {
      continue;
    } else if (c == '(') {
      depth++;
    } else if (c == ')') {
      if (depth > 0) depth--;
    } else if (c == '.' && depth == 0) {
      part(start, i);
      start = i + 1;
    }
  }
  part(start, identity.size());
}

}  // namespace

std::vector<std::string_view> split_identity(std::string_view identity) {
  std::vector<std::string_view> parts;
  for_each_part(identity, [&](std::size_t begin, std::size_t end) {
    parts.push_back(identity.substr(begin, end - begin));
  });
  return parts;
}

IdentityTail split_last(std::string_view identity) {
  std::size_t last_start = 0;
  for_each_part(identity, [&](std::size_t begin, std::size_t) { last_start = begin; });
  if (last_start == 0) return {std::string_view(), identity};
  return {identity.substr(0, last_start - 1), identity.substr(last_start)};
}

void append_identity_sort_key(std::string& out, std::string_view identity) {
  const std::size_t at = out.size();
  out.append(identity.data(), identity.size());
  for_each_part(identity, [&](std::size_t, std::size_t end) {
    if (end < identity.size()) out[at + end] = '\0';
  });
}

std::string identity_sort_key(std::string_view identity) {
  std::string key;
  append_identity_sort_key(key, identity);
  return key;
}

}  // namespace squash::model
