#include "revisions/commands.hpp"
#include "revisions/alembic_ini.hpp"
#include "util/names.hpp"

#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

#include <fmt/format.h>

namespace squash::revisions {
namespace {

using util::join;

std::vector<std::string> ids(const Graph& g, const std::vector<int>& nodes) {
  std::vector<std::string> out;
  for (int n : nodes) out.push_back(g.nodes[n].id);
  return out;
}

std::string or_none(const std::vector<std::string>& items) {
  return items.empty() ? "none" : join(items);
}

int error_count(const Graph& g) {
  int n = 0;
  for (const auto& p : g.problems) n += p.severity == Problem::Error;
  return n;
}

}  // namespace

std::string format_inspection(const Folder& folder, const Graph& g) {
  std::string out;
  out += fmt::format("folder: {}\n", folder.dir);
  if (folder.locations != std::vector<std::string>{"."} || !folder.script_location.empty())
    out += fmt::format("version locations: {}{}\n", join(folder.locations),
                       folder.recursive ? " (recursive)" : "");
  out += fmt::format("digest: {}\n", folder.digest);
  std::size_t id_width = 4, file_width = 4, down_width = 6;
  for (const auto& n : g.nodes) {
    id_width = std::max(id_width, n.id.size());
    file_width = std::max(file_width, g.files[n.file].name.size());
    down_width = std::max(down_width, n.down.empty() ? 6 : join(n.down).size() + 3);
  }
  out += fmt::format("revisions ({}, parents first):\n", g.nodes.size());
  for (int v : g.order) {
    const auto& n = g.nodes[v];
    std::string down = n.down.empty() ? "(base)" : "<- " + join(n.down);
    std::string extra;
    if (!n.branch_labels.empty()) extra += fmt::format("  [branch {}]", join(n.branch_labels));
    if (!n.depends_on.empty()) extra += fmt::format("  [depends on {}]", join(n.depends_on));
    const auto& message = g.files[n.file].message;
    out +=
        fmt::format("  {:<{}}  {:<{}}  {:<{}}{}{}\n", n.id, id_width, down, down_width,
                    g.files[n.file].name, file_width, message.empty() ? "" : "  " + message, extra);
  }
  out += fmt::format("heads: {}\n", or_none(ids(g, g.heads)));
  out += fmt::format("bases: {}\n", or_none(ids(g, g.bases)));
  std::vector<std::string> merges, branches, labels, deps, dups, dangling, cycles, unloaded;
  for (int m : g.merge_points)
    merges.push_back(fmt::format("{} ({})", g.nodes[m].id, join(g.nodes[m].down, " + ")));
  for (int b : g.branch_points)
    branches.push_back(fmt::format("{} ({})", g.nodes[b].id, join(ids(g, g.nodes[b].children))));
  for (const auto& [label, n] : g.by_label) labels.push_back(label + " = " + g.nodes[n].id);
  for (const auto& [from, to] : g.depends_edges)
    deps.push_back(g.nodes[from].id + " -> " + g.nodes[to].id);
  for (const auto& [id, files] : g.duplicates)
    dups.push_back(fmt::format("{} in {}", id, join(files, " and ")));
  for (const auto& d : g.dangling)
    dangling.push_back(fmt::format("{} {} -> {}", d.from, d.field, d.target));
  for (const auto& c : g.cycles) cycles.push_back(join(c, " -> "));
  for (const auto& f : folder.not_loaded)
    unloaded.push_back(f.id() ? fmt::format("{} (revision {})", f.name, *f.id()) : f.name);
  out += fmt::format("merge points: {}\n", or_none(merges));
  out += fmt::format("branch points: {}\n", or_none(branches));
  out += fmt::format("branch labels: {}\n", or_none(labels));
  out += fmt::format("depends_on: {}\n", or_none(deps));
  out += fmt::format("duplicate ids: {}\n", or_none(dups));
  out += fmt::format("dangling references: {}\n", or_none(dangling));
  out += fmt::format("cycles: {}\n", or_none(cycles));
  out += fmt::format("not revisions: {}\n", or_none(g.not_revisions));
  out += fmt::format("not loaded by Alembic (in subfolders): {}\n", or_none(unloaded));
  if (!folder.ignored.empty()) out += fmt::format("ignored by Alembic: {}\n", join(folder.ignored));
  for (const auto& p : g.problems)
    out += fmt::format("{}: {}\n", p.severity == Problem::Error ? "error" : "warning", p.message);
  if (g.accepted())
    out +=
        fmt::format("Alembic would accept this folder: {} revision{}, {} head{}.\n", g.nodes.size(),
                    g.nodes.size() == 1 ? "" : "s", g.heads.size(), g.heads.size() == 1 ? "" : "s");
  else
    out +=
        fmt::format("Alembic would refuse this folder, or it cannot be read exactly: {} error{}.\n",
                    error_count(g), error_count(g) == 1 ? "" : "s");
  return out;
}

nlohmann::json inspection_json(const Folder& folder, const Graph& g) {
  using nlohmann::json;
  json revisions = json::array();
  for (int v : g.order) {
    const auto& n = g.nodes[v];
    revisions.push_back({{"id", n.id},
                         {"file", g.files[n.file].name},
                         {"message", g.files[n.file].message},
                         {"down_revision", n.down},
                         {"branch_labels", n.branch_labels},
                         {"depends_on", n.depends_on},
                         {"sha256", g.files[n.file].sha256}});
  }
  json merges = json::array(), branches = json::array(), deps = json::array(),
       dangling = json::array(), unloaded = json::array(), problems = json::array();
  for (int m : g.merge_points)
    merges.push_back({{"id", g.nodes[m].id}, {"parents", g.nodes[m].down}});
  for (int b : g.branch_points)
    branches.push_back({{"id", g.nodes[b].id}, {"children", ids(g, g.nodes[b].children)}});
  for (const auto& [from, to] : g.depends_edges)
    deps.push_back({{"from", g.nodes[from].id}, {"to", g.nodes[to].id}});
  for (const auto& d : g.dangling)
    dangling.push_back({{"from", d.from}, {"field", d.field}, {"target", d.target}});
  for (const auto& f : folder.not_loaded)
    unloaded.push_back({{"file", f.name}, {"revision", f.id() ? json(*f.id()) : json(nullptr)}});
  for (const auto& p : g.problems)
    problems.push_back(
        {{"severity", p.severity == Problem::Error ? "error" : "warning"}, {"message", p.message}});
  json labels = json::object();
  for (const auto& [label, n] : g.by_label) labels[label] = g.nodes[n].id;
  return {{"folder", folder.dir},
          {"digest", folder.digest},
          {"version_locations", folder.locations},
          {"recursive_version_locations", folder.recursive},
          {"accepted", g.accepted()},
          {"revisions", revisions},
          {"heads", ids(g, g.heads)},
          {"bases", ids(g, g.bases)},
          {"merge_points", merges},
          {"branch_points", branches},
          {"branch_labels", labels},
          {"depends_on", deps},
          {"duplicates", g.duplicates},
          {"dangling", dangling},
          {"cycles", g.cycles},
          {"not_revisions", g.not_revisions},
          {"not_loaded", unloaded},
          {"ignored", folder.ignored},
          {"problems", problems}};
}

std::string format_plan(const SquashPlan& plan, bool dry_run) {
  std::string out;
  if (!plan.ok()) {
    out += "squash refused; nothing was changed:\n";
    for (const auto& r : plan.refusals) out += "  - " + r + "\n";
    return out;
  }
  const char* verb_move = dry_run ? "would move" : "moved";
  const char* verb_rewrite = dry_run ? "would rewrite" : "rewrote";
  const char* verb_write = dry_run ? "would write" : "wrote";
  out += fmt::format("squash up to {} ({} revision{}) into {}\n", plan.upto, plan.replaced.size(),
                     plan.replaced.size() == 1 ? "" : "s", plan.new_id);
  out += fmt::format("digest before: {}\n", plan.digest_before);
  out += fmt::format("archive: {}\n", plan.archive_dir);
  for (const auto& m : plan.moves) out += fmt::format("{} {} -> {}\n", verb_move, m.from, m.to);
  for (const auto& r : plan.rewrites)
    out += fmt::format("{} {} line {}: {} {} -> {}\n", verb_rewrite, r.file, r.line, r.field,
                       r.old_literal, r.new_literal);
  out += fmt::format("{} {} (revision {}, down_revision None)\n", verb_write, plan.generated_name,
                     plan.new_id);
  out += fmt::format("heads after: {}\n", or_none(plan.heads_after));
  for (const auto& n : plan.notes) out += "note: " + n + "\n";
  if (dry_run) out += "dry run: nothing was changed\n";
  return out;
}

nlohmann::json plan_json(const SquashPlan& plan, bool dry_run) {
  using nlohmann::json;
  json moves = json::array(), rewrites = json::array();
  for (const auto& m : plan.moves) moves.push_back({{"from", m.from}, {"to", m.to}});
  for (const auto& r : plan.rewrites)
    rewrites.push_back({{"file", r.file},
                        {"field", r.field},
                        {"line", r.line},
                        {"old", r.old_literal},
                        {"new", r.new_literal}});
  return {{"ok", plan.ok()},
          {"dry_run", dry_run},
          {"applied", plan.ok() && !dry_run},
          {"digest_before", plan.digest_before},
          {"upto", plan.upto},
          {"new_revision", plan.new_id},
          {"generated_file", plan.generated_name},
          {"archive_dir", plan.archive_dir},
          {"replaced", plan.replaced},
          {"remaining", plan.remaining},
          {"moves", moves},
          {"rewrites", rewrites},
          {"heads_after", plan.heads_after},
          {"refusals", plan.refusals},
          {"notes", plan.notes}};
}

Folder read_source(const Source& source) {
  if (source.dir.empty() == source.config.empty())
    throw std::runtime_error("give either the versions folder or --config alembic.ini");
  if (source.config.empty()) return read_folder(source.dir);
  AlembicConfig cfg = read_alembic_config(source.config, source.name);
  Folder folder = read_locations(cfg.version_locations, cfg.recursive);
  folder.script_location = cfg.script_location;
  return folder;
}

int run_inspect(const std::string& dir, bool json, std::ostream& out, std::ostream& err) {
  Source source;
  source.dir = dir;
  return run_inspect(source, json, out, err);
}

int run_inspect(const Source& source, bool json, std::ostream& out, std::ostream& err) {
  try {
    Folder folder = read_source(source);
    Graph g = analyze(folder.loaded, folder.not_loaded);
    if (json)
      out << inspection_json(folder, g).dump(2) << '\n';
    else
      out << format_inspection(folder, g);
    return g.accepted() ? kExitAccepted : kExitRefused;
  } catch (const std::exception& e) {
    err << "squashctl revisions inspect: " << e.what() << '\n';
    return kExitRefused;
  }
}

int run_squash(const SquashRequest& request, bool json, std::ostream& out, std::ostream& err) {
  try {
    Folder folder = read_source(request);
    Graph g = analyze(folder.loaded, folder.not_loaded);
    std::ifstream in(request.generated_file, std::ios::binary);
    if (!in) {
      err << "squashctl revisions squash: cannot read " << request.generated_file << '\n';
      return kExitRefused;
    }
    std::ostringstream text;
    text << in.rdbuf();
    namespace fs = std::filesystem;
    std::string name = fs::path(request.generated_file).filename().string();
    RevisionFile generated = parse_revision_file(name, text.str());
    SquashPlan plan = plan_squash(folder, g, generated, name, request.upto, request.expect_digest,
                                  request.archive_dir);
    // The generated file must not already be one of the folder's own files.
    std::error_code ec;
    auto gen_dir = fs::canonical(fs::path(request.generated_file).parent_path().empty()
                                     ? fs::path(".")
                                     : fs::path(request.generated_file).parent_path(),
                                 ec);
    bool in_location = false;
    for (const auto& l : folder.locations) {
      std::error_code lec;
      in_location = in_location || (!ec && gen_dir == fs::canonical(fs::path(folder.dir) / l, lec));
    }
    if (in_location)
      plan.refusals.insert(plan.refusals.begin(),
                           fmt::format("{} is inside the versions folder already; write the "
                                       "generated revision elsewhere and pass it with --file",
                                       request.generated_file));
    if (plan.ok() && !request.dry_run) apply_squash(plan, folder);
    if (json)
      out << plan_json(plan, request.dry_run).dump(2) << '\n';
    else
      (plan.ok() ? out : err) << format_plan(plan, request.dry_run);
    return plan.ok() ? kExitAccepted : kExitRefused;
  } catch (const std::exception& e) {
    err << "squashctl revisions squash: " << e.what() << '\n';
    return kExitRefused;
  }
}

}  // namespace squash::revisions
