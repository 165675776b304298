// `squashctl revisions inspect DIR` and `squashctl revisions squash DIR ...`: local
// commands (no daemon involved). Each returns the process exit status.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "revisions/graph.hpp"
#include "revisions/squash.hpp"

namespace squash::revisions {

inline constexpr int kExitAccepted = 0;
inline constexpr int kExitRefused = 1;  // Alembic would refuse the folder; squash refused

std::string format_inspection(const Folder& folder, const Graph& graph);
nlohmann::json inspection_json(const Folder& folder, const Graph& graph);

std::string format_plan(const SquashPlan& plan, bool dry_run);
nlohmann::json plan_json(const SquashPlan& plan, bool dry_run);

// What to read: a versions folder, or the version locations an alembic.ini names.
struct Source {
  std::string dir;
  std::string config;            // alembic.ini; exclusive with dir
  std::string name = "alembic";  // its section, like `alembic -n`
};
// Throws std::runtime_error when neither or both are given, or what they name is unreadable.
Folder read_source(const Source& source);

int run_inspect(const Source& source, bool json, std::ostream& out, std::ostream& err);
int run_inspect(const std::string& dir, bool json, std::ostream& out, std::ostream& err);

struct SquashRequest : Source {
  std::string archive_dir;  // empty: default_archive_dir()
  std::optional<std::string> upto;
  std::string generated_file;
  bool dry_run = false;
  std::optional<std::string> expect_digest;
};
int run_squash(const SquashRequest& request, bool json, std::ostream& out, std::ostream& err);

}  // namespace squash::revisions
