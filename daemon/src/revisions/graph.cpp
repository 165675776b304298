#include "revisions/graph.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <openssl/evp.h>

namespace squash::revisions {
namespace fs = std::filesystem;

std::string sha256_hex(const std::string& data) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), md, &len) != 1)
    throw std::runtime_error("SHA-256 failed (OpenSSL)");
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

std::string folder_digest(std::vector<std::pair<std::string, std::string>> files) {
  std::sort(files.begin(), files.end());
  std::string listing;
  for (const auto& [path, sha] : files) listing += sha + "  " + path + "\n";
  return sha256_hex(listing);
}

namespace {

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot read {}", p.string()));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw std::runtime_error(fmt::format("cannot read {}", p.string()));
  return ss.str();
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

namespace {

void load(Folder& folder) {
  const std::string& dir = folder.dir;
  std::error_code ec;
  std::vector<std::pair<std::string, std::string>> digests;
  std::set<std::string> seen;
  for (const auto& location : folder.locations) {
    fs::path top = fs::path(dir) / location;
    if (!fs::is_directory(top, ec))
      throw std::runtime_error(fmt::format("{} is not a directory", top.string()));
    fs::recursive_directory_iterator it(top, ec), end;
    if (ec) throw std::runtime_error(fmt::format("cannot list {}: {}", top.string(), ec.message()));
    for (; it != end; it.increment(ec)) {
      if (ec)
        throw std::runtime_error(fmt::format("cannot list {}: {}", top.string(), ec.message()));
      const auto& entry = *it;
      std::string name = entry.path().filename().string();
      if (entry.is_directory() && name == "__pycache__") {
        it.disable_recursion_pending();
        continue;
      }
      if (!ends_with(name, ".py") || !entry.is_regular_file()) continue;
      if (!seen.insert(fs::weakly_canonical(entry.path(), ec).string()).second) continue;
      std::string rel = fs::relative(entry.path(), dir).generic_string();
      std::string text = read_all(entry.path());
      auto file = parse_revision_file(rel, text);
      file.sha256 = sha256_hex(file.text);
      digests.emplace_back(rel, file.sha256);
      if (it.depth() > 0 && !folder.recursive)
        folder.not_loaded.push_back(std::move(file));
      else if (name.rfind("__init__", 0) == 0 || name.rfind(".#", 0) == 0)
        folder.ignored.push_back(rel);
      else
        folder.loaded.push_back(std::move(file));
    }
  }
  auto by_name = [](const RevisionFile& a, const RevisionFile& b) { return a.name < b.name; };
  std::sort(folder.loaded.begin(), folder.loaded.end(), by_name);
  std::sort(folder.not_loaded.begin(), folder.not_loaded.end(), by_name);
  std::sort(folder.ignored.begin(), folder.ignored.end());
  folder.digest = folder_digest(std::move(digests));
}

}  // namespace

Folder read_folder(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw std::runtime_error(fmt::format("{} is not a directory", dir));
  Folder folder;
  folder.dir = dir;
  load(folder);
  return folder;
}

Folder read_locations(const std::vector<std::string>& locations, bool recursive) {
  if (locations.empty()) throw std::runtime_error("no version locations");
  fs::path common = fs::path(locations.front()).lexically_normal();
  for (const auto& l : locations) {
    fs::path p = fs::path(l).lexically_normal(), shared;
    for (auto a = common.begin(), b = p.begin(); a != common.end() && b != p.end() && *a == *b;
         ++a, ++b)
      shared /= *a;
    common = shared;
  }
  Folder folder;
  folder.dir = common.string();
  while (folder.dir.size() > 1 && folder.dir.back() == '/') folder.dir.pop_back();
  folder.recursive = recursive;
  folder.locations.clear();
  for (const auto& l : locations)
    folder.locations.push_back(fs::path(l).lexically_normal().lexically_relative(common).string());
  for (auto& l : folder.locations) {
    while (l.size() > 1 && l.back() == '/') l.pop_back();
    if (l.empty()) l = ".";
  }
  load(folder);
  return folder;
}

bool Graph::accepted() const {
  return std::none_of(problems.begin(), problems.end(),
                      [](const Problem& p) { return p.severity == Problem::Error; });
}

int Graph::find(const std::string& key) const {
  if (auto it = by_id.find(key); it != by_id.end()) return it->second;
  if (auto it = by_label.find(key); it != by_label.end()) return it->second;
  return -1;
}

std::vector<int> Graph::ancestors(int from) const {
  std::vector<bool> seen(nodes.size(), false);
  std::vector<int> stack{from}, out;
  while (!stack.empty()) {
    int n = stack.back();
    stack.pop_back();
    for (const auto* list : {&nodes[n].down_nodes, &nodes[n].depends_nodes})
      for (int p : *list)
        if (!seen[p] && p != from) {
          seen[p] = true;
          out.push_back(p);
          stack.push_back(p);
        }
  }
  return out;
}

std::vector<int> Graph::descendants(int from) const {
  std::vector<std::vector<int>> reverse(nodes.size());
  for (std::size_t n = 0; n < nodes.size(); ++n)
    for (const auto* list : {&nodes[n].down_nodes, &nodes[n].depends_nodes})
      for (int p : *list) reverse[p].push_back(static_cast<int>(n));
  std::vector<bool> seen(nodes.size(), false);
  std::vector<int> stack{from}, out;
  while (!stack.empty()) {
    int n = stack.back();
    stack.pop_back();
    for (int c : reverse[n])
      if (!seen[c] && c != from) {
        seen[c] = true;
        out.push_back(c);
        stack.push_back(c);
      }
  }
  return out;
}

namespace {

void error(Graph& g, std::string message) {
  g.problems.push_back({Problem::Error, std::move(message)});
}
void warning(Graph& g, std::string message) {
  g.problems.push_back({Problem::Warning, std::move(message)});
}

std::string field_problem(const RevisionFile& f, const char* name, const Field& field) {
  return fmt::format("{}: line {}: {} cannot be read: {}", f.name, field.line, name, field.error);
}

}  // namespace

Graph analyze(std::vector<RevisionFile> loaded, const std::vector<RevisionFile>& not_loaded) {
  Graph g;
  g.files = std::move(loaded);
  std::sort(g.files.begin(), g.files.end(),
            [](const RevisionFile& a, const RevisionFile& b) { return a.name < b.name; });

  // Nodes, one per usable revision file.
  std::map<std::string, std::vector<std::string>> files_by_id;
  for (std::size_t i = 0; i < g.files.size(); ++i) {
    const auto& f = g.files[i];
    if (!f.lex_error.empty()) {
      error(g, fmt::format("{}: line {}: {} (Python cannot load this file)", f.name,
                           f.lex_error_line, f.lex_error));
    }
    if (!f.is_revision()) {
      g.not_revisions.push_back(f.name);
      error(g, fmt::format("{}: not a revision (no module-level `revision`); Alembic loads every "
                           "*.py file here and refuses one without it",
                           f.name));
      continue;
    }
    if (f.revision.shape != Shape::String) {
      g.not_revisions.push_back(f.name);
      error(g,
            f.revision.shape == Shape::Unsupported
                ? field_problem(f, "revision", f.revision)
                : fmt::format("{}: line {}: revision must be a string", f.name, f.revision.line));
      continue;
    }
    const std::string& id = *f.id();
    if (id.empty()) {
      error(g, fmt::format("{}: line {}: the revision id is empty", f.name, f.revision.line));
      continue;
    }
    if (id.find_first_of("@-+") != std::string::npos) {
      error(g, fmt::format("{}: revision id '{}' holds '@', '-' or '+', which Alembic refuses",
                           f.name, id));
      continue;
    }
    files_by_id[id].push_back(f.name);
    if (files_by_id[id].size() > 1) continue;  // a duplicate: reported below
    Node n;
    n.id = id;
    n.file = i;
    if (!f.down_revision.present())
      error(g, fmt::format("{}: no module-level down_revision (Alembic needs it; None for a base)",
                           f.name));
    else if (f.down_revision.shape == Shape::Unsupported)
      error(g, field_problem(f, "down_revision", f.down_revision));
    if (f.branch_labels.shape == Shape::Unsupported)
      error(g, field_problem(f, "branch_labels", f.branch_labels));
    if (f.depends_on.shape == Shape::Unsupported)
      error(g, field_problem(f, "depends_on", f.depends_on));
    n.down = f.down_revision.values();
    n.depends_on = f.depends_on.values();
    n.branch_labels = f.branch_labels.values();
    g.by_id[id] = static_cast<int>(g.nodes.size());
    g.nodes.push_back(std::move(n));
  }
  for (const auto& [id, names] : files_by_id) {
    if (names.size() < 2) continue;
    g.duplicates[id] = names;
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : " and ") + n;
    error(g, fmt::format("revision id '{}' is defined twice, in {}: Alembic keeps whichever file "
                         "the directory lists last",
                         id, list));
  }

  // Branch labels.
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    for (const auto& label : g.nodes[i].branch_labels) {
      if (auto it = g.by_id.find(label); it != g.by_id.end()) {
        error(g,
              fmt::format("branch label '{}' of {} is also a revision id", label, g.nodes[i].id));
      } else if (auto lt = g.by_label.find(label); lt != g.by_label.end()) {
        error(g, fmt::format("branch label '{}' is used by {} and {}", label,
                             g.nodes[lt->second].id, g.nodes[i].id));
      } else {
        g.by_label[label] = static_cast<int>(i);
      }
    }
  }

  // References.
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    auto& n = g.nodes[i];
    for (const auto& [list, resolved, field] :
         {std::tuple{&n.down, &n.down_nodes, "down_revision"},
          std::tuple{&n.depends_on, &n.depends_nodes, "depends_on"}}) {
      for (const auto& target : *list) {
        int t = g.find(target);
        if (t < 0) {
          g.dangling.push_back({n.id, field, target});
          error(g, fmt::format("{} ({}): {} '{}' names no revision in this folder", n.id,
                               g.files[n.file].name, field, target));
          continue;
        }
        if (std::find(resolved->begin(), resolved->end(), t) == resolved->end())
          resolved->push_back(t);
      }
    }
    for (int p : n.down_nodes) g.nodes[p].children.push_back(static_cast<int>(i));
    for (int d : n.depends_nodes) g.depends_edges.emplace_back(static_cast<int>(i), d);
  }

  // Cycles (through down_revision and depends_on), by depth-first search.
  {
    std::vector<int> color(g.nodes.size(), 0);  // 0 new, 1 on the stack, 2 done
    std::vector<int> path;
    std::set<std::set<int>> seen_cycles;
    std::function<void(int)> visit = [&](int v) {
      color[v] = 1;
      path.push_back(v);
      for (const auto* list : {&g.nodes[v].down_nodes, &g.nodes[v].depends_nodes}) {
        for (int p : *list) {
          if (color[p] == 1) {
            auto from = std::find(path.begin(), path.end(), p);
            std::set<int> members(from, path.end());
            if (seen_cycles.insert(members).second) {
              std::vector<std::string> ids;
              for (auto k = from; k != path.end(); ++k) ids.push_back(g.nodes[*k].id);
              std::string text;
              for (const auto& id : ids) text += id + " -> ";
              text += g.nodes[p].id;
              g.cycles.push_back(std::move(ids));
              error(g, fmt::format("cycle: {}", text));
            }
          } else if (color[p] == 0) {
            visit(p);
          }
        }
      }
      path.pop_back();
      color[v] = 2;
    };
    for (std::size_t i = 0; i < g.nodes.size(); ++i)
      if (color[i] == 0) visit(static_cast<int>(i));
  }

  // Heads, bases, merge and branch points; an order with parents first.
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const auto& n = g.nodes[i];
    int idx = static_cast<int>(i);
    if (n.children.empty()) g.heads.push_back(idx);
    if (n.down.empty()) g.bases.push_back(idx);
    if (n.down.size() > 1) g.merge_points.push_back(idx);
    if (n.children.size() > 1) g.branch_points.push_back(idx);
  }
  {
    std::vector<int> pending(g.nodes.size(), 0);
    std::vector<std::vector<int>> next(g.nodes.size());
    for (std::size_t i = 0; i < g.nodes.size(); ++i) {
      std::set<int> parents(g.nodes[i].down_nodes.begin(), g.nodes[i].down_nodes.end());
      parents.insert(g.nodes[i].depends_nodes.begin(), g.nodes[i].depends_nodes.end());
      pending[i] = static_cast<int>(parents.size());
      for (int p : parents) next[p].push_back(static_cast<int>(i));
    }
    auto later = [&](int a, int b) {
      return g.files[g.nodes[a].file].name > g.files[g.nodes[b].file].name;
    };
    std::vector<int> ready;
    for (std::size_t i = 0; i < g.nodes.size(); ++i)
      if (pending[i] == 0) ready.push_back(static_cast<int>(i));
    std::vector<bool> placed(g.nodes.size(), false);
    while (!ready.empty()) {
      std::sort(ready.begin(), ready.end(), later);  // smallest file name last
      int v = ready.back();
      ready.pop_back();
      g.order.push_back(v);
      placed[v] = true;
      for (int c : next[v])
        if (--pending[c] == 0) ready.push_back(c);
    }
    for (std::size_t i = 0; i < g.nodes.size(); ++i)
      if (!placed[i]) g.order.push_back(static_cast<int>(i));
  }

  // Files Alembic 1.8 does not load.
  for (const auto& f : not_loaded) {
    if (f.id() && g.by_id.count(*f.id())) {
      warning(g, fmt::format("{} repeats revision id '{}' of {}; it is in a subfolder, which "
                             "Alembic 1.8 does not load",
                             f.name, *f.id(), g.files[g.nodes[g.by_id.at(*f.id())].file].name));
    }
  }
  return g;
}

}  // namespace squash::revisions
