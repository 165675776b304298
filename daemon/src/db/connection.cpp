#include "db/connection.hpp"

#include <cstdlib>
#include <cstring>
#include <poll.h>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <libpq-fe.h>

namespace squash::db {

namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string quote_value(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

// text quoted by libpq's escape (PQescapeIdentifier or PQescapeLiteral).
std::string escaped(PGconn* conn, const std::string& text,
                    char* (*escape)(PGconn*, const char*, std::size_t)) {
  if (!conn) throw PgError("not connected");
  char* q = escape(conn, text.c_str(), text.size());
  if (!q) throw PgError(trim(PQerrorMessage(conn)));
  std::string out(q);
  PQfreemem(q);
  return out;
}

}  // namespace

std::size_t Rows::column(const std::string& name) const {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i] == name) return i;
  throw PgError(fmt::format("the result has no column {}", name));
}

Connection Connection::open(const ConnectOptions& o) {
  std::vector<const char*> keys, values;
  auto timeout = std::to_string(o.connect_timeout_seconds);
  keys.push_back("dbname");
  values.push_back(o.conninfo.c_str());
  if (o.passfile) {
    keys.push_back("passfile");
    values.push_back(o.passfile->c_str());
  }
  keys.push_back("application_name");
  values.push_back(o.application_name.c_str());
  keys.push_back("connect_timeout");
  values.push_back(timeout.c_str());
  if (o.dbname) {
    keys.push_back("dbname");
    values.push_back(o.dbname->c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* c = PQconnectdbParams(keys.data(), values.data(), 1);
  if (!c) throw PgError("libpq: out of memory");
  if (PQstatus(c) != CONNECTION_OK) {
    std::string message = trim(PQerrorMessage(c));
    PQfinish(c);
    throw PgError(message.empty() ? "cannot connect" : message, "08006");
  }
  Connection conn(c);
  // Session-wide, before any other statement; a conninfo's options cannot undo it.
  conn.query(
      "SELECT pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false), "
      "pg_catalog.set_config('row_security', 'off', false)");
  return conn;
}

Connection::Connection(Connection&& other) noexcept : conn_(std::exchange(other.conn_, nullptr)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    if (conn_) PQfinish(conn_);
    conn_ = std::exchange(other.conn_, nullptr);
  }
  return *this;
}

Connection::~Connection() {
  if (conn_) PQfinish(conn_);
}

bool Connection::ok() const {
  return conn_ && PQstatus(conn_) == CONNECTION_OK;
}

int Connection::server_version() const {
  return conn_ ? PQserverVersion(conn_) : 0;
}

Rows Connection::query(const std::string& sql,
                       const std::vector<std::optional<std::string>>& params, process::Stop* stop) {
  if (!conn_) throw PgError("not connected");
  std::vector<const char*> values;
  for (auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  if (!PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                         values.data(), nullptr, nullptr, 0))
    throw PgError(trim(PQerrorMessage(conn_)));
  bool cancel_sent = false;
  process::StopReason stopped = process::StopReason::none;
  while (PQisBusy(conn_)) {
    if (stop && !cancel_sent && stop->poll() != process::StopReason::none) {
      stopped = stop->reason();
      if (PGcancel* cancel = PQgetCancel(conn_)) {
        char err[256];
        PQcancel(cancel, err, sizeof err);
        PQfreeCancel(cancel);
      }
      cancel_sent = true;
    }
    pollfd pfd{PQsocket(conn_), POLLIN, 0};
    ::poll(&pfd, 1, 100);
    if (!PQconsumeInput(conn_)) throw PgError(trim(PQerrorMessage(conn_)));
  }
  Rows out;
  std::optional<PgError> error;
  while (PGresult* res = PQgetResult(conn_)) {
    auto status = PQresultStatus(res);
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
      if (!error && status == PGRES_TUPLES_OK) {
        out = Rows{};
        for (int c = 0; c < PQnfields(res); ++c) out.columns.emplace_back(PQfname(res, c));
        for (int r = 0; r < PQntuples(res); ++r) {
          std::vector<std::optional<std::string>> row;
          for (int c = 0; c < PQnfields(res); ++c)
            row.push_back(PQgetisnull(res, r, c)
                              ? std::nullopt
                              : std::optional<std::string>(PQgetvalue(res, r, c)));
          out.rows.push_back(std::move(row));
        }
      }
    } else if (!error) {
      const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
      std::string message = trim(PQresultErrorMessage(res));
      if (message.rfind("ERROR:  ", 0) == 0) message.erase(0, 8);
      error.emplace(message, state ? state : "");
    }
    PQclear(res);
  }
  if (stopped != process::StopReason::none) throw Stopped(stopped);
  if (error) throw *error;
  return out;
}

std::string Connection::identifier(const std::string& name) const {
  return escaped(conn_, name, &PQescapeIdentifier);
}

std::string Connection::literal(const std::string& value) const {
  return escaped(conn_, value, &PQescapeLiteral);
}

std::optional<std::string> Connection::scalar(const std::string& sql,
                                              const std::vector<std::optional<std::string>>& params,
                                              process::Stop* stop) {
  auto rows = query(sql, params, stop);
  if (rows.rows.empty() || rows.rows[0].empty()) return std::nullopt;
  return rows.rows[0][0];
}

std::string with_dbname(const std::string& conninfo, const std::string& dbname) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &err);
  if (!options) {
    if (err) PQfreemem(err);
    throw PgError("conninfo is not a valid libpq connection string");
  }
  std::string out;
  for (auto* o = options; o->keyword; ++o) {
    if (std::strcmp(o->keyword, "dbname") == 0 || !o->val) continue;
    out += fmt::format("{}{}={}", out.empty() ? "" : " ", o->keyword, quote_value(o->val));
  }
  PQconninfoFree(options);
  return out + fmt::format("{}dbname={}", out.empty() ? "" : " ", quote_value(dbname));
}

std::string dbname_of(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &err);
  if (!options) {
    if (err) PQfreemem(err);
    return "";
  }
  std::string db, user;
  for (auto* o = options; o->keyword; ++o) {
    if (!o->val) continue;
    if (std::strcmp(o->keyword, "dbname") == 0) db = o->val;
    if (std::strcmp(o->keyword, "user") == 0) user = o->val;
  }
  PQconninfoFree(options);
  return db.empty() ? user : db;
}

std::chrono::milliseconds backoff_delay(int attempt, std::chrono::milliseconds base,
                                        std::chrono::milliseconds cap) {
  if (attempt < 2) return std::chrono::milliseconds(0);
  auto d = base;
  for (int i = 2; i < attempt && d < cap; ++i) d *= 2;
  return std::min(d, cap);
}

RetryPolicy RetryPolicy::from_env() {
  RetryPolicy p;
  if (const char* a = std::getenv("SQUASHD_CONNECT_ATTEMPTS"); a && std::atoi(a) > 0)
    p.attempts = std::atoi(a);
  if (const char* b = std::getenv("SQUASHD_CONNECT_BACKOFF_MS"); b && std::atoi(b) > 0)
    p.base = std::chrono::milliseconds(std::atoi(b));
  return p;
}

Connection connect_with_retry(
    const std::function<Connection()>& connect, const RetryPolicy& policy, process::Stop& stop,
    const std::function<void(int, std::chrono::milliseconds, const std::string&)>& on_retry) {
  for (int attempt = 1;; ++attempt) {
    if (stop.poll() != process::StopReason::none) throw Stopped(stop.reason());
    try {
      return connect();
    } catch (const PgError& e) {
      if (attempt >= policy.attempts)
        throw PgError(fmt::format("cannot connect after {} attempt{}: {}", attempt,
                                  attempt == 1 ? "" : "s", e.what()),
                      e.sqlstate());
      auto delay = backoff_delay(attempt + 1, policy.base, policy.cap);
      if (on_retry) on_retry(attempt, delay, e.what());
      auto until = std::chrono::steady_clock::now() + delay;
      while (std::chrono::steady_clock::now() < until) {
        if (stop.poll() != process::StopReason::none) throw Stopped(stop.reason());
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  }
}

}  // namespace squash::db
