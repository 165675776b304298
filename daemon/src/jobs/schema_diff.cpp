#include "jobs/schema_diff.hpp"

#include <atomic>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <unistd.h>

#include "db/connection.hpp"
#include "jobs/backup.hpp"
#include "jobs/version_table.hpp"
#include "process/pg_tools.hpp"

namespace squash::jobs {

namespace {

using Kind = DiffFailed::Kind;

// A name for this request's private passfile copy that no run or other request uses.
std::string request_id() {
  static std::atomic<unsigned long> counter{0};
  return fmt::format("diff-{}-{}", ::getpid(), ++counter);
}

}  // namespace

nlohmann::json diff_target(const config::Target& target, const std::string& state_dir,
                           const api::DiffRequest& request, process::Stop& stop,
                           int statement_timeout_ms) {
  std::unique_ptr<process::PrivatePassfile> passfile;
  try {
    if (target.passfile)
      passfile = std::make_unique<process::PrivatePassfile>(*target.passfile, state_dir + "/run",
                                                            request_id());
  } catch (const std::exception& e) {
    throw DiffFailed(Kind::unreachable, e.what());
  }
  db::ConnectOptions options;
  options.conninfo = target.conninfo;
  if (passfile) options.passfile = passfile->path();
  options.application_name = "squashd diff";
  try {
    std::optional<db::Connection> conn;
    try {
      conn.emplace(db::Connection::open(options));
    } catch (const db::PgError& e) {
      throw DiffFailed(Kind::unreachable,
                       fmt::format("cannot connect to target {}: {}", target.name, e.what()));
    }
    conn->query("SELECT pg_catalog.set_config('statement_timeout', $1, false)",
                {std::to_string(statement_timeout_ms)}, &stop);
    auto ext = find_extension(*conn, &stop);
    if (!ext)
      throw DiffFailed(
          Kind::no_extension,
          fmt::format("pg_squash is not installed in target {}'s database", target.name));
    nlohmann::json out{{"target", target.name}, {"against", request.against}};
    if (request.sql) {
      auto script = conn->scalar(
          fmt::format("SELECT {}($1, NULL, $2::boolean)", ext->call("squash_diff_sql")),
          {request.against, request.allow_destructive ? "true" : "false"}, &stop);
      out["sql"] = script.value_or("");
      return out;
    }
    auto doc = conn->scalar(fmt::format("SELECT {}($1)::text", ext->call("squash_diff_json")),
                            {request.against}, &stop);
    auto diff = nlohmann::json::parse(doc.value_or("null"));
    out["differences"] = diff.contains("changes") ? diff["changes"].size() : 0;
    out["diff"] = std::move(diff);
    return out;
  } catch (const db::Stopped& e) {
    throw DiffFailed(Kind::stopped, e.what());
  } catch (const db::PgError& e) {
    // Class 08: the connection broke; anything else is the extension's answer.
    if (e.sqlstate().rfind("08", 0) == 0 || e.sqlstate().empty())
      throw DiffFailed(Kind::unreachable, fmt::format("target {}: {}", target.name, e.what()));
    throw DiffFailed(Kind::refused, e.what());
  } catch (const nlohmann::json::exception& e) {
    throw DiffFailed(Kind::refused, fmt::format("target {} sent a diff that is not JSON: {}",
                                                target.name, e.what()));
  }
}

nlohmann::json live_state(const config::Target& target, const std::string& state_dir,
                          process::Stop& stop, int statement_timeout_ms) {
  try {
    std::unique_ptr<process::PrivatePassfile> passfile;
    if (target.passfile)
      passfile = std::make_unique<process::PrivatePassfile>(*target.passfile, state_dir + "/run",
                                                            request_id());
    db::ConnectOptions options;
    options.conninfo = target.conninfo;
    if (passfile) options.passfile = passfile->path();
    options.application_name = "squashd fleet status";
    auto conn = db::Connection::open(options);
    conn.query("SELECT pg_catalog.set_config('statement_timeout', $1, false)",
               {std::to_string(statement_timeout_ms)}, &stop);
    nlohmann::json out{{"revision", joined_revisions(conn, &stop)}};
    auto ext = find_extension(conn, &stop);
    out["fingerprint"] =
        ext ? nlohmann::json(
                  conn.scalar(fmt::format("SELECT {}()", ext->call("squash_fingerprint")), {},
                              &stop)
                      .value_or(""))
            : nlohmann::json(nullptr);
    return out;
  } catch (const std::exception& e) {
    return {{"error", e.what()}};
  }
}

}  // namespace squash::jobs
