// The diff of two stored snapshots, read in place: both documents are walked once side by
// side (StoredFormReader), each one's fingerprint computed on the way, and only the objects
// that differ are copied out. Nothing of the equal rest is ever built, so two large
// snapshots that differ by a few objects cost one pass over their bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pg_squash/model/diff.hpp"
#include "pg_squash/model/snapshot_json.hpp"

namespace squash::model {

struct StoredDiff {
  std::vector<Difference> rows;    // what diff() gives for the decoded snapshots
  std::string source_fingerprint;  // of each document as read, to be checked
  std::string target_fingerprint;  // against the recorded ones
};

// A FormatError, and which document it is about.
class StoredFormError : public FormatError {
 public:
  enum Side { kSource, kTarget };
  StoredFormError(Side side, std::string m) : FormatError(std::move(m)), side_(side) {}
  Side side() const { return side_; }

 private:
  Side side_;
};

// std::nullopt when a document's objects or attributes are not in normalized order (only a
// document encode() did not write): decode() it instead, which sorts. Malformed bytes throw
// StoredFormError; what is copied out is capped as decode() caps what it builds.
std::optional<StoredDiff> diff_stored(std::string_view source, std::string_view target);

}  // namespace squash::model
