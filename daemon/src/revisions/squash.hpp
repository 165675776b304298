// Squashing an Alembic versions folder: REV and all its ancestors are replaced by one
// generated base revision. Planned completely (and checked) before anything is touched;
// applied with renames only, in an order where every intermediate state is one that
// Alembic refuses to run (dangling references) rather than one it would run wrongly.
//
// Refusal rules (each reported; nothing is changed when any holds):
// - the folder changed since inspect (--expect-digest), or it is not a valid history;
// - no REV given and the folder has several heads (or none), or REV is not a revision id;
// - the generated file: not a revision, id invalid or equal to a remaining revision or
//   branch label, down_revision not None (or absent), depends_on not empty;
// - the replaced set (REV and its ancestors through down_revision and depends_on) is not
//   closed: a remaining revision names a replaced revision other than REV (a branch that
//   started before REV and continues after it, or a dependency into the middle);
// - REV is not an ancestor of every remaining revision (an independent base would be
//   left beside the squashed revision);
// - a file name is taken: DIR/<generated name> (unless it moves away) or
//   ARCHIVE/<name> for a replaced file;
// - the archive folder is inside a version location (Alembic with
//   recursive_version_locations would load the archived revisions again);
// - the result would not be a valid history (checked by analyzing the planned folder).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "revisions/graph.hpp"

namespace squash::revisions {

// The archive, by default: <script_location>/archived_revisions/<new id>/ (for a plain
// folder, its parent stands for script_location), outside every version location.
inline constexpr char kArchiveDir[] = "archived_revisions";
std::string default_archive_dir(const Folder& folder, const std::string& new_id);

struct Move {
  std::string from;  // relative to the folder: "a.py"
  std::string to;    // relative to the folder: "../archived_revisions/<new id>/a.py"
};

struct Rewrite {
  std::string file;
  std::string field;  // down_revision or depends_on
  int line = 0;
  std::string old_literal, new_literal;  // as written in the file
};

struct SquashPlan {
  std::string digest_before;
  std::string upto;            // REV
  std::string new_id;          // the generated revision's id
  std::string generated_name;  // its path in the folder (beside REV's file)
  std::string archive_dir;     // absolute
  std::string generated_text;
  std::vector<std::string> replaced;  // ids, parents first
  std::vector<std::string> remaining;
  std::vector<Move> moves;
  std::vector<Rewrite> rewrites;
  std::vector<std::pair<std::string, std::string>> new_texts;  // rewritten file → its text
  std::vector<std::string> heads_after;
  std::vector<std::string> refusals;  // non-empty: do not apply
  std::vector<std::string> notes;

  bool ok() const { return refusals.empty(); }
};

// `generated` is the parsed generated file; `generated_name` its file name; it goes
// beside REV's file. `archive_dir` empty: default_archive_dir().
SquashPlan plan_squash(const Folder& folder, const Graph& graph, const RevisionFile& generated,
                       const std::string& generated_name, const std::optional<std::string>& upto,
                       const std::optional<std::string>& expect_digest,
                       const std::string& archive_dir = "");

// Applies an ok() plan to `folder` (read again with the same locations). Re-checks the
// digest first. On any failure undoes
// what was done and throws std::runtime_error saying so.
void apply_squash(const SquashPlan& plan, const Folder& folder);
void apply_squash(const SquashPlan& plan, const std::string& dir);  // a plain folder

}  // namespace squash::revisions
