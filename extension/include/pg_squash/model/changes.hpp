// Object-level differences between two snapshots: what diff() reports as rows, kept as
// pointers to the objects on either side, for the machine-readable diff and the repair
// script. Renames are paired by diff()'s rule.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pg_squash/model/snapshot.hpp"

namespace squash::model {

enum class ChangeKind { kAdded, kRemoved, kChanged, kRenamed };

struct ObjectChange {
  ChangeKind change;
  const Object* source;  // nullptr when added
  const Object* target;  // nullptr when removed
};

// What turns source into target, one entry per object (both snapshots normalized), ordered
// by identity part by part, then kind. A rename is a removed and an added object of the
// same kind and parent with identical attributes, each the other's only candidate.
std::vector<ObjectChange> object_changes(const Snapshot& source, const Snapshot& target);

const char* change_name(ChangeKind change);

// The machine-readable diff (squash_diff_json): {"source": ..., "target": ...,
// "source_fingerprint": ..., "target_fingerprint": ..., "changes": [{"kind", "identity",
// "change", "from" (renames), "attributes": [{"attribute", "old", "new"}]}]}; old is the
// source's value, new the target's, null where absent. Deterministic.
std::string changes_json(const std::vector<ObjectChange>& changes, const std::string& source_label,
                         const std::optional<std::string>& target_label,
                         const std::string& source_fingerprint,
                         const std::string& target_fingerprint);

}  // namespace squash::model
