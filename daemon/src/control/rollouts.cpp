#include "control/rollouts.hpp"

#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "control/lease_rules.hpp"
#include "control/template_rules.hpp"
#include "util/format.hpp"

namespace squash::control {

namespace chr = std::chrono;
using nlohmann::json;

namespace {

// A timestamptz column as "2026-12-05T13:15:00Z" (the control database's clock).
std::string iso(const std::string& column) {
  return fmt::format("pg_catalog.to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')",
                     column);
}

json opt(const std::optional<std::string>& v) {
  return v ? json(*v) : json(nullptr);
}

// What the API shows of a target of a rollout: a queued target whose run runs is running.
std::string shown_state(const std::string& state, const std::optional<std::string>& run_state) {
  if (state == kTargetQueued) return run_state && *run_state == "running" ? "running" : "queued";
  return state;
}

std::optional<json> read_rollout(db::Connection& c, const std::string& id) {
  auto rows = c.query("SELECT id, revision, fingerprint, state, stage, " + iso("stage_passed_at") +
                          ", error, created_by, " + iso("created_at") + ", " + iso("updated_at") +
                          ", stages::text FROM squashd_control.rollouts WHERE id = $1",
                      {id});
  if (rows.rows.empty()) return std::nullopt;
  auto& r = rows.rows[0];
  json out{{"id", *r[0]},
           {"revision", *r[1]},
           {"fingerprint", *r[2]},
           {"state", *r[3]},
           {"stage_index", std::stoi(*r[4])},
           {"error", opt(r[6])},
           {"created_by", *r[7]},
           {"created_at", *r[8]},
           {"updated_at", *r[9]}};
  auto state = *r[3];
  auto current = static_cast<std::size_t>(std::stoi(*r[4]));
  auto stages = stages_from_json(json::parse(*r[10]));
  out["stage"] = current < stages.size() ? json(stages[current].name) : json(nullptr);
  auto targets = c.query(
      "SELECT t.target, t.stage, t.state, t.run_id, t.runs, t.error, t.differences::text, "
      "r.state, " +
          iso("t.updated_at") +
          " FROM squashd_control.rollout_targets t "
          "LEFT JOIN squashd_control.runs r ON r.id = t.run_id "
          "WHERE t.rollout_id = $1 ORDER BY t.stage, t.target",
      {id});
  json out_stages = json::array();
  for (std::size_t i = 0; i < stages.size(); ++i) {
    auto& s = stages[i];
    std::string stage_state = i < current                  ? "passed"
                              : i > current                ? "waiting"
                              : state == kRolloutSucceeded ? "passed"
                              : state == kRolloutStopped   ? "stopped"
                              : state == kRolloutPaused    ? "paused"
                              : r[5]                       ? "soaking"
                                                           : "running";
    json counts{{"pending", 0}, {"running", 0}, {"stamped", 0}, {"failed", 0}};
    json list = json::array();
    for (auto& t : targets.rows) {
      if (std::stoul(*t[1]) != i) continue;
      auto shown = shown_state(*t[2], t[7]);
      counts[shown == "queued" ? "pending" : shown] =
          counts[shown == "queued" ? "pending" : shown].get<int>() + 1;
      list.push_back({{"target", *t[0]},
                      {"state", shown},
                      {"run", opt(t[3])},
                      {"runs", std::stoi(*t[4])},
                      {"error", opt(t[5])},
                      {"differences", json::parse(t[6].value_or("[]"))},
                      {"updated_at", *t[8]}});
    }
    json match = json::array();
    for (auto& m : s.match)
      match.push_back({{"template", m.template_name}, {"pattern", m.pattern}});
    out_stages.push_back({{"name", s.name},
                          {"state", stage_state},
                          {"parallel", s.parallel},
                          {"soak", stages_json({s})[0]["soak"]},
                          {"match", match},
                          {"passed_at", i == current ? opt(r[5]) : json(nullptr)},
                          {"counts", counts},
                          {"targets", list}});
  }
  out["stages"] = out_stages;
  return out;
}

std::string first_line(const std::string& s) {
  auto nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}

// What the runs of the rollout's queued targets came to; returns the lines for the log.
std::vector<std::string> sync_outcomes(db::Connection& c, const std::string& id) {
  std::vector<std::string> events;
  auto outcomes = c.query(
      "SELECT t.target, r.state, r.record->>'error', r.id FROM "
      "squashd_control.rollout_targets t JOIN squashd_control.runs r ON r.id = t.run_id "
      "WHERE t.rollout_id = $1 AND t.state = 'queued'",
      {id});
  for (auto& o : outcomes.rows) {
    auto error = o[2].value_or("");
    auto next = target_state_after_run(*o[1], error);
    if (next == kTargetQueued) continue;
    c.query(
        "UPDATE squashd_control.rollout_targets SET state = $3, error = $4, "
        "differences = $5::jsonb, run_id = CASE WHEN $3 = 'pending' THEN NULL ELSE run_id "
        "END, updated_at = pg_catalog.clock_timestamp() WHERE rollout_id = $1 AND target = $2",
        {id, *o[0], next, next == kTargetStamped ? std::nullopt : std::optional(error),
         json(guard_differences(error)).dump()});
    events.push_back(
        fmt::format("rollout {}: target {} {} (run {} {})", id, *o[0], next, *o[3], *o[1]));
  }
  return events;
}

// "stage S stopped: N target(s) failed: t1: why; t2: why" from the stage's failed targets.
std::string stop_error(db::Connection& c, const std::string& id, std::size_t stage,
                       const std::string& stage_name) {
  std::vector<std::string> why;
  for (auto& f :
       c.query("SELECT target, coalesce(error, '') FROM squashd_control.rollout_targets "
               "WHERE rollout_id = $1 AND stage = $2 AND state = 'failed' ORDER BY target",
               {id, std::to_string(stage)})
           .rows)
    why.push_back(fmt::format("{}: {}", *f[0], first_line(*f[1])));
  return fmt::format("stage {} stopped: {} target(s) failed: {}", stage_name, why.size(),
                     fmt::join(why, "; "));
}

}  // namespace

Rollouts::Created Rollouts::create(const RolloutSpec& spec, const std::string& snapshot) {
  return fleet_.locked([&](db::Connection& c) -> Created {
    auto rows = c.query(
        "INSERT INTO squashd_control.rollouts (id, revision, fingerprint, snapshot, stages, "
        "state, created_by) VALUES ($1, $2, $3, $4, $5::jsonb, 'running', $6) "
        "ON CONFLICT (id) DO NOTHING RETURNING id",
        {spec.name, spec.revision, spec.fingerprint, snapshot, stages_json(spec.stages).dump(),
         fleet_.me().id});
    auto kind = rows.rows.empty() ? Created::Kind::exists : Created::Kind::created;
    return {kind, *read_rollout(c, spec.name)};
  });
}

json Rollouts::list() {
  return fleet_.locked([&](db::Connection& c) {
    json out = json::array();
    auto ids = c.query("SELECT id FROM squashd_control.rollouts ORDER BY created_at DESC, id");
    for (auto& r : ids.rows)
      if (auto one = read_rollout(c, *r[0])) out.push_back(std::move(*one));
    return out;
  });
}

std::optional<json> Rollouts::get(const std::string& id) {
  return fleet_.locked([&](db::Connection& c) { return read_rollout(c, id); });
}

std::optional<std::string> Rollouts::snapshot(const std::string& id) {
  return fleet_.locked([&](db::Connection& c) {
    return c.scalar("SELECT snapshot FROM squashd_control.rollouts WHERE id = $1", {id});
  });
}

Rollouts::Change Rollouts::pause(const std::string& id, std::string* message) {
  return fleet_.locked([&](db::Connection& c) {
    auto state =
        c.scalar("SELECT state FROM squashd_control.rollouts WHERE id = $1 FOR UPDATE", {id});
    if (!state) return Change::not_found;
    if (*state != kRolloutRunning) {
      *message = fmt::format("rollout {} is {}, not running", id, *state);
      return Change::refused;
    }
    c.query(
        "UPDATE squashd_control.rollouts SET state = 'paused', "
        "updated_at = pg_catalog.clock_timestamp() WHERE id = $1",
        {id});
    return Change::done;
  });
}

Rollouts::Change Rollouts::resume(const std::string& id, std::string* message) {
  return fleet_.locked([&](db::Connection& c) {
    auto rows =
        c.query("SELECT state, stage FROM squashd_control.rollouts WHERE id = $1 FOR UPDATE", {id});
    if (rows.rows.empty()) return Change::not_found;
    auto state = *rows.rows[0][0];
    if (state != kRolloutPaused && state != kRolloutStopped) {
      *message =
          fmt::format("rollout {} is {}: only a paused or stopped rollout resumes", id, state);
      return Change::refused;
    }
    // The stopped stage's failed targets are stamped again (their runs stay in history).
    c.query(
        "UPDATE squashd_control.rollout_targets SET state = 'pending', run_id = NULL, "
        "updated_at = pg_catalog.clock_timestamp() "
        "WHERE rollout_id = $1 AND stage = $2 AND state = 'failed'",
        {id, *rows.rows[0][1]});
    c.query(
        "UPDATE squashd_control.rollouts SET state = 'running', error = NULL, "
        "updated_at = pg_catalog.clock_timestamp() WHERE id = $1",
        {id});
    return Change::done;
  });
}

std::vector<std::string> Rollouts::advance(const config::Config& config, const Expand& expand) {
  std::vector<std::string> events;
  auto open = fleet_.locked([&](db::Connection& c) {
    return c.query(
        "SELECT id, stage, stages::text, revision, state FROM squashd_control.rollouts "
        "WHERE state <> 'succeeded' ORDER BY created_at, id");
  });
  for (auto& row : open.rows) {
    const std::string id = *row[0], revision = *row[3];
    const auto stage_index = static_cast<std::size_t>(std::stoi(*row[1]));
    auto stages = stages_from_json(json::parse(*row[2]));
    if (stage_index >= stages.size()) continue;
    const auto& stage = stages[stage_index];
    if (*row[4] != kRolloutRunning) {
      // Paused or stopped: the runs already queued still end; their outcomes are kept (a
      // stopped stage's error names every target that failed).
      fleet_.locked([&](db::Connection& c) {
        auto locked = c.query(
            "SELECT state FROM squashd_control.rollouts WHERE id = $1 FOR UPDATE SKIP LOCKED",
            {id});
        if (locked.rows.empty() || *locked.rows[0][0] == kRolloutRunning) return;
        auto synced = sync_outcomes(c, id);
        if (synced.empty()) return;
        events.insert(events.end(), synced.begin(), synced.end());
        if (*locked.rows[0][0] == kRolloutStopped)
          c.query(
              "UPDATE squashd_control.rollouts SET error = $2, "
              "updated_at = pg_catalog.clock_timestamp() WHERE id = $1",
              {id, stop_error(c, id, stage_index, stage.name)});
      });
      continue;
    }
    // The stage's targets, databases of its templates found again now (outside the
    // transaction: the template's server may be slow).
    std::vector<std::string> names = stage.targets;
    std::map<std::string, std::string> template_of;
    bool can = true;
    for (auto& m : stage.match) {
      const auto* tpl = config.find_template(m.template_name);
      if (!tpl) {
        can = false;  // a daemon with this template advances the rollout
        break;
      }
      try {
        auto e = expand_databases(config, *tpl, expand(*tpl, m.pattern));
        for (auto& s : e.skipped)
          events.push_back(fmt::format("template {}: skipped {}", tpl->name, s));
        for (auto& n : e.targets) {
          names.push_back(n);
          template_of[n] = tpl->name;
        }
      } catch (const std::exception& e) {
        events.push_back(fmt::format("rollout {}: cannot list the databases of template {}: {}", id,
                                     tpl->name, e.what()));
        can = false;
        break;
      }
    }
    if (!can) continue;
    fleet_.locked([&](db::Connection& c) {
      auto locked = c.query(
          "SELECT state, stage, stage_passed_at IS NOT NULL, "
          "coalesce(stage_passed_at + $2::interval <= pg_catalog.clock_timestamp(), false) "
          "FROM squashd_control.rollouts WHERE id = $1 FOR UPDATE SKIP LOCKED",
          {id, interval_text(stage.soak)});
      if (locked.rows.empty()) return;  // another daemon is at it
      auto& l = locked.rows[0];
      if (*l[0] != kRolloutRunning || std::stoul(*l[1]) != stage_index) return;
      auto synced = sync_outcomes(c, id);
      events.insert(events.end(), synced.begin(), synced.end());
      for (auto& n : names) {
        if (auto t = template_of.find(n); t != template_of.end())
          c.query(
              "INSERT INTO squashd_control.targets (name, template, dbname) VALUES ($1, $2, $1) "
              "ON CONFLICT (name) DO UPDATE SET template = EXCLUDED.template, "
              "last_seen = pg_catalog.clock_timestamp()",
              {n, t->second});
        auto added = c.query(
            "INSERT INTO squashd_control.rollout_targets (rollout_id, target, stage, state) "
            "VALUES ($1, $2, $3, 'pending') ON CONFLICT DO NOTHING RETURNING target",
            {id, n, std::to_string(stage_index)});
        if (!added.rows.empty())
          events.push_back(fmt::format("rollout {} stage {}: target {} added", id, stage.name, n));
      }
      std::vector<StageTarget> current;
      for (auto& t : c.query("SELECT target, state FROM squashd_control.rollout_targets "
                             "WHERE rollout_id = $1 AND stage = $2",
                             {id, std::to_string(stage_index)})
                         .rows)
        current.push_back({*t[0], *t[1]});
      auto plan = plan_stage(current, stage.parallel);
      if (plan.gate == StagePlan::Gate::failed) {
        auto error = stop_error(c, id, stage_index, stage.name);
        c.query(
            "UPDATE squashd_control.rollouts SET state = 'stopped', error = $2, "
            "updated_at = pg_catalog.clock_timestamp() WHERE id = $1",
            {id, error});
        events.push_back(fmt::format("rollout {}: {}", id, error));
        return;
      }
      if (plan.gate == StagePlan::Gate::passed) {
        if (stage.soak.count() > 0 && *l[2] != "t") {
          c.query(
              "UPDATE squashd_control.rollouts SET stage_passed_at = "
              "pg_catalog.clock_timestamp(), updated_at = pg_catalog.clock_timestamp() "
              "WHERE id = $1",
              {id});
          events.push_back(fmt::format("rollout {}: stage {} passed; soaking", id, stage.name));
          return;
        }
        if (stage.soak.count() > 0 && *l[3] != "t") return;
        bool last = stage_index + 1 == stages.size();
        c.query(
            "UPDATE squashd_control.rollouts SET state = CASE WHEN $2 THEN 'succeeded' ELSE "
            "state END, stage = CASE WHEN $2 THEN stage ELSE stage + 1 END, "
            "stage_passed_at = CASE WHEN $2 THEN pg_catalog.clock_timestamp() END, "
            "updated_at = pg_catalog.clock_timestamp() WHERE id = $1",
            {id, last ? "true" : "false"});
        events.push_back(fmt::format("rollout {}: stage {} passed ({} target(s) stamped){}", id,
                                     stage.name, current.size(),
                                     last ? "; rollout succeeded" : ""));
        return;
      }
      for (auto& target : plan.to_queue) {
        api::Run run;
        run.target = target;
        run.job = "stamp";
        run.trigger = "rollout";
        run.params = json{{"revision", revision}};
        run.state = api::kQueued;
        run.queued_at =
            util::format_utc_iso8601(chr::floor<chr::seconds>(chr::system_clock::now()));
        run.rollout = id;
        auto e = fleet_.enqueue_in(c, run, false, std::nullopt);
        c.query(
            "UPDATE squashd_control.rollout_targets SET state = 'queued', run_id = $3, "
            "runs = runs + 1, error = NULL, differences = '[]', "
            "updated_at = pg_catalog.clock_timestamp() WHERE rollout_id = $1 AND target = $2",
            {id, target, e.run.id});
        events.push_back(fmt::format("rollout {} stage {}: stamp of {} queued (run {})", id,
                                     stage.name, target, e.run.id));
      }
    });
  }
  return events;
}

std::map<std::string, std::pair<std::string, std::string>> Rollouts::template_targets(
    const std::vector<std::string>& templates) {
  std::map<std::string, std::pair<std::string, std::string>> out;
  if (templates.empty()) return out;
  auto rows = fleet_.locked([&](db::Connection& c) {
    return c.query(
        "SELECT name, template, dbname FROM squashd_control.targets "
        "WHERE template IN (SELECT pg_catalog.jsonb_array_elements_text($1::jsonb))",
        {json_names(templates)});
  });
  for (auto& r : rows.rows) out[*r[0]] = {*r[1], *r[2]};
  return out;
}

json Rollouts::fleet_targets() {
  return fleet_.locked([&](db::Connection& c) {
    auto rows = c.query(
        "SELECT DISTINCT ON (t.target) t.target, t.rollout_id, ro.stages -> t.stage ->> 'name', "
        "t.state, ro.fingerprint, ro.revision, "
        "(SELECT r.record::text FROM squashd_control.runs r WHERE r.target = t.target "
        " ORDER BY r.seq DESC LIMIT 1), "
        "(SELECT r.record::text FROM squashd_control.runs r WHERE r.target = t.target "
        " AND r.state = 'succeeded' AND r.record ->> 'backup' IS NOT NULL "
        " ORDER BY r.seq DESC LIMIT 1), "
        "(SELECT r.record -> 'params' ->> 'revision' FROM squashd_control.runs r "
        " WHERE r.target = t.target AND r.job IN ('stamp', 'rebuild') AND r.state = 'succeeded' "
        " ORDER BY r.seq DESC LIMIT 1), "
        "rs.state "
        "FROM squashd_control.rollout_targets t "
        "JOIN squashd_control.rollouts ro ON ro.id = t.rollout_id "
        "LEFT JOIN squashd_control.runs rs ON rs.id = t.run_id "
        "ORDER BY t.target, ro.created_at DESC");
    json out = json::array();
    for (auto& r : rows.rows) {
      json last_run = nullptr, last_backup = nullptr;
      if (r[6]) {
        auto run = json::parse(*r[6]);
        last_run = {{"id", run["id"]},
                    {"job", run["job"]},
                    {"state", run["state"]},
                    {"finished_at", run.value("finished_at", json(nullptr))}};
      }
      if (r[7]) {
        auto run = json::parse(*r[7]);
        last_backup = {{"run", run["id"]},
                       {"directory", run["backup"]},
                       {"finished_at", run.value("finished_at", json(nullptr))}};
      }
      out.push_back({{"target", *r[0]},
                     {"rollout", *r[1]},
                     {"stage", opt(r[2])},
                     {"state", shown_state(*r[3], r[9])},
                     {"snapshot_fingerprint", *r[4]},
                     {"rollout_revision", *r[5]},
                     {"stamped_revision", opt(r[8])},
                     {"last_run", last_run},
                     {"last_verified_backup", last_backup}});
    }
    return out;
  });
}

std::string Rollouts::metrics_text() {
  auto all = list();
  std::string out =
      "# HELP squashd_rollout_targets Targets of each stage of a rollout, by state.\n"
      "# TYPE squashd_rollout_targets gauge\n";
  for (auto& r : all)
    for (auto& s : r["stages"])
      for (auto& [state, n] : s["counts"].items())
        out += fmt::format(
            "squashd_rollout_targets{{rollout=\"{}\",stage=\"{}\",state=\"{}\"}} {}\n",
            r["id"].get<std::string>(), s["name"].get<std::string>(), state, n.get<int>());
  return out;
}

}  // namespace squash::control
