#include "control/fleet.hpp"

#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "control/lease_rules.hpp"
#include "control/schema.hpp"
#include "journal/journal.hpp"
#include "util/format.hpp"

namespace squash::control {

namespace chr = std::chrono;

namespace {

std::string now_iso() {
  return util::format_utc_iso8601(chr::system_clock::now());
}

api::Run parse_record(const std::optional<std::string>& text) {
  if (!text) throw std::runtime_error("control database: a run without its record");
  return nlohmann::json::parse(*text).get<api::Run>();
}

}  // namespace

Fleet::Fleet(config::ControlSettings settings, Identity me, std::vector<std::string> targets)
    : settings_(std::move(settings)), me_(std::move(me)), targets_(std::move(targets)) {
  try {
    std::lock_guard lk(mutex_);
    auto& c = conn();
    schema_before_ = migrate(c, me_.version);
    c.query(
        "INSERT INTO squashd_control.daemons (id, host, pid, listen, version, targets) "
        "VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
        {me_.id, me_.host, std::to_string(me_.pid), me_.listen, me_.version, json_names(targets_)});
  } catch (const std::exception& e) {
    throw std::runtime_error(
        fmt::format("control database ({}): {}", settings_.conninfo, e.what()));
  }
}

db::Connection& Fleet::conn() {
  if (conn_ && !conn_->ok()) conn_.reset();
  if (!conn_) {
    db::ConnectOptions o;
    o.conninfo = settings_.conninfo;
    o.passfile = settings_.passfile;
    o.application_name = "squashd control";
    conn_.emplace(db::Connection::open(o));
  }
  return *conn_;
}

Enqueued Fleet::enqueue(api::Run run, bool refuse_when_busy,
                        const std::optional<std::string>& dedupe_key) {
  return locked(
      [&](db::Connection& c) { return enqueue_in(c, run, refuse_when_busy, dedupe_key); });
}

Enqueued Fleet::enqueue_in(db::Connection& c, api::Run run, bool refuse_when_busy,
                           const std::optional<std::string>& dedupe_key) {
  {
    // One submit per target at a time, across daemons.
    c.query("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended($1, 0))",
            {"squashd_control target " + run.target});
    if (dedupe_key) {
      auto rows = c.query("SELECT record::text FROM squashd_control.runs WHERE dedupe_key = $1",
                          {*dedupe_key});
      if (!rows.rows.empty()) return {Enqueued::Kind::duplicate, parse_record(rows.rows[0][0])};
    }
    if (refuse_when_busy) {
      auto rows = c.query(
          "SELECT record::text FROM squashd_control.runs WHERE target = $1 "
          "AND state IN ('queued', 'running') ORDER BY seq LIMIT 1",
          {run.target});
      if (!rows.rows.empty()) return {Enqueued::Kind::busy, parse_record(rows.rows[0][0])};
    }
    auto seq = c.scalar("SELECT pg_catalog.nextval('squashd_control.run_seq')");
    run.seq = std::stoull(seq.value());
    auto queued = util::parse_utc_iso8601(run.queued_at);
    run.id =
        journal::make_run_id(chr::floor<chr::seconds>(queued ? *queued : chr::system_clock::now()),
                             run.target, run.job, run.seq);
    c.query(
        "INSERT INTO squashd_control.runs (id, seq, target, job, state, trigger, submitted_by, "
        "dedupe_key, record, rollout_id) VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $8::jsonb, "
        "$9)",
        {run.id, std::to_string(run.seq), run.target, run.job, run.trigger, me_.id, dedupe_key,
         nlohmann::json(run).dump(), run.rollout});
    return {Enqueued::Kind::queued, run};
  }
}

std::optional<api::Run> Fleet::claim(const std::vector<std::string>& targets,
                                     const std::vector<std::string>& open) {
  if (targets.empty()) return std::nullopt;
  return locked([&](db::Connection& c) -> std::optional<api::Run> {
    auto rows = c.query(
        "SELECT r.record::text FROM squashd_control.runs r "
        "WHERE r.state = 'queued' "
        "AND r.target IN (SELECT pg_catalog.jsonb_array_elements_text($1::jsonb)) "
        "AND (r.rollout_id IS NULL "
        "     OR r.target IN (SELECT pg_catalog.jsonb_array_elements_text($2::jsonb))) "
        "AND NOT EXISTS (SELECT FROM squashd_control.leases l WHERE l.target = r.target) "
        "ORDER BY r.seq LIMIT 1 FOR UPDATE OF r SKIP LOCKED",
        {json_names(targets), json_names(open)});
    if (rows.rows.empty()) return std::nullopt;
    api::Run run = parse_record(rows.rows[0][0]);
    // The lease's primary key: a target another daemon leased meanwhile is not taken.
    auto leased = c.query(
        "INSERT INTO squashd_control.leases (target, run_id, daemon_id, expires_at) "
        "VALUES ($1, $2, $3, pg_catalog.clock_timestamp() + $4::interval) "
        "ON CONFLICT (target) DO NOTHING RETURNING target",
        {run.target, run.id, me_.id, interval_text(settings_.lease_ttl)});
    if (leased.rows.empty()) return std::nullopt;
    run.daemon = me_.id;
    c.query(
        "UPDATE squashd_control.runs SET state = 'running', daemon_id = $2, "
        "claimed_at = pg_catalog.clock_timestamp(), record = $3::jsonb WHERE id = $1",
        {run.id, me_.id, nlohmann::json(run).dump()});
    return run;
  });
}

std::set<std::string> Fleet::heartbeat() {
  return locked([&](db::Connection& c) {
    std::set<std::string> held;
    auto rows = c.query(
        "UPDATE squashd_control.leases SET heartbeat_at = pg_catalog.clock_timestamp(), "
        "expires_at = pg_catalog.clock_timestamp() + $2::interval "
        "WHERE daemon_id = $1 RETURNING run_id",
        {me_.id, interval_text(settings_.lease_ttl)});
    for (auto& r : rows.rows)
      if (r[0]) held.insert(*r[0]);
    c.query(
        "UPDATE squashd_control.daemons SET seen_at = pg_catalog.clock_timestamp() WHERE id = $1",
        {me_.id});
    return held;
  });
}

bool Fleet::record(const api::Run& run) {
  return locked([&](db::Connection& c) {
    bool done = run.finished();
    auto rows = c.query(
        "UPDATE squashd_control.runs SET state = $3, record = $4::jsonb, "
        "released_at = CASE WHEN $5::boolean THEN pg_catalog.clock_timestamp() END "
        "WHERE id = $1 AND daemon_id = $2 AND state = 'running' "
        "AND EXISTS (SELECT FROM squashd_control.leases l WHERE l.run_id = $1 AND l.daemon_id = "
        "$2) "
        "RETURNING id",
        {run.id, me_.id, run.state, nlohmann::json(run).dump(), done ? "true" : "false"});
    if (rows.rows.empty()) return false;
    if (done)
      c.query("DELETE FROM squashd_control.leases WHERE run_id = $1 AND daemon_id = $2",
              {run.id, me_.id});
    return true;
  });
}

std::vector<Expired> Fleet::expire() {
  return locked([&](db::Connection& c) {
    std::vector<Expired> out;
    auto rows = c.query(
        "SELECT l.target, l.run_id, l.daemon_id, "
        "pg_catalog.to_char(l.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
        "r.record::text FROM squashd_control.leases l "
        "JOIN squashd_control.runs r ON r.id = l.run_id "
        "WHERE l.expires_at < pg_catalog.clock_timestamp() "
        "FOR UPDATE OF l, r SKIP LOCKED");
    for (auto& row : rows.rows) {
      Expired e{row[1].value_or(""), row[0].value_or(""), row[2].value_or(""), row[3].value_or("")};
      api::Run run = parse_record(row[4]);
      mark_lease_expired(run, e.daemon, e.expired_at, now_iso());
      c.query(
          "UPDATE squashd_control.runs SET state = $2, record = $3::jsonb, "
          "released_at = pg_catalog.clock_timestamp() WHERE id = $1",
          {run.id, run.state, nlohmann::json(run).dump()});
      c.query("DELETE FROM squashd_control.leases WHERE target = $1 AND run_id = $2",
              {e.target, e.run_id});
      out.push_back(std::move(e));
    }
    return out;
  });
}

std::vector<api::Run> Fleet::list(std::size_t limit) {
  return locked([&](db::Connection& c) {
    std::vector<api::Run> out;
    auto rows = c.query("SELECT record::text FROM squashd_control.runs ORDER BY seq DESC LIMIT $1",
                        {std::to_string(limit)});
    for (auto& r : rows.rows) out.push_back(parse_record(r[0]));
    return out;
  });
}

std::optional<api::Run> Fleet::get(const std::string& id) {
  return locked([&](db::Connection& c) -> std::optional<api::Run> {
    auto rows = c.query("SELECT record::text FROM squashd_control.runs WHERE id = $1", {id});
    if (rows.rows.empty()) return std::nullopt;
    return parse_record(rows.rows[0][0]);
  });
}

std::optional<api::Run> Fleet::cancel_queued(const std::string& id,
                                             std::optional<api::Run>* found) {
  return locked([&](db::Connection& c) -> std::optional<api::Run> {
    auto rows =
        c.query("SELECT record::text FROM squashd_control.runs WHERE id = $1 FOR UPDATE", {id});
    if (rows.rows.empty()) return std::nullopt;
    api::Run run = parse_record(rows.rows[0][0]);
    if (run.state != api::kQueued) {
      if (found) *found = run;
      return std::nullopt;
    }
    run.state = api::kCancelled;
    run.finished_at = now_iso();
    run.error = "cancelled on request before it started";
    c.query(
        "UPDATE squashd_control.runs SET state = $2, record = $3::jsonb, "
        "released_at = pg_catalog.clock_timestamp() WHERE id = $1",
        {run.id, run.state, nlohmann::json(run).dump()});
    return run;
  });
}

void Fleet::sign_off() {
  locked([&](db::Connection& c) {
    c.query(
        "UPDATE squashd_control.daemons SET stopped_at = pg_catalog.clock_timestamp() "
        "WHERE id = $1",
        {me_.id});
  });
}

}  // namespace squash::control
