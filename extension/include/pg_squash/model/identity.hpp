// Object identities. The catalog reader builds an identity from dot-separated parts, each
// quoted with PostgreSQL's quote_ident rules ("public.genes.symbol",
// "public.\"odd.name\".id", "public.f(integer, public.t)"). These helpers split an identity
// into its parts: a dot inside double quotes or inside parentheses (function arguments) is
// not a separator.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace squash::model {

// The dot-separated parts, quotes kept as written. "a.\"b.c\".d" -> a, "b.c", d.
std::vector<std::string_view> split_identity(std::string_view identity);

struct IdentityTail {
  std::string_view parent;  // everything before the last separator; empty for one part
  std::string_view name;    // the last part
};

// Splits off the last part: "public.t.col" -> {"public.t", "col"}.
IdentityTail split_last(std::string_view identity);

// The identity with every separating dot replaced by a NUL byte. Sorting identities by
// this key compares them part by part, so a parent sorts right before its children
// ("public.t", "public.t.a", "public.t$x", "public.t2").
std::string identity_sort_key(std::string_view identity);

// identity_sort_key(), appended to out.
void append_identity_sort_key(std::string& out, std::string_view identity);

}  // namespace squash::model
