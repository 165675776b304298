// Differences between two normalized snapshots, as squash_diff() returns them.
#pragma once

#include <string>
#include <vector>

#include "pg_squash/model/flat_snapshot.hpp"
#include "pg_squash/model/snapshot.hpp"

namespace squash::model {

struct Difference {
  std::string kind;      // object kind, e.g. "column", "index", "column order"
  std::string identity;  // schema-qualified
  std::string change;    // "added", "removed" or "changed"
  std::string detail;    // what changed, "attr: old → new; ..."
};

// What turns source into target. Empty exactly when fingerprint(source) ==
// fingerprint(target). Both snapshots must be normalized (ModelError otherwise).
//
// Rows:
// - an object only in target: "added", detail a short summary of its attributes
//   ("type integer, not null, default 0"); only in source: "removed", same summary.
// - an object in both with different attributes: one "changed" row, detail every differing
//   attribute as "key: old → new" joined by "; ", "(none)" for a missing attribute:
//   "default: true → (none); on_delete: CASCADE → NO ACTION". A value that is empty, is
//   "(none)" or has a space at either end is shown in double quotes. When a
//   value is longer than 200 bytes (view definitions, function bodies) it is shown around
//   its first difference: `definition: changed at character 123: "...old..." → "...new..."`.
//   Control characters in values are shown escaped (\n, \t, \xNN).
// - a rename: a removed and an added object of the same kind, with the same parent (the
//   identity without its last part, see identity.hpp) and identical attributes, paired only
//   when neither has another such candidate: one "changed" row under the new identity,
//   detail "renamed: old_name → new_name".
//
// Order: by identity compared part by part (so a table's columns, constraints and indexes
// follow the table's own rows, and "public.t2" comes after everything under "public.t"),
// then primary kinds before attachments ("column order", "comment", "owner", "privileges",
// "acl"), then kind bytewise.
std::vector<Difference> diff(const Snapshot& source, const Snapshot& target);
// The same rows for two compact snapshots: only the objects that differ are ever copied
// out of them, so equal halves of two large snapshots cost one comparison pass.
std::vector<Difference> diff(const FlatSnapshot& source, const FlatSnapshot& target);

// One line for messages: "kind identity change: detail".
std::string describe(const Difference& d);

}  // namespace squash::model
