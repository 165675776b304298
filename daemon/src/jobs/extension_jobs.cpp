#include "jobs/extension_jobs.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "jobs/backup.hpp"
#include "jobs/manifest.hpp"
#include "jobs/probes.hpp"
#include "jobs/scratch.hpp"
#include "jobs/version_table.hpp"
#include "util/files.hpp"

namespace squash::jobs {

namespace fs = std::filesystem;
using nlohmann::json;

ExtensionInfo require_extension(RunContext& ctx, db::Connection& conn) {
  auto ext = find_extension(conn, &ctx.stop());
  if (!ext)
    throw StepFailed(fmt::format(
        "pg_squash is not installed in the target database of {} (CREATE EXTENSION pg_squash)",
        ctx.target().name));
  return *ext;
}

Validation validate(RunContext& ctx, db::Connection& conn, const ExtensionInfo& ext,
                    const std::optional<std::string>& reference) {
  auto rows = conn.query(
      fmt::format("SELECT check_name, status, detail FROM {}($1)", ext.call("squash_validate")),
      {reference}, &ctx.stop());
  Validation v;
  for (auto& r : rows.rows) {
    auto name = r[0].value_or("?"), status = r[1].value_or("?"), detail = r[2].value_or("");
    auto line = detail.empty() ? name : fmt::format("{}: {}", name, detail);
    if (status == "pass")
      ++v.pass;
    else if (status == "fail")
      ++v.fail, v.failures.push_back(line);
    else if (status == "warn")
      ++v.warn, v.warnings.push_back(line);
    else
      ++v.skip;
  }
  return v;
}

std::string quote_ident(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Validation::summary() const {
  return fmt::format("{} pass, {} fail, {} warn, {} skip", pass, fail, warn, skip);
}

namespace {

bool is_version_table(const std::string& relation) {
  return relation == "alembic_version" || relation.ends_with(".alembic_version") ||
         relation.ends_with(".\"alembic_version\"");
}

}  // namespace

bool same_data(const json& expected, const json& actual, std::string* difference) {
  auto index = [](const json& rows) {
    std::map<std::string, std::pair<long long, std::string>> m;
    if (!rows.is_array()) return m;
    for (auto& r : rows) {
      auto rel = r.value("relation", "");
      if (is_version_table(rel)) continue;
      m[rel] = {r.value("row_count", 0LL), r.value("hash", "")};
    }
    return m;
  };
  auto e = index(expected), a = index(actual);
  for (auto& [rel, v] : e) {
    auto it = a.find(rel);
    if (it == a.end()) {
      if (difference) *difference = fmt::format("table {} is missing", rel);
      return false;
    }
    if (it->second != v) {
      if (difference)
        *difference = fmt::format("table {}: {} rows (hash {}) expected, {} rows (hash {}) found",
                                  rel, v.first, v.second, it->second.first, it->second.second);
      return false;
    }
  }
  for (auto& [rel, v] : a)
    if (!e.count(rel)) {
      if (difference) *difference = fmt::format("table {} was not there before", rel);
      return false;
    }
  return true;
}

void run_validate_job(RunContext& ctx, db::Connection& conn) {
  ctx.step("validate", [&] {
    auto ext = require_extension(ctx, conn);
    auto v = validate(ctx, conn, ext, ctx.params().text("expect"));
    for (auto& w : v.warnings) ctx.note("warn: " + w);
    ctx.detail(v.summary());
    if (v.fail > 0)
      throw StepFailed(
          fmt::format("validation failed ({}): {}", v.summary(), fmt::join(v.failures, "; ")));
  });
  run_probes(ctx);
}

void run_refresh_views_job(RunContext& ctx, db::Connection& conn) {
  ctx.step("refresh-views", [&] {
    auto ext = require_extension(ctx, conn);
    bool concurrently = ctx.params().flag("concurrently").value_or(true);
    auto rows = conn.query(fmt::format("SELECT view, kind, action, ms FROM {}($1::boolean)",
                                       ext.call("squash_refresh_views")),
                           {concurrently ? "true" : "false"}, &ctx.stop());
    std::map<std::string, int> actions;
    for (auto& r : rows.rows) ++actions[r[2].value_or("?")];
    std::string summary = fmt::format("{} view(s)", rows.rows.size());
    for (auto& [a, n] : actions) summary += fmt::format(", {} {}", n, a);
    ctx.detail(summary);
  });
}

// params.expect_file: an exported snapshot, read and checked before anything changes.
struct ExpectedSnapshot {
  std::string document;
  std::string fingerprint;  // the one it declares
};

ExpectedSnapshot read_expect_file(const std::string& path) {
  constexpr std::uintmax_t kMaxBytes = 1ull << 30;  // as the extension's import bound
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec)
    throw StepFailed(fmt::format("params.expect_file: cannot read {}: {}", path, ec.message()));
  if (size > kMaxBytes)
    throw StepFailed(
        fmt::format("params.expect_file: {} is {} bytes, more than a snapshot may be", path, size));
  ExpectedSnapshot e;
  auto text = util::read_file(path);
  if (!text) throw StepFailed(fmt::format("params.expect_file: cannot read {}", path));
  e.document = std::move(*text);
  json doc = json::parse(e.document, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("fingerprint") ||
      !doc["fingerprint"].is_string())
    throw StepFailed(fmt::format(
        "params.expect_file: {} is not an exported snapshot (JSON with its fingerprint)", path));
  e.fingerprint = doc["fingerprint"].get<std::string>();
  return e;
}

void run_stamp_job(RunContext& ctx, db::Connection& conn) {
  auto revision = ctx.params().text("revision");
  if (!revision) throw StepFailed("stamp needs params.revision (the squashed revision id)");
  auto expect = ctx.params().text("expect");
  auto expect_file = ctx.params().text("expect_file");
  if (expect && expect_file)
    throw StepFailed("stamp takes params.expect or params.expect_file, not both");
  std::optional<ExpectedSnapshot> expected;
  if (expect_file)
    expected = ctx.step("read-expect-file", [&] {
      auto e = read_expect_file(*expect_file);
      ctx.detail(fmt::format("{}: fingerprint {}", *expect_file, e.fingerprint));
      return e;
    });
  auto ext = ctx.step("check-extension", [&] {
    auto e = require_extension(ctx, conn);
    // squash_stamp would look for the table on squashd's pinned search_path: name it.
    auto table = find_version_table(conn, &ctx.stop());
    conn.query("SELECT pg_catalog.set_config('pg_squash.version_table', $1, false)",
               {table.qualified(conn)}, &ctx.stop());
    ctx.detail("version table " + table.qualified(conn) + (table.exists ? "" : " (to be created)"));
    return e;
  });
  take_backup(ctx);
  if (expected)
    expect = ctx.step("import-expected", [&] {
      // Stored under the run's id: the stamp history names the proof it relied on.
      const std::string label = "squashd_" + ctx.run().id;
      auto fp =
          conn.scalar(fmt::format("SELECT {}($1::jsonb, $2)", ext.call("squash_snapshot_import")),
                      {expected->document, label}, &ctx.stop());
      if (fp.value_or("") != expected->fingerprint) {
        conn.query(fmt::format("SELECT {}($1)", ext.call("squash_snapshot_drop")), {label},
                   &ctx.stop());
        throw StepFailed(fmt::format(
            "params.expect_file declares fingerprint {} but its objects give {}: not stamped",
            expected->fingerprint, fp.value_or("none")));
      }
      ctx.detail(fmt::format("stored as snapshot '{}', fingerprint {}", label, *fp));
      return label;
    });
  std::string previous = ctx.step("stamp", [&] {
    auto before = conn.scalar(fmt::format("SELECT {}($1, $2, false)", ext.call("squash_stamp")),
                              {revision, expect}, &ctx.stop());
    ctx.detail(fmt::format("alembic_version: {} -> {}", before.value_or("none"), *revision));
    return before.value_or("");
  });
  Validation v;
  try {
    v = ctx.step("validate", [&] {
      auto result = validate(ctx, conn, ext, expect);
      ctx.detail(result.summary());
      return result;
    });
  } catch (const std::exception& e) {
    v.fail = 1;
    v.failures.push_back(e.what());
  }
  std::string failure;
  if (v.fail > 0) {
    failure = fmt::format("validation failed after the stamp ({}): {}", v.summary(),
                          fmt::join(v.failures, "; "));
  } else {
    try {
      run_probes(ctx);
    } catch (const std::exception& e) {
      failure = fmt::format("{} after the stamp", e.what());
    }
  }
  if (!failure.empty()) {
    // The undo runs to its end even when a cancel, SIGTERM or the window's end caused it.
    ctx.ignore_stop(true);
    ctx.step("unstamp", [&] {
      auto r = conn.scalar(fmt::format("SELECT {}()", ext.call("squash_unstamp")));
      ctx.detail(fmt::format("alembic_version restored ({})", r.value_or(previous)));
    });
    if (v.fail == 0) probe_after_rollback(ctx);
    ctx.ignore_stop(false);
    throw StepFailed(failure + "; unstamped");
  }
  for (auto& w : v.warnings) ctx.note("warn: " + w);
  apply_retention(ctx);
}

void run_restore_drill_job(RunContext& ctx, db::Connection& conn) {
  (void)conn;
  const auto& target = ctx.target();
  auto chosen = ctx.step("select-backup", [&] {
    auto found = scan_backups(target.backup_dir, target.name, true);
    const BackupCheck* best = nullptr;
    for (auto& b : found)
      if (b.verified && (!best || *b.completed > *best->completed)) best = &b;
    if (!best)
      throw StepFailed(
          fmt::format("no verified backup of {} in {}", target.name, target.backup_dir));
    ctx.detail(best->path);
    return *best;
  });
  ctx.set_backup(chosen.path);
  const auto& m = *chosen.manifest;
  ScratchDatabase db(ctx, "squash_drill_", "restore-drill");
  const std::string& scratch = db.name();
  auto maint = ctx.connect("postgres");
  std::exception_ptr failure;
  try {
    ctx.step("create-scratch", [&] {
      if (auto leftover = db.drop_leftover(maint))
        ctx.note("dropped the scratch database an earlier drill left: " + *leftover);
      db.create(maint, "TEMPLATE template0", &ctx.stop());
      ctx.detail(scratch);
    });
    ctx.step("restore", [&] {
      ctx.run_tool("pg_restore",
                   {ctx.settings().tools.pg_restore, "--exit-on-error", "--no-password",
                    "--dbname=" + ctx.conninfo(scratch), chosen.path + "/" + kFullDump});
    });
    ctx.step("compare", [&] {
      auto copy = ctx.connect(scratch);
      if (!m.fingerprint) {
        ctx.note("fingerprints skipped: pg_squash was not installed on the target when backup " +
                 chosen.name + " was taken");
        auto tables = copy.scalar(
            "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON "
            "n.oid = c.relnamespace WHERE c.relkind IN ('r','p') AND n.nspname NOT IN "
            "('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg\\_%'");
        ctx.detail(
            fmt::format("restored {} table(s); no fingerprints to compare", tables.value_or("0")));
        return;
      }
      auto ext = find_extension(copy, &ctx.stop());
      if (!ext) throw StepFailed("pg_squash is missing in the restored copy");
      auto fp =
          copy.scalar(fmt::format("SELECT {}()", ext->call("squash_fingerprint")), {}, &ctx.stop());
      if (fp != m.fingerprint)
        throw StepFailed(
            fmt::format("schema fingerprint of the restored copy {} differs from the "
                        "backup's {}",
                        fp.value_or("?"), *m.fingerprint));
      std::string diff;
      auto data = data_fingerprint(copy, *ext, &ctx.stop());
      if (!same_data(m.data_fingerprint, data, &diff))
        throw StepFailed("data fingerprint of the restored copy differs: " + diff);
      ctx.detail(fmt::format("schema fingerprint {} and {} table fingerprints match",
                             fp->substr(0, 16), data.size()));
    });
  } catch (...) {
    failure = std::current_exception();
  }
  // Always: the scratch database goes, even after a failure or a stop.
  ctx.ignore_stop(true);
  ctx.step("drop-scratch", [&] { db.drop(maint); });
  ctx.ignore_stop(false);
  if (failure) std::rethrow_exception(failure);
}

}  // namespace squash::jobs
