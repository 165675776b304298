// An Alembic versions folder read from disk, and the revision graph Alembic 1.8 would
// build from it, with everything that makes Alembic refuse it.
//
// Which files Alembic loads (alembic/script/base.py, 1.8): every name directly in the
// folder ending in ".py", except names starting with "__init__" or ".#". It does not
// descend into subfolders (recursive_version_locations came in 1.10), so *.py files in
// subfolders are listed as "not loaded by Alembic" unless the folder was read with
// recursive (--config with recursive_version_locations = true): then they load too.
//
// What counts as a refusal (an "error"), each matching what Alembic does:
// - a loaded file Python cannot tokenize, or without a module-level `revision` string
//   ("Could not determine revision id"), or without `down_revision` (AttributeError);
// - a value we cannot read as a literal (we do not guess what Python would compute), or
//   a binding Python might read differently (revision_file.hpp: ';' lines, assignments
//   under if/try/with/..., tuple targets, two assignments, ...);
// - a revision id that is empty or holds '@', '-' or '+' (Revision.verify_rev_id);
// - the same id in two loaded files: Alembic only warns and keeps whichever file
//   os.listdir returned last, so the graph depends on directory order — refused;
// - a branch label used twice or equal to a revision id (RevisionError);
// - a down_revision or depends_on naming neither a revision nor a branch label;
// - a cycle through down_revision and depends_on (LoopDetected, CycleDetected).
// Warnings (exit status unaffected): files in subfolders, and ids there that repeat a
// loaded revision.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "revisions/revision_file.hpp"

namespace squash::revisions {

struct Folder {
  std::string dir;  // file names are relative to it
  // The version locations, relative to dir ("." for the folder itself), and whether
  // Alembic also loads their subfolders (recursive_version_locations, Alembic >= 1.10).
  std::vector<std::string> locations{"."};
  bool recursive = false;
  std::string script_location;           // from --config; empty for a plain folder
  std::vector<RevisionFile> loaded;      // files Alembic loads, sorted by name
  std::vector<RevisionFile> not_loaded;  // *.py files in subfolders it skips, sorted by path
  std::vector<std::string> ignored;      // *.py names Alembic skips (__init__.py)
  // SHA-256 (hex) of the lines "<sha256 of file>  <relative path>\n" for every *.py file
  // of the folder and its subfolders (not __pycache__), sorted by path: the text
  // `sha256sum` prints for those files, so a shell can recompute it.
  std::string digest;
};

// Reads the folder. Throws std::runtime_error when it is not a readable directory.
Folder read_folder(const std::string& dir);

// Reads several version locations (absolute paths) as one folder whose dir is their
// deepest common parent. A file reached twice (overlapping locations) is read once, as
// Alembic does. Throws std::runtime_error when a location is not a readable directory.
Folder read_locations(const std::vector<std::string>& locations, bool recursive);

// The digest of (relative path, file sha256) pairs as described above.
std::string folder_digest(std::vector<std::pair<std::string, std::string>> path_and_sha256);

std::string sha256_hex(const std::string& data);

struct Problem {
  enum Severity { Error, Warning } severity = Error;
  std::string message;
};

struct Node {
  std::string id;
  std::size_t file = 0;  // index into the loaded files given to analyze()
  std::vector<std::string> down, depends_on, branch_labels;  // as written
  std::vector<int> down_nodes, depends_nodes;                // resolved (ids or labels)
  std::vector<int> children;                                 // via down_revision
};

struct Dangling {
  std::string from;   // revision id
  std::string field;  // "down_revision" or "depends_on"
  std::string target;
};

struct Graph {
  std::vector<RevisionFile> files;  // the loaded files analyzed (copied)
  std::vector<Node> nodes;
  std::map<std::string, int> by_id;
  std::map<std::string, int> by_label;
  std::vector<int> order;  // parents before children; nodes on cycles last
  std::vector<int> heads, bases, merge_points, branch_points;
  std::vector<std::pair<int, int>> depends_edges;              // (revision, what it depends on)
  std::map<std::string, std::vector<std::string>> duplicates;  // id → files
  std::vector<Dangling> dangling;
  std::vector<std::vector<std::string>> cycles;
  std::vector<std::string> not_revisions;  // loaded files without a usable revision
  std::vector<Problem> problems;

  bool accepted() const;
  int find(const std::string& id_or_label) const;  // -1 when unknown
  // Every node reachable through down_revision and depends_on (not `from` itself).
  std::vector<int> ancestors(int from) const;
  // Every node that reaches `from` through down_revision or depends_on.
  std::vector<int> descendants(int from) const;
};

// `not_loaded` only adds warnings (subfolder files, ids repeating loaded ones).
Graph analyze(std::vector<RevisionFile> loaded, const std::vector<RevisionFile>& not_loaded = {});

}  // namespace squash::revisions
