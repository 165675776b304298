// squashd's libpq connections to a target: connect with a bounded exponential back-off,
// run queries that a run's Stop can interrupt (PQcancel), and conninfo rewriting.
// Passwords come only from the private passfile; they never pass through here.
// Every session pins search_path to pg_catalog, pg_temp (an application role cannot put
// a function, operator or relation in front of what squashd names) and turns
// row_security off (a policy's expression would run as squashd: an error instead).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "process/stop.hpp"

struct pg_conn;

namespace squash::db {

class PgError : public std::runtime_error {
 public:
  PgError(const std::string& message, std::string sqlstate = {})
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
  const std::string& sqlstate() const { return sqlstate_; }

 private:
  std::string sqlstate_;
};

// The run stopped (cancel, shutdown, window end) while waiting on the server.
class Stopped : public std::runtime_error {
 public:
  explicit Stopped(process::StopReason reason)
      : std::runtime_error(std::string(process::to_string(reason))), reason_(reason) {}
  process::StopReason reason() const { return reason_; }

 private:
  process::StopReason reason_;
};

struct Rows {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  std::size_t column(const std::string& name) const;  // throws when absent
};

struct ConnectOptions {
  std::string conninfo;                 // the target's, never a password
  std::optional<std::string> passfile;  // the run's private copy
  std::optional<std::string> dbname;    // overrides the conninfo's database
  std::string application_name = "squashd";
  int connect_timeout_seconds = 10;
};

class Connection {
 public:
  // Throws PgError with libpq's message.
  static Connection open(const ConnectOptions& options);
  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  // Runs one statement with text parameters; PQcancel when stop fires. Throws PgError
  // (with the SQLSTATE) or Stopped.
  Rows query(const std::string& sql, const std::vector<std::optional<std::string>>& params = {},
             process::Stop* stop = nullptr);
  // The first column of the first row, or nullopt.
  std::optional<std::string> scalar(const std::string& sql,
                                    const std::vector<std::optional<std::string>>& params = {},
                                    process::Stop* stop = nullptr);
  int server_version() const;  // 150020
  bool ok() const;
  // A name or value quoted by libpq (PQescapeIdentifier, PQescapeLiteral) for the
  // statements that take no parameters (CREATE DATABASE, ALTER DATABASE). Throws PgError.
  std::string identifier(const std::string& name) const;
  std::string literal(const std::string& value) const;

 private:
  explicit Connection(pg_conn* c) : conn_(c) {}
  pg_conn* conn_ = nullptr;
};

// The same conninfo as key='value' pairs with the database replaced.
std::string with_dbname(const std::string& conninfo, const std::string& dbname);
// The database a conninfo names (dbname, else user), "" when unknown.
std::string dbname_of(const std::string& conninfo);

// Back-off before attempt n (1-based, n >= 2): base * 2^(n-2), at most cap.
std::chrono::milliseconds backoff_delay(int attempt, std::chrono::milliseconds base,
                                        std::chrono::milliseconds cap);

struct RetryPolicy {
  int attempts = 6;
  std::chrono::milliseconds base{1000};
  std::chrono::milliseconds cap{30000};
  // SQUASHD_CONNECT_ATTEMPTS / SQUASHD_CONNECT_BACKOFF_MS override (for tests).
  static RetryPolicy from_env();
};

// Calls connect until it succeeds or the attempts are used up (then rethrows the last
// PgError, with the attempt count added). Sleeps between attempts in 100 ms slices and
// throws Stopped when stop fires. on_retry(attempt, delay, error) is told before a sleep.
Connection connect_with_retry(
    const std::function<Connection()>& connect, const RetryPolicy& policy, process::Stop& stop,
    const std::function<void(int, std::chrono::milliseconds, const std::string&)>& on_retry = {});

}  // namespace squash::db
