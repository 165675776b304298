// squashctl snapshot copy|export|import: a stored snapshot moved between databases (the
// scratch database that proved the squash, and production) over libpq, as data: never
// through a command-line argument (a real schema's snapshot exceeds ARG_MAX) and never
// pasted into SQL. The copy is checked by its fingerprint on arrival.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

namespace squash::client {

struct SnapshotCopy {
  std::string from;                 // conninfo of the source database
  std::string to;                   // conninfo of the destination
  std::string label;                // the snapshot's label at the source
  std::optional<std::string> as;    // its label at the destination (default: label)
  std::optional<std::string> file;  // export: write here (default stdout); import: read
};

// Each returns the exit status (0, or 1 with a one-line error on err).
int run_snapshot_copy(const SnapshotCopy& c, std::ostream& out, std::ostream& err);
int run_snapshot_export(const SnapshotCopy& c, std::ostream& out, std::ostream& err);
int run_snapshot_import(const SnapshotCopy& c, std::ostream& out, std::ostream& err);

}  // namespace squash::client
