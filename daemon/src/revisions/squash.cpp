#include "revisions/squash.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <functional>
#include <set>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "revisions/python_lexer.hpp"
#include "util/names.hpp"

namespace squash::revisions {
namespace {

using util::join;

std::string unreadable(const char* name, const Field& field) {
  return fmt::format("line {}: {} cannot be read: {}", field.line, name, field.error);
}

void check_generated(const RevisionFile& gen, const std::string& name, SquashPlan& plan) {
  auto refuse = [&](std::string why) {
    plan.refusals.push_back(fmt::format("the generated file {}: {}", name, why));
  };
  if (!gen.lex_error.empty()) refuse(fmt::format("line {}: {}", gen.lex_error_line, gen.lex_error));
  if (!gen.id()) {
    refuse(gen.revision.shape == Shape::Unsupported
               ? unreadable("revision", gen.revision)
               : std::string("no module-level `revision` string"));
    return;
  }
  const std::string& id = *gen.id();
  if (id.empty() || id.find_first_of("@-+") != std::string::npos)
    refuse(fmt::format("revision id '{}' is not valid for Alembic", id));
  if (!gen.down_revision.present())
    refuse("no module-level down_revision (it must be `down_revision = None`)");
  else if (gen.down_revision.shape == Shape::Unsupported)
    refuse(unreadable("down_revision", gen.down_revision));
  else if (!gen.down_revision.values().empty())
    refuse(
        fmt::format("down_revision must be None, not '{}': the squashed revision is the new base",
                    join(gen.down_revision.values())));
  if (gen.depends_on.shape == Shape::Unsupported)
    refuse(unreadable("depends_on", gen.depends_on));
  else if (!gen.depends_on.values().empty())
    refuse(fmt::format("depends_on must be None, not '{}'", join(gen.depends_on.values())));
  if (gen.branch_labels.shape == Shape::Unsupported)
    refuse(unreadable("branch_labels", gen.branch_labels));
}

namespace fs = std::filesystem;

fs::path absolute_dir(const std::string& p) {
  std::error_code ec;
  fs::path a = fs::absolute(p, ec).lexically_normal();
  if (!a.has_filename() && a.has_parent_path() && a != a.root_path()) a = a.parent_path();
  return a;
}

bool inside(const fs::path& p, const fs::path& folder) {
  auto rel = p.lexically_relative(folder);
  return !rel.empty() && *rel.begin() != "..";
}

}  // namespace

std::string default_archive_dir(const Folder& folder, const std::string& new_id) {
  fs::path base = folder.script_location.empty() ? absolute_dir(folder.dir).parent_path()
                                                 : absolute_dir(folder.script_location);
  return (base / kArchiveDir / new_id).string();
}

SquashPlan plan_squash(const Folder& folder, const Graph& g, const RevisionFile& generated,
                       const std::string& generated_name, const std::optional<std::string>& upto,
                       const std::optional<std::string>& expect_digest,
                       const std::string& archive_dir) {
  SquashPlan plan;
  plan.digest_before = folder.digest;
  plan.generated_name = generated_name;
  plan.generated_text = generated.text;
  if (expect_digest && *expect_digest != folder.digest)
    plan.refusals.push_back(fmt::format(
        "the folder changed since it was inspected: digest is {}, --expect-digest says {}",
        folder.digest, *expect_digest));
  if (!g.accepted()) {
    std::string errors;
    for (const auto& p : g.problems)
      if (p.severity == Problem::Error) errors += "\n  " + p.message;
    plan.refusals.push_back("the folder is not a history Alembic accepts; fix it first:" + errors);
    return plan;
  }
  check_generated(generated, generated_name, plan);
  if (generated_name.empty() || generated_name.find('/') != std::string::npos ||
      generated_name.size() < 4 || generated_name.compare(generated_name.size() - 3, 3, ".py") != 0)
    plan.refusals.push_back(
        fmt::format("the generated file's name '{}' must end in .py", generated_name));

  // REV.
  int rev = -1;
  if (upto) {
    auto it = g.by_id.find(*upto);
    if (it == g.by_id.end()) {
      plan.refusals.push_back(fmt::format("--upto {}: no revision with that id", *upto));
      return plan;
    }
    rev = it->second;
  } else if (g.heads.size() == 1) {
    rev = g.heads.front();
  } else if (g.heads.empty()) {
    plan.refusals.push_back("the folder has no revisions");
    return plan;
  } else {
    std::vector<std::string> heads;
    for (int h : g.heads) heads.push_back(g.nodes[h].id);
    plan.refusals.push_back(
        fmt::format("the folder has {} heads ({}): say which to squash up to with --upto",
                    heads.size(), join(heads)));
    return plan;
  }
  plan.upto = g.nodes[rev].id;
  plan.new_id = generated.id() ? *generated.id() : "";
  // Beside REV's file: in the version location (or its subfolder) that holds the chain.
  if (auto slash = g.files[g.nodes[rev].file].name.rfind('/'); slash != std::string::npos)
    plan.generated_name = g.files[g.nodes[rev].file].name.substr(0, slash + 1) + generated_name;
  plan.archive_dir =
      absolute_dir(archive_dir.empty()
                       ? default_archive_dir(folder, plan.new_id.empty() ? "squashed" : plan.new_id)
                       : archive_dir)
          .string();
  {
    std::error_code ec;
    fs::path archive = fs::weakly_canonical(plan.archive_dir, ec);
    if (ec) archive = plan.archive_dir;
    for (const auto& l : folder.locations) {
      fs::path location = fs::weakly_canonical(absolute_dir(folder.dir) / l, ec);
      if (ec) location = absolute_dir(folder.dir) / l;
      if (archive == location || inside(archive, location))
        plan.refusals.push_back(
            fmt::format("the archive folder {} is inside the version location {}: Alembic with "
                        "recursive_version_locations would load the archived revisions again; give "
                        "--archive-dir outside every version location",
                        plan.archive_dir, location.string()));
    }
  }

  std::vector<bool> replaced(g.nodes.size(), false);
  replaced[rev] = true;
  for (int a : g.ancestors(rev)) replaced[a] = true;
  std::vector<bool> above(g.nodes.size(), false);
  for (int d : g.descendants(rev)) above[d] = true;
  for (int v : g.order) (replaced[v] ? plan.replaced : plan.remaining).push_back(g.nodes[v].id);

  std::set<std::string> new_labels;
  for (const auto& l : generated.branch_labels.values()) new_labels.insert(l);
  if (!plan.new_id.empty()) {
    int clash = g.find(plan.new_id);
    if (clash >= 0 && !replaced[clash])
      plan.refusals.push_back(
          fmt::format("the generated revision id '{}' is already used by {} ({}), which stays",
                      plan.new_id, g.nodes[clash].id, g.files[g.nodes[clash].file].name));
  }

  // Closed set and unique ancestor; the rewrites.
  for (int v : g.order) {
    if (replaced[v]) continue;
    const Node& n = g.nodes[v];
    const RevisionFile& f = g.files[n.file];
    if (!above[v])
      plan.refusals.push_back(fmt::format(
          "{} ({}) does not descend from {}: it would be left beside the squashed revision "
          "(an independent base, or a branch that started before {})",
          n.id, f.name, plan.upto, plan.upto));
    std::vector<std::pair<std::size_t, std::size_t>> edits;  // literal ranges to replace
    std::vector<std::string> replacements;
    for (const auto& [field, name] :
         {std::pair{&f.down_revision, "down_revision"}, std::pair{&f.depends_on, "depends_on"}}) {
      for (const auto& lit : field->items) {
        int t = g.find(lit.value);
        if (t < 0 || !replaced[t]) continue;
        if (t != rev) {
          plan.refusals.push_back(fmt::format(
              "{} ({}, line {}): {} names {}, which would be squashed but is not {}: the "
              "replaced set is not closed (a branch or dependency into the middle of it)",
              n.id, f.name, lit.line, name, lit.value, plan.upto));
          continue;
        }
        bool label_kept = g.by_id.count(lit.value) == 0 && new_labels.count(lit.value) > 0;
        if (lit.value == plan.new_id || label_kept || plan.new_id.empty()) continue;
        if (std::count(edits.begin(), edits.end(), std::pair{lit.begin, lit.end}))
          continue;  // `down_revision = depends_on = "x"`: one literal, one edit
        Rewrite r;
        r.file = f.name;
        r.field = name;
        r.line = lit.line;
        r.old_literal = f.text.substr(lit.begin, lit.end - lit.begin);
        r.new_literal = python_string_literal(plan.new_id, lit.quote, lit.prefix);
        edits.emplace_back(lit.begin, lit.end);
        replacements.push_back(r.new_literal);
        plan.rewrites.push_back(std::move(r));
      }
    }
    if (!edits.empty()) {
      std::string text = f.text;
      std::vector<std::size_t> idx(edits.size());
      for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
      std::sort(idx.begin(), idx.end(),
                [&](std::size_t a, std::size_t b) { return edits[a].first > edits[b].first; });
      for (auto i : idx)
        text.replace(edits[i].first, edits[i].second - edits[i].first, replacements[i]);
      plan.new_texts.emplace_back(f.name, std::move(text));
      if (f.text.find("Revises: " + plan.upto) != std::string::npos)
        plan.notes.push_back(
            fmt::format("{}: its docstring still says \"Revises: {}\" (only the code is rewritten)",
                        f.name, plan.upto));
    }
  }

  // File names.
  std::set<std::string> moving;
  std::string archive_rel =
      fs::path(plan.archive_dir).lexically_relative(absolute_dir(folder.dir)).generic_string();
  for (int v : g.order) {
    if (!replaced[v]) continue;
    const auto& name = g.files[g.nodes[v].file].name;
    moving.insert(name);
    Move m{name, archive_rel + "/" + name};
    std::error_code ec;
    if (fs::exists(fs::symlink_status(fs::path(plan.archive_dir) / name, ec)))
      plan.refusals.push_back(
          fmt::format("{}/{} already exists: it will not be overwritten (move it away first)",
                      plan.archive_dir, name));
    plan.moves.push_back(std::move(m));
  }
  bool name_taken =
      std::any_of(folder.loaded.begin(), folder.loaded.end(),
                  [&](const auto& f) { return f.name == plan.generated_name; }) ||
      std::any_of(folder.not_loaded.begin(), folder.not_loaded.end(),
                  [&](const auto& f) { return f.name == plan.generated_name; }) ||
      std::count(folder.ignored.begin(), folder.ignored.end(), plan.generated_name) > 0;
  if (name_taken && !moving.count(plan.generated_name))
    plan.refusals.push_back(
        fmt::format("{} already exists in the folder and is not among the replaced files",
                    plan.generated_name));

  // The result must be a history Alembic accepts.
  if (plan.refusals.empty()) {
    std::vector<RevisionFile> after;
    for (const auto& f : g.files) {
      if (moving.count(f.name)) continue;
      auto rewritten = std::find_if(plan.new_texts.begin(), plan.new_texts.end(),
                                    [&](const auto& p) { return p.first == f.name; });
      after.push_back(
          rewritten == plan.new_texts.end() ? f : parse_revision_file(f.name, rewritten->second));
    }
    after.push_back(parse_revision_file(plan.generated_name, generated.text));
    Graph result = analyze(std::move(after));
    for (const auto& p : result.problems)
      if (p.severity == Problem::Error) plan.refusals.push_back("after the squash: " + p.message);
    for (int h : result.heads) plan.heads_after.push_back(result.nodes[h].id);
    if (plan.refusals.empty() && result.bases.size() != 1)
      plan.refusals.push_back(
          fmt::format("after the squash there would be {} bases", result.bases.size()));
  }
  return plan;
}

namespace {

[[noreturn]] void fail_errno(const std::string& what) {
  throw std::runtime_error(fmt::format("{}: {}", what, std::strerror(errno)));
}

// rename(2) that never replaces an existing target.
void rename_noreplace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return;
  if (errno != EINVAL && errno != ENOSYS) fail_errno(fmt::format("rename {} to {}", from, to));
  if (::link(from.c_str(), to.c_str()) != 0) fail_errno(fmt::format("link {} to {}", from, to));
  if (::unlink(from.c_str()) != 0) fail_errno(fmt::format("unlink {}", from));
}

void fsync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) fail_errno("open " + path);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) fail_errno("fsync " + path);
}

// Writes a new file (it must not exist), fsync'ed.
void write_new_file(const std::string& path, const std::string& content, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) fail_errno("create " + path);
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      ::close(fd);
      errno = saved;
      fail_errno("write " + path);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, mode) != 0 || ::fsync(fd) != 0) {
    int saved = errno;
    ::close(fd);
    errno = saved;
    fail_errno("fsync " + path);
  }
  if (::close(fd) != 0) fail_errno("close " + path);
}

// A temporary name beside `name` that Alembic never loads (it does not end in .py).
std::string temp_name(const std::string& dir, const std::string& name) {
  fs::path file = fs::path(dir) / name;
  return fmt::format("{}/.{}.squashctl-{}.tmp", file.parent_path().string(),
                     file.filename().string(), ::getpid());
}

}  // namespace

void apply_squash(const SquashPlan& plan, const std::string& dir) {
  Folder folder;
  folder.dir = dir;
  apply_squash(plan, folder);
}

void apply_squash(const SquashPlan& plan, const Folder& folder) {
  if (!plan.ok()) throw std::runtime_error("the plan has refusals; nothing applied");
  const std::string& dir = folder.dir;
  Folder now;
  if (folder.locations == std::vector<std::string>{"."} && !folder.recursive) {
    now = read_folder(dir);
  } else {
    std::vector<std::string> locations;
    for (const auto& l : folder.locations) locations.push_back((fs::path(dir) / l).string());
    now = read_locations(locations, folder.recursive);
  }
  if (now.digest != plan.digest_before)
    throw std::runtime_error(
        fmt::format("the folder changed while the squash was planned (digest {} → {}); nothing "
                    "applied",
                    plan.digest_before, now.digest));

  std::vector<std::function<void()>> undo;
  std::vector<std::string> temps;
  auto cleanup_temps = [&] {
    for (const auto& t : temps) ::unlink(t.c_str());
  };
  try {
    // 1. Everything new is written first, under names Alembic ignores.
    std::string gen_tmp = temp_name(dir, plan.generated_name);
    temps.push_back(gen_tmp);
    write_new_file(gen_tmp, plan.generated_text, 0644);
    std::vector<std::pair<std::string, std::string>> rewired;  // temp, final
    for (const auto& [name, text] : plan.new_texts) {
      std::string final_path = dir + "/" + name;
      struct stat st {};
      if (::stat(final_path.c_str(), &st) != 0) fail_errno("stat " + final_path);
      std::string tmp = temp_name(dir, name);
      temps.push_back(tmp);
      write_new_file(tmp, text, st.st_mode & 07777);
      rewired.emplace_back(tmp, final_path);
    }
    // The archive folders (created parents first; removed again on failure if empty).
    std::set<std::string> archive_dirs;
    for (const auto& m : plan.moves)
      archive_dirs.insert(fs::path(dir + "/" + m.to).lexically_normal().parent_path().string());
    for (const auto& folder_path : archive_dirs) {
      std::vector<fs::path> missing;
      for (fs::path p = folder_path; !p.empty() && p != p.root_path(); p = p.parent_path()) {
        struct stat st {};
        if (::stat(p.c_str(), &st) == 0) {
          if (!S_ISDIR(st.st_mode))
            throw std::runtime_error(p.string() + " exists and is not a folder");
          break;
        }
        missing.push_back(p);
      }
      for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        if (::mkdir(it->c_str(), 0755) != 0) fail_errno("mkdir " + it->string());
        undo.push_back([made = it->string()] { ::rmdir(made.c_str()); });
      }
    }

    // 2. The replaced files move to archived/: from here until step 4 the remaining
    //    revisions name a missing revision, so Alembic refuses to run rather than run a
    //    half-squashed history.
    for (const auto& m : plan.moves) {
      std::string from = dir + "/" + m.from, to = dir + "/" + m.to;
      rename_noreplace(from, to);
      undo.push_back([from, to] { rename_noreplace(to, from); });
    }
    // 3. Rewired revisions replace their originals.
    for (std::size_t i = 0; i < rewired.size(); ++i) {
      const auto& [tmp, final_path] = rewired[i];
      std::string original = dir + "/" + plan.new_texts[i].first;
      std::string keep = temp_name(dir, plan.new_texts[i].first + ".orig");
      if (::link(original.c_str(), keep.c_str()) != 0) fail_errno("link " + original);
      temps.push_back(keep);
      if (::rename(tmp.c_str(), final_path.c_str()) != 0) fail_errno("rename " + tmp);
      undo.push_back([keep, final_path] {
        if (::rename(keep.c_str(), final_path.c_str()) != 0) fail_errno("restore " + final_path);
      });
    }
    // 4. The squashed revision appears last.
    std::string gen_final = dir + "/" + plan.generated_name;
    rename_noreplace(gen_tmp, gen_final);
    undo.push_back([gen_final] { ::unlink(gen_final.c_str()); });
    for (const auto& folder_path : archive_dirs) fsync_path(folder_path, O_RDONLY | O_DIRECTORY);
    fsync_path(fs::path(gen_final).parent_path().string(), O_RDONLY | O_DIRECTORY);
    fsync_path(dir, O_RDONLY | O_DIRECTORY);
  } catch (const std::exception& e) {
    std::string undo_error;
    for (auto it = undo.rbegin(); it != undo.rend(); ++it) {
      try {
        (*it)();
      } catch (const std::exception& u) {
        undo_error += fmt::format("; undoing failed too: {}", u.what());
      }
    }
    cleanup_temps();
    throw std::runtime_error(fmt::format(
        "{}; {}{}", e.what(),
        undo_error.empty() ? "every step was undone" : "the folder may be half-squashed",
        undo_error));
  }
  cleanup_temps();  // the .orig links of rewired files
}

}  // namespace squash::revisions
