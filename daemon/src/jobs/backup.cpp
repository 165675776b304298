#include "jobs/backup.hpp"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>
#include <thread>
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

// Runs the tasks at once, the first on this thread; when all have ended, rethrows the
// first failure (in task order).
void run_parallel(const std::vector<std::function<void()>>& tasks) {
  std::vector<std::exception_ptr> errors(tasks.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < tasks.size(); ++i)
    threads.emplace_back([&, i] {
      try {
        tasks[i]();
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  try {
    tasks[0]();
  } catch (...) {
    errors[0] = std::current_exception();
  }
  for (auto& t : threads) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
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
  const std::string full = partial + "/" + kFullDump;
  Manifest m;
  nlohmann::json state;  // pg_squash's own state, when installed
  m.run_id = ctx.run().id;
  m.target = target.name;
  m.database = db::dbname_of(target.conninfo);
  m.started_at = util::format_utc_iso8601(ctx.now());

  // One snapshot for the dump, the revision and the fingerprints.
  db::Connection snap = ctx.connect();
  std::optional<ExtensionInfo> ext;
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
    m.files.push_back(
        {kRevisionFile, "text", "revision", revision_text.size(), util::sha256_hex(revision_text)});
    ext = find_extension(snap, &ctx.stop());
    if (ext) {
      m.extension_version = ext->version;
      state = read_squash_state(snap, &ctx.stop());
      if (!state.is_null()) {
        auto text = state.dump(1) + "\n";
        util::write_file_atomic(partial + "/" + kStateFile, text);
        m.files.push_back(
            {kStateFile, "json", "pg_squash-state", text.size(), util::sha256_hex(text)});
      }
    } else {
      m.notes.push_back("pg_squash is not installed on the target: no fingerprints recorded");
    }
    ctx.detail(fmt::format("server {}, revision {}", m.server_version,
                           m.revisions.empty() ? "none" : m.revisions.front()));
    return id;
  });

  // pg_dump reads the exported snapshot while the fingerprints are taken in it, on the
  // connection that exported it: they describe exactly what is dumped.
  ctx.step("dump-full", [&] {
    process::Stop fingerprint_stop;
    std::atomic<bool> fingerprinted{false};
    std::exception_ptr fingerprint_error;
    std::optional<std::string> schema_fp;
    nlohmann::json data_fp;
    double fingerprint_seconds = 0;
    std::thread fingerprinter;
    struct Join {  // on any way out: stop the queries (PQcancel), then wait for them
      process::Stop& stop;
      std::thread& thread;
      ~Join() {
        if (!thread.joinable()) return;
        stop.request(process::StopReason::cancelled);
        thread.join();
      }
    } join{fingerprint_stop, fingerprinter};
    if (ext)
      fingerprinter = std::thread([&] {
        auto started = std::chrono::steady_clock::now();
        try {
          schema_fp = snap.scalar(fmt::format("SELECT {}()", ext->call("squash_fingerprint")), {},
                                  &fingerprint_stop);
          data_fp = data_fingerprint(snap, *ext, &fingerprint_stop);
        } catch (...) {
          fingerprint_error = std::current_exception();
        }
        fingerprint_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        fingerprinted = true;
      });
    std::vector<std::string> argv = {tools.pg_dump, "--format=custom", "--no-password",
                                     "--snapshot=" + snapshot, "--dbname=" + ctx.conninfo()};
    auto r = ctx.run_tool("pg_dump", argv, full, std::nullopt, true);
    m.files.insert(m.files.begin(), {kFullDump, "custom", "full", r.stdout_bytes, r.stdout_sha256});
    if (!ext) {
      ctx.detail(fmt::format("{} in {:.1f}s", util::human_bytes(r.stdout_bytes), r.seconds));
      return;
    }
    // The run's stop (cancel, SIGTERM, window end) reaches the queries still running.
    while (!fingerprinted) {
      if (auto reason = ctx.stop().poll(ctx.now()); reason != process::StopReason::none)
        fingerprint_stop.request(reason);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    fingerprinter.join();
    if (fingerprint_error) std::rethrow_exception(fingerprint_error);
    m.fingerprint = std::move(schema_fp);
    m.data_fingerprint = std::move(data_fp);
    spdlog::info("run {}: pg_dump took {:.2f}s, the fingerprints alongside it {:.2f}s",
                 ctx.run().id, r.seconds, fingerprint_seconds);
    ctx.detail(fmt::format("{} in {:.1f}s; fingerprints ({} tables) in {:.1f}s alongside",
                           util::human_bytes(r.stdout_bytes), r.seconds, m.data_fingerprint.size(),
                           fingerprint_seconds));
  });
  snap.query("COMMIT");

  // The schema and data parts are TOC lists of full.dump (pg_restore -L), derived from the
  // archive without touching the database; listing the whole archive proves it readable,
  // and full.dump is read back to prove the bytes on disk are the ones hashed. All at once.
  ctx.step("verify", [&] {
    struct Part {
      const char* file;
      const char* content;
      const char* flag;
      std::size_t entries = 0;
      process::ChildResult result{};
    };
    Part parts[] = {{kSchemaList, "schema", "--schema-only"}, {kDataList, "data", "--data-only"}};
    std::size_t full_entries = 0;
    util::FileDigest reread;
    run_parallel({
        [&] {
          auto r = ctx.run_tool("pg_restore --list", {tools.pg_restore, "--list", full});
          full_entries = toc_entries(r.stdout_text);
        },
        [&] {
          auto& p = parts[0];
          p.result = ctx.run_tool("pg_restore --list", {tools.pg_restore, "--list", p.flag, full},
                                  partial + "/" + p.file);
        },
        [&] {
          auto& p = parts[1];
          p.result = ctx.run_tool("pg_restore --list", {tools.pg_restore, "--list", p.flag, full},
                                  partial + "/" + p.file);
        },
        [&] { reread = util::sha256_file(full); },
    });
    if (full_entries == 0)
      throw StepFailed(fmt::format("pg_restore --list found no entries in {}", kFullDump));
    if (reread.sha256 != m.files.front().sha256 || reread.size != m.files.front().size)
      throw StepFailed(fmt::format(
          "{} on disk is not the file written ({} bytes, SHA-256 {}; "
          "written {} bytes, SHA-256 {})",
          kFullDump, reread.size, reread.sha256, m.files.front().size, m.files.front().sha256));
    for (auto& p : parts) {
      auto text = util::read_file(partial + "/" + p.file).value_or("");
      p.entries = toc_entries(text);
      if (util::sha256_hex(text) != p.result.stdout_sha256)
        throw StepFailed(fmt::format("{} on disk is not the file written", p.file));
      m.files.push_back(
          {p.file, kTocListFormat, p.content, p.result.stdout_bytes, p.result.stdout_sha256});
    }
    if (parts[0].entries == 0)
      throw StepFailed(
          fmt::format("pg_restore --list --schema-only found no entries in {}", kFullDump));
    ctx.detail(fmt::format("{}: {} entries, re-read, SHA-256 as written; {}: {}, {}: {} entries",
                           kFullDump, full_entries, parts[0].file, parts[0].entries, parts[1].file,
                           parts[1].entries));
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
