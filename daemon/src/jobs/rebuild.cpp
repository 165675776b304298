#include "jobs/rebuild.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "jobs/backup.hpp"
#include "jobs/extension_jobs.hpp"
#include "jobs/jobs.hpp"
#include "jobs/probes.hpp"
#include "jobs/scratch.hpp"
#include "jobs/squash_state.hpp"
#include "jobs/version_table.hpp"
#include "util/files.hpp"

namespace squash::jobs {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr char kMaintenanceDb[] = "postgres";
constexpr char kBeforeLabel[] = "squashd_rebuild_before";

// What the refusal-before-dropping check adds up: every step of the destructive phase.
const std::vector<std::string> kDestructiveSteps = {
    "drop",          "recreate", "apply",   "restore-state", "restore-data", "set-revision",
    "refresh-views", "validate", "compare", "reopen",        "probe"};

template <typename F>
void for_each_line(const std::string& text, F&& f) {
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    f(text.substr(start, end - start));
    start = end + 1;
  }
}

std::vector<std::string> words(const std::string& s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    auto j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// A pg_restore list file under state_dir/run, removed when it goes out of scope.
class ListFile {
 public:
  ListFile(const RunContext& ctx, const std::string& kind, const std::string& content)
      : path_(ctx.settings().state_dir + "/run/" + ctx.run().id + "." + kind + ".list") {
    util::ensure_dir(ctx.settings().state_dir + "/run");
    util::write_file_atomic(path_, content);
  }
  ~ListFile() { ::unlink(path_.c_str()); }
  ListFile(const ListFile&) = delete;
  ListFile& operator=(const ListFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string short_fp(const std::optional<std::string>& fp) {
  return fp ? fp->substr(0, 16) : std::string("none");
}

std::string listed(const std::vector<std::string>& items, std::size_t shown) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < shown; ++i) out += (i ? "; " : "") + items[i];
  if (items.size() > shown) out += fmt::format("; … and {} more", items.size() - shown);
  return out;
}

// The schema fingerprint of conn equals the backup's; else StepFailed listing what differs
// (through the pre-run snapshot document, imported and diffed in a rolled-back transaction).
void require_same_schema(RunContext& ctx, db::Connection& conn, const ExtensionInfo& ext,
                         const std::optional<std::string>& expected,
                         const std::optional<std::string>& before_doc, const std::string& what) {
  auto fp =
      conn.scalar(fmt::format("SELECT {}()", ext.call("squash_fingerprint")), {}, &ctx.stop());
  if (fp == expected) return;
  std::vector<std::string> diffs;
  if (before_doc) {
    try {
      conn.query("BEGIN");
      conn.query(fmt::format("SELECT {}($1::jsonb, $2)", ext.call("squash_snapshot_import")),
                 {*before_doc, std::string(kBeforeLabel)}, &ctx.stop());
      auto rows = conn.query(
          fmt::format("SELECT kind, identity, change, detail FROM {}($1)", ext.call("squash_diff")),
          {std::string(kBeforeLabel)}, &ctx.stop());
      for (auto& r : rows.rows)
        diffs.push_back(fmt::format("{} {} {}{}", r[0].value_or(""), r[1].value_or(""),
                                    r[2].value_or(""),
                                    r[3] && !r[3]->empty() ? ": " + *r[3] : std::string()));
    } catch (const std::exception& e) {
      diffs.push_back(fmt::format("(no diff: {})", e.what()));
    }
    try {
      conn.query("ROLLBACK");
    } catch (...) {
    }
  }
  throw StepFailed(fmt::format(
      "{}: schema fingerprint {} differs from the pre-run {}{}{}", what, short_fp(fp),
      short_fp(expected), diffs.empty() ? "" : fmt::format(" ({} difference(s): ", diffs.size()),
      diffs.empty() ? "" : listed(diffs, 10) + ")"));
}

// Schema, data and alembic_version of the target equal the backup's; else StepFailed.
// Returns a one-line proof.
std::string prove_equal(RunContext& ctx, db::Connection& conn, const Manifest& m,
                        const std::optional<std::string>& before_doc,
                        const std::optional<std::string>& revision) {
  auto ext = find_extension(conn, &ctx.stop());
  if (!ext) throw StepFailed("pg_squash is missing");
  require_same_schema(ctx, conn, *ext, m.fingerprint, before_doc, "schema");
  std::string diff;
  auto data = data_fingerprint(conn, *ext, &ctx.stop());
  if (!same_data(m.data_fingerprint, data, &diff))
    throw StepFailed("data fingerprint differs: " + diff);
  std::string want;
  if (revision) {
    want = *revision;
  } else if (m.revision_table) {
    for (auto& r : m.revisions) want += (want.empty() ? "" : ",") + r;
  } else {
    want = "(no alembic_version table)";
  }
  auto have = joined_revisions(conn, &ctx.stop());
  if (have != want)
    throw StepFailed(fmt::format("alembic_version holds '{}', expected '{}'", have, want));
  return fmt::format("fingerprints equal (schema {}, {} table(s)), alembic_version {}",
                     short_fp(m.fingerprint), data.size(), want.empty() ? "empty" : want);
}

// Every materialized view refreshed after the data restore, those another one reads
// first: the squashed SQL may have created them WITH DATA from empty tables, or left them
// unpopulated (a data-only restore has no MATERIALIZED VIEW DATA entries).
std::size_t refresh_materialized_views(RunContext& ctx, db::Connection& conn) {
  auto views = conn.query(
      "SELECT c.oid::text, pg_catalog.quote_ident(n.nspname) || '.' || "
      "pg_catalog.quote_ident(c.relname) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace "
      "n ON n.oid = c.relnamespace WHERE c.relkind = 'm' AND n.nspname <> 'squash' ORDER BY 2",
      {}, &ctx.stop());
  // (view, materialized view it reads) through the view's rewrite rule.
  auto edges = conn.query(
      "SELECT DISTINCT r.ev_class::text, d.refobjid::text FROM pg_catalog.pg_rewrite r "
      "JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass "
      "  AND d.objid = r.oid AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass "
      "JOIN pg_catalog.pg_class v ON v.oid = r.ev_class AND v.relkind = 'm' "
      "JOIN pg_catalog.pg_class m ON m.oid = d.refobjid AND m.relkind = 'm' "
      "WHERE d.refobjid <> r.ev_class",
      {}, &ctx.stop());
  std::map<std::string, std::string> name;
  std::map<std::string, std::set<std::string>> reads;
  for (auto& v : views.rows) name[v[0].value_or("")] = v[1].value_or("");
  for (auto& e : edges.rows)
    if (name.count(e[0].value_or("")) && name.count(e[1].value_or("")))
      reads[e[0].value_or("")].insert(e[1].value_or(""));
  std::set<std::string> done;
  while (done.size() < name.size()) {
    bool progress = false;
    for (auto& [oid, view] : name) {
      if (done.count(oid)) continue;
      bool ready = true;
      for (auto& dep : reads[oid]) ready = ready && done.count(dep);
      if (!ready) continue;
      conn.query("REFRESH MATERIALIZED VIEW " + view, {}, &ctx.stop());
      done.insert(oid);
      progress = true;
    }
    if (!progress) throw StepFailed("materialized views read each other in a cycle");
  }
  return done.size();
}

// psql -X -v ON_ERROR_STOP=1 --single-transaction -f squashed_sql on database dbname, then
// CREATE EXTENSION pg_squash (in schema) unless the SQL made it. Returns whether it did.
bool apply_squashed_sql(RunContext& ctx, const std::string& squashed_sql, const std::string& dbname,
                        const std::string& schema, std::optional<db::Connection>& conn) {
  const auto& tools = ctx.settings().tools;
  ctx.run_tool("psql",
               {tools.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
                "--no-password", "--dbname=" + ctx.conninfo(dbname), "--file=" + squashed_sql});
  conn.emplace(ctx.connect(dbname));
  if (find_extension(*conn, &ctx.stop())) return false;
  conn->query(fmt::format("CREATE EXTENSION pg_squash WITH SCHEMA {}", schema), {}, &ctx.stop());
  return true;
}

// Who may connect to the target database while the rebuild works on it. A row committed
// after the final fingerprint would go with the dropped database, so from before that
// fingerprint until the new database is verified nobody else may write:
//   close(keep)  ALLOW_CONNECTIONS false: nobody connects, superusers included
//   limit()      CONNECTION LIMIT 0, while squashd's own tools (a superuser) must still
//                connect to the new database
// Both end every other session on it (but keep) and wait until they are gone.
//   reopen()     the settings the database had before the run
class ConnectionGate {
 public:
  ConnectionGate(RunContext& ctx, std::optional<db::Connection>& maint, std::string dbname)
      : ctx_(ctx), maint_(maint), dbname_(std::move(dbname)) {}

  void remember() {
    auto rows = maint().query(
        "SELECT datallowconn::text, datconnlimit::text FROM pg_catalog.pg_database WHERE "
        "datname = $1",
        {dbname_});
    if (rows.rows.empty()) throw StepFailed("database " + dbname_ + " does not exist");
    allow_ = rows.rows[0][0] == std::optional<std::string>("true");
    limit_ = std::stoi(rows.rows[0][1].value_or("-1"));
    remembered_ = true;
  }
  std::size_t close(const std::optional<std::string>& keep_pid) {
    set(false, 0);
    return evict(keep_pid);
  }
  std::size_t limit() {
    set(true, 0);
    return evict(std::nullopt);
  }
  void reopen() {
    if (remembered_) set(allow_, limit_);
  }
  std::string reopen_sql() const {
    return fmt::format("ALTER DATABASE {} WITH ALLOW_CONNECTIONS {} CONNECTION LIMIT {}",
                       quote_ident(dbname_), allow_, limit_);
  }

 private:
  db::Connection& maint() {
    if (!maint_ || !maint_->ok()) maint_.emplace(ctx_.connect(std::string(kMaintenanceDb)));
    return *maint_;
  }
  void set(bool allow, int limit) {
    maint().query(fmt::format("ALTER DATABASE {} WITH ALLOW_CONNECTIONS {} CONNECTION LIMIT {}",
                              maint().identifier(dbname_), allow, limit));
  }
  // Ends every session on the database but keep_pid (autovacuum aside: it writes no rows)
  // and waits until they are gone; returns how many there were.
  std::size_t evict(const std::optional<std::string>& keep_pid) {
    constexpr int kRounds = 300;  // 30 s: pg_terminate_backend signals, the session exits
    std::size_t ended = 0;
    for (int round = 0; round < kRounds; ++round) {
      auto rows = maint().query(
          "SELECT pg_catalog.pg_terminate_backend(pid)::text FROM pg_catalog.pg_stat_activity "
          "WHERE datname = $1 AND pid <> pg_catalog.pg_backend_pid() "
          "AND backend_type <> 'autovacuum worker' AND ($2::int IS NULL OR pid <> $2::int)",
          {dbname_, keep_pid});
      if (rows.rows.empty()) return ended;
      if (round == 0) ended = rows.rows.size();
      ctx_.check_stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    throw StepFailed(
        fmt::format("sessions on database {} did not end after "
                    "pg_terminate_backend",
                    dbname_));
  }

  RunContext& ctx_;
  std::optional<db::Connection>& maint_;
  std::string dbname_;
  bool allow_ = true;
  int limit_ = -1;
  bool remembered_ = false;
};

std::string backend_pid(db::Connection& conn) {
  return conn.scalar("SELECT pg_catalog.pg_backend_pid()::text").value_or("");
}

// The database itself from the backup's DATABASE entries (pg_restore --create of those
// only): owner, encoding, locale, settings, comment, grants. Returns how many entries.
std::size_t recreate_database(RunContext& ctx, const std::string& full) {
  const auto& tools = ctx.settings().tools;
  auto list = ctx.run_tool("pg_restore --list", {tools.pg_restore, "--list", "--create", full});
  auto entries = database_entries(list.stdout_text);
  ListFile lf(ctx, "database", entries);
  ctx.run_tool("pg_restore", {tools.pg_restore, "--create", "--exit-on-error", "--no-password",
                              "--use-list=" + lf.path(),
                              "--dbname=" + ctx.conninfo(std::string(kMaintenanceDb)), full});
  std::size_t n = 0;
  for_each_line(entries, [&](const std::string& l) { n += !l.empty() && l[0] != ';'; });
  return n;
}

std::string describe_failure(const RunContext& ctx, std::exception_ptr failure) {
  std::string step;
  for (auto it = ctx.run().steps.rbegin(); it != ctx.run().steps.rend(); ++it)
    if (it->state != api::kSucceeded) {
      step = it->name;
      break;
    }
  std::string why;
  try {
    std::rethrow_exception(failure);
  } catch (const db::Stopped& s) {
    why = fmt::format("stopped ({})", s.what());
  } catch (const std::exception& e) {
    why = e.what();
  } catch (...) {
    why = "unknown error";
  }
  return step.empty() ? why : fmt::format("step {}: {}", step, why);
}

}  // namespace

std::string toc_desc(const std::string& line) {
  if (line.empty() || line[0] == ';') return "";
  auto semi = line.find(';');
  if (semi == std::string::npos) return "";
  std::size_t pos = semi + 1;
  for (int field = 0; field < 2; ++field) {  // catalog oid, object oid
    while (pos < line.size() && line[pos] == ' ') ++pos;
    while (pos < line.size() && line[pos] != ' ') ++pos;
  }
  while (pos < line.size() && line[pos] == ' ') ++pos;
  return line.substr(pos);
}

std::string database_entries(const std::string& list) {
  std::string out;
  for_each_line(list, [&](const std::string& line) {
    if (line.empty()) return;
    auto d = toc_desc(line);
    bool keep = line[0] == ';' || d.starts_with("DATABASE ") ||
                d.starts_with("COMMENT - DATABASE ") || d.starts_with("ACL - DATABASE ") ||
                d.starts_with("SECURITY LABEL - DATABASE ");
    if (keep) out += line + "\n";
  });
  return out;
}

std::string without_version_data(const std::string& list, std::size_t* excluded) {
  std::string out;
  std::size_t n = 0;
  for_each_line(list, [&](const std::string& line) {
    if (line.empty()) return;
    auto w = words(toc_desc(line));
    if (w.size() >= 4 && w[0] == "TABLE" && w[1] == "DATA" && w[3] == "alembic_version") {
      ++n;
      return;
    }
    out += line + "\n";
  });
  if (excluded) *excluded = n;
  return out;
}

std::string revision_problem(const std::string& revision, std::size_t max_width) {
  if (revision.empty()) return "the revision id is empty";
  if (revision.size() > max_width)
    return fmt::format(
        "the revision id is {} characters long; alembic_version.version_num "
        "holds {}",
        revision.size(), max_width);
  for (unsigned char c : revision)
    if (c <= ' ' || c == 0x7f) return "the revision id contains whitespace or control characters";
  return "";
}

namespace {

// What the rebuild's steps share: the target, the parameters, the two connections, the
// pre-run schema, the backup and the connection gate.
struct Rebuild {
  explicit Rebuild(RunContext& c)
      : ctx(c),
        tools(c.settings().tools),
        dbname(db::dbname_of(c.target().conninfo)),
        revision(c.params().text("revision")),
        squashed_sql(c.params().text("squashed_sql")),
        gate(c, maint, dbname) {}

  RunContext& ctx;
  const process::PgTools& tools;
  const std::string dbname;
  const std::optional<std::string> revision, squashed_sql;
  // maint: the maintenance database (the rebuild lock lives there); conn: the target.
  std::optional<db::Connection> maint, conn;
  std::optional<std::string> before_doc, live_fp;  // the pre-run schema
  std::string version_schema;  // where the version table is (or would be) before the run
  ExtensionInfo ext;
  BackupResult backup;
  std::string full;  // the backup's full dump
  ConnectionGate gate;
  bool destroyed = false;  // the database was dropped: a failure rolls back
  bool reopened = false;   // verified and open to the application again

  // The steps, in order (rebuild.hpp says what each does).
  void lock_databases();
  void preflight();
  void rehearse();
  void quiesce();
  void destructive_phase();
  void drop_database();
  void recreate();
  void apply_sql();
  void restore_state();
  void restore_data();
  void set_revision();
  void refresh_views();
  void validate_rebuilt();
  void compare();
  void reopen_database();
  // The database's own connection settings back, whatever stops the run.
  void reopen_quietly();
  // Runs to its end whatever stops the run; always throws.
  [[noreturn]] void roll_back(const std::string& why);
};

// connect: the rebuild lock on the maintenance database and the run lock on the target.
void Rebuild::lock_databases() {
  ctx.step("connect", [&] {
    if (dbname.empty() || dbname == kMaintenanceDb || dbname == "template0" ||
        dbname == "template1")
      throw StepFailed(
          fmt::format("rebuild refuses to drop database '{}' (target {}): it must "
                      "name an application database",
                      dbname, ctx.target().name));
    maint.emplace(ctx.connect(std::string(kMaintenanceDb)));
    auto got = maint->scalar(
        "SELECT pg_catalog.pg_try_advisory_lock($1::int, pg_catalog.hashtext($2))::text",
        {std::to_string(kAdvisoryClass), "squashd rebuild " + dbname});
    if (got != "true")
      throw StepFailed(
          fmt::format("busy: another session holds squashd's rebuild lock for "
                      "database {} on the maintenance database {}",
                      dbname, kMaintenanceDb));
    conn.emplace(ctx.connect());
    got = conn->scalar(fmt::format("SELECT pg_catalog.pg_try_advisory_lock({}, {})::text",
                                   kAdvisoryClass, kAdvisoryRun));
    if (got != "true")
      throw StepFailed(
          fmt::format("busy: another session holds squashd's advisory lock ({}, {}) "
                      "on target {}",
                      kAdvisoryClass, kAdvisoryRun, ctx.target().name));
    ctx.detail(fmt::format("advisory locks held on {} (rebuild of {}) and on {}", kMaintenanceDb,
                           dbname, dbname));
  });
}

void Rebuild::preflight() {
  ext = ctx.step("preflight", [&] {
    if (!revision)
      throw StepFailed(
          "rebuild needs params.revision: the squashed revision the rebuilt database "
          "will be at (e.g. 000_squashed_complete)");
    auto table = find_version_table(*conn, &ctx.stop());
    require_plain_table(*conn, table, &ctx.stop());  // the squashed SQL rebuilds it as it is
    version_schema = table.schema;
    auto problem = revision_problem(*revision, table.width);
    if (!problem.empty())
      throw StepFailed(fmt::format("params.revision '{}': {}", *revision, problem));
    if (!squashed_sql || squashed_sql->empty() || (*squashed_sql)[0] != '/')
      throw StepFailed(
          "rebuild needs params.squashed_sql: the absolute path of the squashed "
          "revision as SQL (squash_generate_migration(revision, 'sql'))");
    std::error_code ec;
    errno = 0;
    if (!fs::is_regular_file(*squashed_sql, ec))
      throw StepFailed(fmt::format("params.squashed_sql {} is not a regular file", *squashed_sql));
    if (std::ifstream probe(*squashed_sql);
        !probe || probe.peek() == std::ifstream::traits_type::eof())
      throw StepFailed(fmt::format("params.squashed_sql {} cannot be read or is empty{}",
                                   *squashed_sql,
                                   errno ? std::string(": ") + std::strerror(errno) : ""));
    if (conn->scalar(
            "SELECT rolsuper::text FROM pg_catalog.pg_roles WHERE rolname = current_user") !=
        "true")
      throw StepFailed(
          "rebuild needs a superuser connection (DROP/CREATE DATABASE, pg_restore "
          "--disable-triggers, pg_squash's state); the target's user is not one");
    auto e = require_extension(ctx, *conn);
    auto v = validate(ctx, *conn, e, std::nullopt);
    if (v.fail > 0)
      throw StepFailed(
          fmt::format("the target already fails validation ({}): {}; fix that first "
                      "— nothing was changed",
                      v.summary(), listed(v.failures, 5)));
    live_fp =
        conn->scalar(fmt::format("SELECT {}()", e.call("squash_fingerprint")), {}, &ctx.stop());
    // The pre-run schema as a snapshot document (for a diff later); nothing is kept.
    conn->query("BEGIN");
    try {
      conn->query(fmt::format("SELECT {}($1)", e.call("squash_snapshot")),
                  {std::string(kBeforeLabel)}, &ctx.stop());
      before_doc =
          conn->scalar(fmt::format("SELECT {}($1)::text", e.call("squash_snapshot_export")),
                       {std::string(kBeforeLabel)}, &ctx.stop());
    } catch (...) {
      conn->query("ROLLBACK");
      throw;
    }
    conn->query("ROLLBACK");
    ctx.detail(fmt::format("{} ({} bytes) → revision {}; validation {}", *squashed_sql,
                           fs::file_size(*squashed_sql, ec), *revision, v.summary()));
    return e;
  });
}

void Rebuild::rehearse() {
  // The squashed SQL must build the live schema in a scratch database before the target
  // is touched: a broken or drifted squash is refused here, with nothing changed.
  ScratchDatabase rehearsal(ctx, "squash_rehearse_", "rehearse");
  const std::string& scratch = rehearsal.name();
  std::exception_ptr rehearsal_failure;
  try {
    ctx.step("rehearse", [&] {
      auto props = maint->query(
          "SELECT pg_catalog.pg_encoding_to_char(encoding), datcollate, datctype FROM "
          "pg_catalog.pg_database WHERE datname = $1",
          {dbname});
      if (props.rows.empty()) throw StepFailed("database " + dbname + " does not exist");
      auto& p = props.rows[0];
      if (auto leftover = rehearsal.drop_leftover(*maint))
        ctx.note("dropped the scratch database an earlier rehearsal left: " + *leftover);
      rehearsal.create(
          *maint,
          fmt::format("TEMPLATE template0 ENCODING {} LC_COLLATE {} LC_CTYPE {}",
                      maint->literal(p[0].value_or("UTF8")), maint->literal(p[1].value_or("C")),
                      maint->literal(p[2].value_or("C"))),
          &ctx.stop());
      std::optional<db::Connection> sc;
      apply_squashed_sql(ctx, *squashed_sql, scratch, ext.schema, sc);
      auto sext = require_extension(ctx, *sc);
      require_same_schema(ctx, *sc, sext, live_fp, before_doc,
                          "the squashed SQL does not build the live schema");
      ctx.detail(fmt::format("{} builds schema {} in scratch database {}", *squashed_sql,
                             short_fp(live_fp), scratch));
    });
  } catch (const StepFailed& e) {
    rehearsal_failure = std::make_exception_ptr(StepFailed(fmt::format(
        "rehearsal in scratch database {} failed, nothing was changed: {}", scratch, e.what())));
  } catch (...) {
    rehearsal_failure = std::current_exception();
  }
  ctx.ignore_stop(true);
  try {
    ctx.step("drop-scratch", [&] {
      if (!maint->ok()) maint.emplace(ctx.connect(std::string(kMaintenanceDb)));
      rehearsal.drop(*maint);
    });
  } catch (const std::exception& e) {
    // A leftover scratch database is dropped by the next rebuild of this target.
    ctx.note(fmt::format("scratch database {} was not dropped: {}", scratch, e.what()));
  }
  ctx.ignore_stop(false);
  if (rehearsal_failure) std::rethrow_exception(rehearsal_failure);
}

void Rebuild::reopen_quietly() {
  ctx.ignore_stop(true);
  try {
    gate.reopen();
  } catch (const std::exception& e) {
    ctx.note(fmt::format("connections to {} are still blocked ({}): run {}", dbname, e.what(),
                         gate.reopen_sql()));
  }
  ctx.ignore_stop(false);
}

// Nobody else connects from here; refused (settings back) while nothing is dropped.
void Rebuild::quiesce() {
  const Manifest& m = backup.manifest;
  try {
    ctx.step("quiesce", [&] {
      gate.remember();
      // Nobody else connects from here until the new database is verified.
      auto ended = gate.close(backend_pid(*conn));
      if (auto n = maint->scalar(
              "SELECT count(*)::text FROM pg_catalog.pg_prepared_xacts WHERE database = $1",
              {dbname});
          n != "0")
        throw StepFailed(
            fmt::format("{} prepared transaction(s) on {} could still commit: "
                        "COMMIT or ROLLBACK PREPARED them — nothing was changed",
                        n.value_or("?"), dbname));
      // Writes after the backup would be lost: refuse while nothing is dropped yet.
      std::string diff;
      if (!same_data(m.data_fingerprint, data_fingerprint(*conn, ext, &ctx.stop()), &diff))
        throw StepFailed(
            fmt::format("the data changed since the backup ({}): stop the "
                        "application's writes for the window — nothing was changed",
                        diff));
      if (m.fingerprint != live_fp)
        throw StepFailed("the schema changed since the rehearsal — nothing was changed");
      ctx.detail(fmt::format(
          "connections to {} blocked ({} other session(s) ended); no write since the backup "
          "({} table(s))",
          dbname, ended, m.data_fingerprint.size()));
    });
    conn.reset();  // releases the target's run lock; the rebuild lock on postgres stays
    ctx.require_time_for(kDestructiveSteps, "the rebuild's destructive phase (drop … compare)");
  } catch (...) {
    reopen_quietly();  // nothing was dropped
    throw;
  }
}

void Rebuild::drop_database() {
  ctx.step("drop", [&] {
    destroyed = true;
    try {
      maint->query(fmt::format("DROP DATABASE {} WITH (FORCE)", maint->identifier(dbname)), {},
                   &ctx.stop());
    } catch (...) {
      try {  // still there: nothing was destroyed
        if (maint->scalar("SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1", {dbname}))
          destroyed = false;
      } catch (...) {
      }
      throw;
    }
  });
}

void Rebuild::recreate() {
  ctx.step("recreate", [&] {
    auto n = recreate_database(ctx, full);
    gate.limit();  // squashd's tools still connect to it, as a superuser
    ctx.detail(
        fmt::format("{} recreated from the backup's {} database entries (owner, "
                    "settings, comment, grants); only superusers may connect",
                    dbname, n));
  });
}

void Rebuild::apply_sql() {
  const Manifest& m = backup.manifest;
  ctx.step("apply", [&] {
    bool created = apply_squashed_sql(ctx, *squashed_sql, dbname, ext.schema, conn);
    ext = require_extension(ctx, *conn);
    require_same_schema(ctx, *conn, ext, m.fingerprint, before_doc,
                        "the squashed SQL does not build the pre-run schema");
    ctx.detail(fmt::format("{} applied{}; schema fingerprint {} equals the pre-run one",
                           *squashed_sql, created ? ", pg_squash created" : "",
                           short_fp(m.fingerprint)));
  });
}

void Rebuild::restore_state() {
  if (!backup.squash_state.is_null())
    ctx.step("restore-state",
             [&] { ctx.detail(write_squash_state(*conn, backup.squash_state, &ctx.stop())); });
}

void Rebuild::restore_data() {
  const Manifest& m = backup.manifest;
  ctx.step("restore-data", [&] {
    auto list = ctx.run_tool("pg_restore --list", {tools.pg_restore, "--list", full});
    std::size_t excluded = 0;
    ListFile lf(ctx, "data", without_version_data(list.stdout_text, &excluded));
    ctx.run_tool("pg_restore", {tools.pg_restore, "--data-only", "--disable-triggers",
                                "--single-transaction", "--exit-on-error", "--no-password",
                                "--use-list=" + lf.path(), "--dbname=" + ctx.conninfo(), full});
    ctx.detail(fmt::format("{} table(s) restored with their sequence values{}",
                           m.data_fingerprint.size(),
                           excluded ? "; alembic_version's rows left out" : ""));
  });
}

void Rebuild::set_revision() {
  const Manifest& m = backup.manifest;
  ctx.step("set-revision", [&] {
    // squashd needs no new connection from here until it is verified: nobody else either.
    gate.close(backend_pid(*conn));
    conn->query("BEGIN");
    try {
      auto table = find_version_table(*conn, &ctx.stop());
      if (!table.exists) table.schema = version_schema;
      auto written = fmt::format("{}", fmt::join(read_revisions(*conn, table, &ctx.stop()), ","));
      write_revision(*conn, table, *revision, &ctx.stop());
      conn->query("COMMIT");
      std::string old;
      for (auto& r : m.revisions) old += (old.empty() ? "" : ",") + r;
      ctx.detail(fmt::format("alembic_version: {} → {}{}", old.empty() ? "none" : old, *revision,
                             written.empty() || written == *revision
                                 ? ""
                                 : " (the squashed SQL had written " + written + ")"));
    } catch (...) {
      conn->query("ROLLBACK");
      throw;
    }
  });
}

void Rebuild::refresh_views() {
  ctx.step("refresh-views", [&] {
    auto refreshed = refresh_materialized_views(ctx, *conn);
    auto rows = conn->query(fmt::format("SELECT view, kind, action, ms FROM {}(false)",
                                        ext.call("squash_refresh_views")),
                            {}, &ctx.stop());
    ctx.detail(
        fmt::format("{} materialized view(s) refreshed; squash_refresh_views: {} "
                    "managed view(s)",
                    refreshed, rows.rows.size()));
  });
}

void Rebuild::validate_rebuilt() {
  ctx.step("validate", [&] {
    auto v = validate(ctx, *conn, ext, std::nullopt);
    for (auto& w : v.warnings) ctx.note("warn: " + w);
    ctx.detail(v.summary());
    if (v.fail > 0)
      throw StepFailed(fmt::format("validation failed after the rebuild ({}): {}", v.summary(),
                                   listed(v.failures, 5)));
  });
}

void Rebuild::compare() {
  const Manifest& m = backup.manifest;
  ctx.step("compare", [&] { ctx.detail(prove_equal(ctx, *conn, m, before_doc, revision)); });
}

void Rebuild::reopen_database() {
  ctx.step("reopen", [&] {
    gate.reopen();
    reopened = true;
    ctx.detail(fmt::format("connections to {} as before the run", dbname));
  });
}

// Any failure here, a cancel, SIGTERM or the window's end rolls back (once dropped).
void Rebuild::destructive_phase() {
  drop_database();
  recreate();
  apply_sql();
  restore_state();
  restore_data();
  set_revision();
  refresh_views();
  validate_rebuilt();
  compare();
  reopen_database();
  run_probes(ctx);
}

void Rebuild::roll_back(const std::string& why) {
  const Manifest& m = backup.manifest;
  conn.reset();
  ctx.ignore_stop(true);
  std::string outcome;
  bool rolled_back = false;
  std::optional<std::string> written;  // what the application wrote since the reopen
  try {
    if (reopened)
      ctx.step("rollback-check", [&] {
        // Verified and open since: what was written then is in no backup.
        conn.emplace(ctx.connect());
        gate.close(backend_pid(*conn));
        std::string diff;
        if (!same_data(m.data_fingerprint, data_fingerprint(*conn, ext, nullptr), &diff))
          written = diff;
        ctx.detail(written ? "written since the reopen: " + *written : "no write since the reopen");
        conn.reset();
      });
    if (!written) {
      ctx.step("rollback-drop", [&] {
        if (!maint || !maint->ok()) maint.emplace(ctx.connect(std::string(kMaintenanceDb)));
        maint->query(
            fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", maint->identifier(dbname)));
      });
      std::string restore_errors;
      ctx.step("rollback-restore", [&] {
        recreate_database(ctx, full);
        gate.limit();
        try {
          ctx.run_tool("pg_restore",
                       {tools.pg_restore, "--no-password", "--dbname=" + ctx.conninfo(), full});
        } catch (const StepFailed& e) {
          // Go on: the fingerprints decide whether what was restored is the database.
          restore_errors = e.what();
          ctx.note("rollback: pg_restore reported errors: " + restore_errors);
        }
        conn.emplace(ctx.connect());
        gate.close(backend_pid(*conn));
        if (!backup.squash_state.is_null())
          ctx.detail("pg_squash state: " + write_squash_state(*conn, backup.squash_state, nullptr));
      });
      ctx.step("rollback-verify", [&] {
        outcome = prove_equal(ctx, *conn, m, before_doc, std::nullopt);
        if (!restore_errors.empty())
          outcome += " (pg_restore reported errors: " + restore_errors + ")";
        gate.reopen();
        ctx.detail(outcome);
      });
      rolled_back = true;
    }
  } catch (const std::exception& e) {
    outcome = e.what();
  }
  if (written) {
    // Never dropped over rows the application committed.
    reopen_quietly();
    auto kept = fmt::format(
        "rebuild failed ({}) after the rebuilt database {} was verified and reopened; it has "
        "been written since ({}), so it is kept and not rolled back: its schema and data were "
        "proven equal to the backup's before the reopen",
        why, dbname, *written);
    ctx.note(kept);
    throw StepFailed(kept);
  }
  if (rolled_back) probe_after_rollback(ctx);
  conn.reset();
  ctx.ignore_stop(false);
  if (rolled_back) {
    ctx.note("rolled back: " + outcome);
    throw StepFailed(fmt::format("rebuild failed ({}); rolled back: {}", why, outcome));
  }
  auto loud = fmt::format(
      "ROLLBACK FAILED: {}. Database {} may be missing or differ from the backup; restore it by "
      "hand: DROP DATABASE IF EXISTS {} WITH (FORCE), then pg_restore --create --dbname={} {} "
      "(verified backup {}), then {} (connections to it stay blocked until then). The rebuild "
      "had failed: {}",
      outcome, dbname, quote_ident(dbname), kMaintenanceDb, full, backup.dir, gate.reopen_sql(),
      why);
  spdlog::critical("run {}: {}", ctx.run().id, loud);
  ctx.note(loud);
  throw StepFailed(loud);
}

}  // namespace

void run_rebuild_job(RunContext& ctx) {
  Rebuild s(ctx);
  // --- nothing is changed before "drop"
  s.lock_databases();
  s.preflight();
  s.rehearse();
  s.backup = take_backup(ctx);
  s.full = s.backup.dir + "/" + kFullDump;
  s.quiesce();
  std::exception_ptr failure;
  try {
    s.destructive_phase();
  } catch (...) {
    failure = std::current_exception();
  }
  if (!failure) {
    s.conn.reset();
    apply_retention(ctx);
    return;
  }
  const std::string why = describe_failure(ctx, failure);
  if (!s.destroyed) {
    s.reopen_quietly();
    std::rethrow_exception(failure);
  }
  s.roll_back(why);
}

}  // namespace squash::jobs
