#include "jobs/backup.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "jobs/retention.hpp"
#include "jobs/squash_state.hpp"
#include "jobs/version_table.hpp"
#include "util/files.hpp"
#include "util/format.hpp"

namespace squash::jobs {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

// Number of TOC entries pg_restore --list printed (lines not starting with ';').
std::size_t toc_entries(const std::string& list) {
  std::size_t n = 0, start = 0;
  while (start < list.size()) {
    auto end = list.find('\n', start);
    if (end == std::string::npos) end = list.size();
    if (end > start && list[start] != ';') ++n;
    start = end + 1;
  }
  return n;
}

}  // namespace

std::optional<ExtensionInfo> find_extension(db::Connection& conn, process::Stop* stop) {
  auto rows = conn.query(
      "SELECT pg_catalog.quote_ident(n.nspname), e.extversion FROM pg_catalog.pg_extension e "
      "JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_squash'",
      {}, stop);
  if (rows.rows.empty()) return std::nullopt;
  return ExtensionInfo{rows.rows[0][0].value_or("public"), rows.rows[0][1].value_or("")};
}

json data_fingerprint(db::Connection& conn, const ExtensionInfo& ext, process::Stop* stop) {
  auto rows = conn.query(fmt::format("SELECT relation, row_count, hash FROM {}() ORDER BY 1",
                                     ext.call("squash_data_fingerprint")),
                         {}, stop);
  json out = json::array();
  for (auto& r : rows.rows)
    out.push_back({{"relation", r[0].value_or("")},
                   {"row_count", std::stoll(r[1].value_or("0"))},
                   {"hash", r[2].value_or("")}});
  return out;
}

BackupResult take_backup(RunContext& ctx) {
  const auto& target = ctx.target();
  const auto& tools = ctx.settings().tools;
  util::ensure_dir(target.backup_dir);
  const std::string final_dir = target.backup_dir + "/" + ctx.run().id;
  const std::string partial = final_dir + kPartialSuffix;
  Manifest m;
  nlohmann::json state;  // pg_squash's own state, when installed
  m.run_id = ctx.run().id;
  m.target = target.name;
  m.database = db::dbname_of(target.conninfo);
  m.started_at = util::format_utc_iso8601(ctx.now());

  // One snapshot for the three dumps, the revision and the fingerprints.
  db::Connection snap = ctx.connect();
  std::string snapshot = ctx.step("inspect", [&] {
    util::remove_tree(partial);
    ctx.set_partial_dir(partial);
    util::ensure_dir(partial);
    auto version = ctx.run_tool("pg_dump", {tools.pg_dump, "--version"});
    m.pg_dump_version = trim(version.stdout_text);
    snap.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    auto id = snap.scalar("SELECT pg_catalog.pg_export_snapshot()").value_or("");
    m.server_version = snap.scalar("SHOW server_version").value_or("");
    // The Alembic revision(s), from the table the catalogs name; a missing one is none.
    auto table = find_version_table(snap, &ctx.stop());
    for (auto& other : table.ignored) {
      m.notes.push_back("not the version table, never read: " + other);
      ctx.note("not the version table, never read: " + other);
    }
    m.revision_table = table.exists;
    m.revisions = read_revisions(snap, table, &ctx.stop());
    std::string revision_text;
    for (auto& r : m.revisions) revision_text += r + "\n";
    if (revision_text.empty()) revision_text = "none\n";
    util::write_file_atomic(partial + "/" + kRevisionFile, revision_text);
    if (auto ext = find_extension(snap, &ctx.stop())) {
      m.extension_version = ext->version;
      m.fingerprint =
          snap.scalar(fmt::format("SELECT {}()", ext->call("squash_fingerprint")), {}, &ctx.stop());
      m.data_fingerprint = data_fingerprint(snap, *ext, &ctx.stop());
      state = read_squash_state(snap, &ctx.stop());
      if (!state.is_null())
        util::write_file_atomic(partial + "/" + kStateFile, state.dump(1) + "\n");
    } else {
      m.notes.push_back("pg_squash is not installed on the target: no fingerprints recorded");
    }
    ctx.detail(fmt::format("server {}, revision {}", m.server_version,
                           m.revisions.empty() ? "none" : m.revisions.front()));
    return id;
  });

  struct Dump {
    const char* step;
    const char* file;
    const char* content;
    std::vector<std::string> flags;
  };
  const Dump dumps[] = {{"dump-full", kFullDump, "full", {}},
                        {"dump-schema", kSchemaDump, "schema", {"--schema-only"}},
                        {"dump-data", kDataDump, "data", {"--data-only"}}};
  for (const auto& d : dumps) {
    ctx.step(d.step, [&] {
      std::vector<std::string> argv = {tools.pg_dump, "--format=custom", "--no-password",
                                       "--snapshot=" + snapshot, "--dbname=" + ctx.conninfo()};
      argv.insert(argv.end(), d.flags.begin(), d.flags.end());
      auto r = ctx.run_tool("pg_dump", argv, partial + "/" + d.file, std::nullopt, true);
      ctx.detail(fmt::format("{} in {:.1f}s", util::human_bytes(r.stdout_bytes), r.seconds));
    });
  }
  snap.query("COMMIT");

  ctx.step("checksums", [&] {
    m.files.clear();
    for (const auto& d : dumps) {
      auto digest = util::sha256_file(partial + "/" + d.file);
      m.files.push_back({d.file, "custom", d.content, digest.size, digest.sha256});
    }
    auto rev = util::sha256_file(partial + "/" + kRevisionFile);
    m.files.push_back({kRevisionFile, "text", "revision", rev.size, rev.sha256});
    if (!state.is_null()) {
      auto st = util::sha256_file(partial + "/" + kStateFile);
      m.files.push_back({kStateFile, "json", "pg_squash-state", st.size, st.sha256});
    }
  });

  ctx.step("verify", [&] {
    std::string summary;
    for (const auto& d : dumps) {
      auto r =
          ctx.run_tool("pg_restore --list", {tools.pg_restore, "--list", partial + "/" + d.file});
      auto n = toc_entries(r.stdout_text);
      if (n == 0 && std::string(d.content) != "data")
        throw StepFailed(fmt::format("pg_restore --list found no entries in {}", d.file));
      summary += fmt::format("{}{}: {} entries", summary.empty() ? "" : ", ", d.file, n);
    }
    // The files on disk are still the ones hashed.
    for (const auto& f : m.files) {
      auto digest = util::sha256_file(partial + "/" + f.name);
      if (digest.sha256 != f.sha256)
        throw StepFailed(fmt::format("{} changed after it was hashed", f.name));
    }
    ctx.detail(summary);
  });

  ctx.step("manifest", [&] {
    m.verified = true;
    m.completed_at = util::format_utc_iso8601(ctx.now());
    write_manifest(partial, m);
  });

  ctx.step("finalize", [&] {
    if (::rename(partial.c_str(), final_dir.c_str()) != 0)
      throw StepFailed(
          fmt::format("cannot rename {} to {}: {}", partial, final_dir, std::strerror(errno)));
    util::fsync_dir(target.backup_dir);
    std::uint64_t total = 0;
    for (auto& f : m.files) total += f.size;
    ctx.set_partial_dir(std::nullopt);
    ctx.set_backup(final_dir, total);
    ctx.detail(fmt::format("{} ({})", final_dir, util::human_bytes(total)));
  });
  return {final_dir, m, state};
}

void apply_retention(RunContext& ctx) {
  const auto& t = ctx.target();
  ctx.step("retention", [&] {
    auto found = scan_backups(t.backup_dir, t.name, true);
    std::vector<RetentionCandidate> verified;
    std::vector<std::string> removed, unread;
    for (auto& b : found) {
      if (b.verified) {
        verified.push_back({b.name, *b.completed, b.pinned});
      } else if (b.partial) {
        // Unfinished, by a run of this target: one runs at a time, so none writes it now.
        spdlog::warn("run {}: removing {} from {}: {}", ctx.run().id, b.name, t.backup_dir,
                     b.problem);
        util::remove_tree(b.path);
        removed.push_back(fmt::format("{} ({})", b.name, b.problem));
      } else {
        // Not read and ranked: never deleted.
        spdlog::warn("run {}: retention keeps {} in {} unread: {}", ctx.run().id, b.name,
                     t.backup_dir, b.problem);
        unread.push_back(fmt::format("{} ({})", b.name, b.problem));
      }
    }
    ctx.set_unreadable_backups(unread.size());
    if (!unread.empty())
      ctx.note(fmt::format("retention kept {} backup(s) it cannot read and rank: {}", unread.size(),
                           fmt::join(unread, "; ")));
    auto now = std::chrono::floor<std::chrono::seconds>(ctx.now());
    auto expired = select_expired(verified, {t.keep_last, t.keep_days, t.min_keep}, now);
    for (auto& name : expired) {
      spdlog::info("run {}: retention deletes backup {}", ctx.run().id, name);
      util::remove_tree(t.backup_dir + "/" + name);
      removed.push_back(name + " (expired)");
    }
    util::fsync_dir(t.backup_dir);
    ctx.detail(fmt::format("{} verified backup(s) kept, {} unreadable kept, {} removed{}{}",
                           verified.size() - expired.size(), unread.size(), removed.size(),
                           removed.empty() ? "" : ": ", fmt::join(removed, ", ")));
  });
}

void run_backup_job(RunContext& ctx) {
  take_backup(ctx);
  apply_retention(ctx);
}

}  // namespace squash::jobs
