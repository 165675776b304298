#!/usr/bin/env bash
# End to end: a rollout across 30 databases of one cluster, run by three squashd sharing a
# control database. The targets come from a [[template]] (every database matching a
# pattern), the snapshot is a squashed revision built by real Alembic. Stage dev is
# stamped; staging stops at its two drifted databases and names their differences; prod
# is never touched. After squash_diff_sql's repair and `rollout resume`, all 30 are
# stamped and validated, each by exactly one succeeded run. A new tenant database is
# found by a later rollout; kill -9 of the daemon stamping it leaves the run interrupted
# once the lease expires, another daemon stamps the target, never half-done. Also: an
# old control schema (version 1) migrates to version 2, its runs kept.
# Needs the harness's cluster (PGHOST, PGPORT, PGUSER) and BUILD_DIR. Prints TAP.
source "$(dirname "$0")/lib/tap.bash"
source "$(dirname "$0")/lib/squashd.bash"

squashd_preamble rollout

pids=()
holder=
cleanup() { fleet_cleanup; }

p=sqd_ro$$
ctl_db=${p}_ctl
token="tok-$RANDOM$RANDOM"
echo "$token" >"$work/token"
chmod 600 "$work/token"
app=$SQUASH_SRC/tests/fixtures/alembic_app
revision=000_squashed_complete

# --- fixture: the application built by its Alembic chain, the squashed revision from it
new_database "$ctl_db" || { echo "Bail out! cannot create databases"; exit 1; }
new_database "${p}_tpl"; new_database "${p}_squashed"
make_alembic_project "$work/chain" "$app/versions"
alembic_in "$work/chain" "${p}_tpl" upgrade head >"$work/chain.log" 2>&1 || { echo "Bail out! alembic upgrade"; exit 1; }
head_rev=$(q -d "${p}_tpl" -c "SELECT version_num FROM alembic_version")
q -d "${p}_tpl" -f "$app/sample_data.sql" >/dev/null
q -d "${p}_tpl" -c "CREATE EXTENSION pg_squash" >/dev/null
mkdir -p "$work/generated"
q -d "${p}_tpl" -c "SELECT squash_generate_migration('$revision', 'alembic')" >"$work/generated/$revision.py"
make_alembic_project "$work/squashed" "$work/generated"
alembic_in "$work/squashed" "${p}_squashed" upgrade head >"$work/squashed.log" 2>&1
ok $? "the squashed revision, generated from the chain's database, builds a database with Alembic"
q -d "${p}_squashed" -c "CREATE EXTENSION pg_squash" -c "SELECT squash_snapshot('squashed')" >/dev/null
snapshot_export "${p}_squashed" squashed "$work/squashed.json"
fp=$(q -d "${p}_squashed" -c "SELECT fingerprint FROM squash.snapshots WHERE label = 'squashed'")

# 30 tenant databases, copies of the chain's database; two staging ones drifted.
tenants=()
for stage in dev staging prod; do
  for n in 01 02 03 04 05 06 07 08 09 10; do
    db=${p}_${stage}_$n
    dropdb --if-exists "$db" >/dev/null 2>&1
    createdb -T "${p}_tpl" "$db" && test_databases+=("$db") && tenants+=("$db")
  done
done
is "${#tenants[@]}" 30 "30 tenant databases (10 dev, 10 staging, 10 prod)"
q -d "${p}_staging_03" -c "ALTER TABLE genes ADD COLUMN drift_note text" >/dev/null
q -d "${p}_staging_02" -c "CREATE INDEX drift_genes_symbol ON genes (approved_symbol)" >/dev/null

declare -A ports
for i in 1 2 3; do pick_api_port; ports[$i]=$api_port; done
write_config() {  # write_config I: [control] and the tenants' [[template]]
  local i=$1
  mkdir -p "$work/d$i"
  cat >"$work/d$i/squashd.toml" <<TOML
[daemon]
listen = "127.0.0.1:${ports[$i]}"
token_file = "$work/token"
state_dir = "$work/d$i/state"

[control]
conninfo = "host=$PGHOST port=$PGPORT dbname=$ctl_db user=$PGUSER"
lease_ttl = "6s"
poll_interval = "1s"
max_runs = 2

[[template]]
name = "tenants"
conninfo = "host=$PGHOST port=$PGPORT dbname=postgres user=$PGUSER"
pattern = "${p}\\\\_%\\\\_%"
backup_dir = "$work/d$i/backups"
keep_last = 2
min_keep = 1
TOML
}
dctl() { local i=$1; shift; "$squashctl" --url "http://127.0.0.1:${ports[$i]}" --token-file "$work/token" "$@"; }
api() { curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:${ports[$1]}$2"; }

# --- 1. an old control schema (version 1) migrates, its runs kept
write_config 1
start_daemon 1 || { ok 1 "squashd 1 starts"; sed "s/^/# /" "$work/d1/stderr"; done_testing; exit 1; }
kill -TERM "${pids[1]}"; wait "${pids[1]}"
# Back to exactly what version 1 was, with a run of that time in it.
cq -c "DROP TABLE squashd_control.rollout_targets, squashd_control.rollouts, squashd_control.targets;
       ALTER TABLE squashd_control.runs DROP COLUMN rollout_id;
       DELETE FROM squashd_control.schema_version WHERE version = 2;
       INSERT INTO squashd_control.runs (id, seq, target, job, state, trigger, submitted_by, record)
       VALUES ('old-run', 0, 'old', 'backup', 'succeeded', 'api', 'old-daemon',
               '{\"id\": \"old-run\", \"target\": \"old\", \"job\": \"backup\", \"state\": \"succeeded\", \"queued_at\": \"2026-01-01T00:00:00Z\"}')" >/dev/null
for i in 1 2 3; do write_config "$i"; start_daemon "$i" || { ok 1 "squashd $i starts"; sed "s/^/# /" "$work/d$i/stderr"; done_testing; exit 1; }; done
is "$(cq -c "SELECT string_agg(version::text, ',' ORDER BY version) FROM squashd_control.schema_version")" 1,2 \
  "a control schema at version 1 is migrated to version 2 by the daemons' start"
is "$(cq -c "SELECT state FROM squashd_control.runs WHERE id = 'old-run'")" succeeded "its runs are kept"
grep -q "found 1" "$work"/d*/stderr
ok $? "one daemon logged that it found version 1"

# --- 2. the rollout: dev, staging, prod
cat >"$work/rollout.json" <<JSON
{"name": "v1", "revision": "$revision", "snapshot_file": "squashed.json", "fingerprint": "$fp",
 "stages": [
   {"name": "dev", "match": [{"template": "tenants", "pattern": "%\\\\_dev\\\\_%"}], "parallel": 3},
   {"name": "staging", "match": [{"template": "tenants", "pattern": "%\\\\_staging\\\\_%"}], "parallel": 3},
   {"name": "prod", "match": [{"template": "tenants", "pattern": "%\\\\_prod\\\\_%"}], "parallel": 3}]}
JSON
dctl 2 rollout create "$work/rollout.json" >"$work/create.out" 2>&1
ok $? "squashctl rollout create (at daemon 2)"
like "$(head -1 "$work/create.out")" "^rollout v1: running, stage dev" "the rollout runs, stage dev first"
dctl 3 rollout create "$work/rollout.json" >/dev/null 2>"$work/create2.err"
is "$?" 1 "a second rollout of the same name is refused"
like "$(cat "$work/create2.err")" "a rollout named v1 exists" "and says so"
bad=$(curl -s -H "Authorization: Bearer $token" -d '{"name": "bad", "revision": "r", "snapshot_file": "/nonexistent.json", "stages": [{"name": "x", "targets": ["a"]}]}' "http://127.0.0.1:${ports[1]}/v1/rollouts")
like "$(jq -r .message <<<"$bad")" "snapshot_file /nonexistent.json: cannot be read" "a rollout whose snapshot cannot be read is refused"

# Stopped, and the stamps queued with the failed ones (the same batch of parallel 3) ended.
wait_for "SELECT state <> 'running' AND NOT EXISTS (SELECT FROM squashd_control.rollout_targets
          WHERE rollout_id = 'v1' AND state = 'queued') FROM squashd_control.rollouts WHERE id = 'v1'" \
  || diag "the rollout never stopped"
is "$(cq -c "SELECT state FROM squashd_control.rollouts WHERE id = 'v1'")" stopped "the rollout stopped"
is "$(cq -c "SELECT stage FROM squashd_control.rollouts WHERE id = 'v1'")" 1 "in stage staging"
is "$(cq -c "SELECT count(*) FROM squashd_control.rollout_targets WHERE rollout_id = 'v1' AND stage = 0 AND state = 'stamped'")" 10 \
  "dev: all 10 stamped"
is "$(cq -c "SELECT string_agg(target, ',' ORDER BY target) FROM squashd_control.rollout_targets WHERE rollout_id = 'v1' AND state = 'failed'")" \
  "${p}_staging_02,${p}_staging_03" "staging: exactly the two drifted targets failed"
like "$(cq -c "SELECT error FROM squashd_control.rollouts WHERE id = 'v1'")" \
  "^stage staging stopped: 2 target\(s\) failed: ${p}_staging_02: .*refusing to stamp.*; ${p}_staging_03: .*refusing to stamp" \
  "the rollout's error names the stage and both targets"
like "$(cq -c "SELECT differences::text FROM squashd_control.rollout_targets WHERE target = '${p}_staging_03'")" \
  "drift_note" "the guard's differences of staging_03 name the added column"
like "$(cq -c "SELECT differences::text FROM squashd_control.rollout_targets WHERE target = '${p}_staging_02'")" \
  "drift_genes_symbol" "those of staging_02 the added index"
status=$(dctl 1 rollout status v1)
like "$status" "${p}_staging_03: differs from the snapshot:" "squashctl rollout status shows the differences"
like "$status" "stage prod: waiting" "and prod waiting"
is "$(cq -c "SELECT count(*) FROM squashd_control.runs WHERE target LIKE '%\_prod\_%'")" 0 "prod: no run was ever queued"
is "$(cq -c "SELECT count(*) FROM squashd_control.rollout_targets WHERE stage = 2")" 0 "prod's targets were not even listed yet"
untouched=0
for n in 01 02 03 04 05 06 07 08 09 10; do
  db=${p}_prod_$n
  [ "$(q -d "$db" -c "SELECT version_num FROM alembic_version")/$(q -d "$db" -c "SELECT count(*) FROM squash.stamp_history")/$(q -d "$db" -c "SELECT count(*) FROM squash.snapshots")" = "$head_rev/0/0" ] \
    || { untouched=1; diag "$db was touched"; }
done
ok "$untouched" "prod's databases are untouched (alembic_version at the chain's head, no stamp, no snapshot)"
for db in "${p}_staging_02" "${p}_staging_03"; do
  [ "$(q -d "$db" -c "SELECT version_num FROM alembic_version")" = "$head_rev" ] || diag "$db: stamped?"
done
is "$(q -d "${p}_staging_03" -c "SELECT version_num FROM alembic_version")/$(q -d "${p}_staging_02" -c "SELECT count(*) FROM squash.stamp_history")" \
  "$head_rev/0" "the refused targets are unchanged"
metrics=$(curl -s "http://127.0.0.1:${ports[3]}/metrics")
like "$metrics" "squashd_rollout_targets\{rollout=\"v1\",stage=\"dev\",state=\"stamped\"\} 10" "metrics: dev 10 stamped"
like "$metrics" "squashd_rollout_targets\{rollout=\"v1\",stage=\"staging\",state=\"failed\"\} 2" "metrics: staging 2 failed"

# --- 3. a new tenant appears in the stopped stage; repair with squash_diff_sql (against the
# snapshot the refused stamp imported); resume
new_tenant=${p}_staging_11
dropdb --if-exists "$new_tenant" >/dev/null 2>&1
createdb -T "${p}_tpl" "$new_tenant" && test_databases+=("$new_tenant") && tenants+=("$new_tenant")
for db in "${p}_staging_02" "${p}_staging_03"; do
  label=$(q -d "$db" -c "SELECT label FROM squash.snapshots ORDER BY taken_at DESC LIMIT 1")
  q -d "$db" -c "SELECT squash_diff_sql('$label', NULL, true)" >"$work/repair_$db.sql"
  q -d "$db" -f "$work/repair_$db.sql" >/dev/null
  is "$(q -d "$db" -c "SELECT count(*) FROM squash_diff('$label')")" 0 "$db repaired by squash_diff_sql's script"
done
dctl 3 rollout resume v1 >/dev/null
ok $? "squashctl rollout resume (at daemon 3)"
wait_for "SELECT state <> 'running' FROM squashd_control.rollouts WHERE id = 'v1'" || diag "the rollout never ended"
is "$(cq -c "SELECT state FROM squashd_control.rollouts WHERE id = 'v1'")" succeeded "the rollout succeeded"
is "$(cq -c "SELECT count(*) FROM squashd_control.rollout_targets WHERE rollout_id = 'v1' AND state = 'stamped'")" 31 \
  "all 31 targets stamped: the 30 and the staging database that appeared meanwhile"
is "$(cq -c "SELECT stage FROM squashd_control.rollout_targets WHERE target = '$new_tenant'")" 1 "which joined stage staging"
is "$(cq -c "SELECT count(*) FROM (SELECT target FROM squashd_control.runs WHERE job = 'stamp' AND state = 'succeeded' GROUP BY target HAVING count(*) = 1) x")" 31 \
  "each target by exactly one succeeded stamp run"
is "$(cq -c "SELECT count(*) || '/' || count(*) FILTER (WHERE state = 'failed') FROM squashd_control.runs WHERE job = 'stamp'")" "33/2" \
  "33 stamp runs in all: the two refused and 31 that succeeded"
is "$(cq -c "SELECT count(*) FROM squashd_control.runs a JOIN squashd_control.runs b
             ON a.target = b.target AND a.id < b.id
             AND a.claimed_at < b.released_at AND b.claimed_at < a.released_at")" 0 \
  "no two runs of a target overlapped"
diag "stamps per daemon: $(cq -c "SELECT string_agg(n::text, ' ') FROM (SELECT count(*) n FROM squashd_control.runs WHERE job = 'stamp' GROUP BY daemon_id ORDER BY 1) x")"
ok "$([ "$(cq -c "SELECT count(DISTINCT daemon_id) FROM squashd_control.runs WHERE job = 'stamp'")" -ge 2 ] && echo 0 || echo 1)" \
  "the stamps were shared between daemons"
bad=0
for db in "${tenants[@]}"; do
  got=$(q -d "$db" -c "SELECT (SELECT string_agg(version_num, ',') FROM alembic_version) || '/' || (SELECT count(*) FROM squash.stamp_history)")
  [ "$got" = "$revision/1" ] || { bad=$((bad + 1)); diag "$db: $got"; }
done
is "$bad" 0 "every database: alembic_version $revision, exactly one stamp record"
cur=$(alembic_in "$work/squashed" "${p}_prod_10" current 2>/dev/null)
like "$cur" "^$revision \(head\)" "alembic current on a prod database shows the squashed revision as head"
validated=$(cq -c "SELECT count(*) FROM squashd_control.runs r, jsonb_array_elements(r.record->'steps') s
                   WHERE r.job = 'stamp' AND r.state = 'succeeded' AND s->>'name' = 'validate' AND s->>'state' = 'succeeded'")
is "$validated" 31 "each succeeded stamp validated the target"
backups=$(cq -c "SELECT count(*) FROM squashd_control.runs WHERE job = 'stamp' AND state = 'succeeded' AND record->>'backup' IS NOT NULL")
is "$backups" 31 "and took a verified backup first"
fleet=$(dctl 1 fleet status --json)
is "$(jq '[.targets[] | select(.matches_snapshot == true and .live.revision == "'$revision'")] | length' <<<"$fleet")" 31 \
  "squashctl fleet status: all 31 at $revision, live fingerprint equal to the snapshot's"
like "$(dctl 1 fleet status)" "${p}_dev_01 +v1 +dev +stamped +$revision +yes" "and in its table"

# --- 4. a new tenant; kill -9 of the daemon stamping it
late=${p}_late_01
dropdb --if-exists "$late" >/dev/null 2>&1
createdb -T "${p}_tpl" "$late" && test_databases+=("$late")
hold_table "$late" genes
cat >"$work/late.json" <<JSON
{"name": "v1-late", "revision": "$revision", "snapshot_file": "$work/squashed.json",
 "stages": [{"name": "late", "match": [{"template": "tenants", "pattern": "%\\\\_late\\\\_%"}]}]}
JSON
dctl 1 rollout create "$work/late.json" >/dev/null
ok $? "a second rollout, for the late tenants"
wait_for "SELECT EXISTS (SELECT FROM squashd_control.runs r WHERE r.target = '$late' AND r.state = 'running'
          AND r.record->'steps' @> '[{\"state\": \"running\"}]')" || diag "the late stamp never started"
first=$(cq -c "SELECT id FROM squashd_control.runs WHERE target = '$late' ORDER BY seq LIMIT 1")
victim_id=$(cq -c "SELECT daemon_id FROM squashd_control.runs WHERE id = '$first'")
victim_pid=$(cq -c "SELECT pid FROM squashd_control.daemons WHERE id = '$victim_id'")
step=$(cq -c "SELECT s->>'name' FROM squashd_control.runs, jsonb_array_elements(record->'steps') s WHERE id = '$first' AND s->>'state' = 'running'")
victim=0
for i in 1 2 3; do [ "${pids[$i]}" = "$victim_pid" ] && victim=$i; done
ok "$([ "$victim" -gt 0 ] && echo 0 || echo 1)" "a second rollout finds the new database $late; daemon $victim stamps it (step $step running)"
kill -9 "$victim_pid"; wait "$victim_pid" 2>/dev/null; pids[$victim]=
end_holder
wait_for "SELECT state = 'succeeded' FROM squashd_control.rollouts WHERE id = 'v1-late'" || diag "v1-late never succeeded"
is "$(cq -c "SELECT state FROM squashd_control.runs WHERE id = '$first'")" interrupted "the killed daemon's run is interrupted after its lease expired"
is "$(cq -c "SELECT string_agg(state, ',' ORDER BY seq) FROM squashd_control.runs WHERE target = '$late'")" "interrupted,succeeded" \
  "the target was taken again and stamped"
ok "$([ "$(cq -c "SELECT daemon_id FROM squashd_control.runs WHERE target = '$late' AND state = 'succeeded'")" != "$victim_id" ] && echo 0 || echo 1)" \
  "by another daemon"
is "$(cq -c "SELECT runs || '/' || state FROM squashd_control.rollout_targets WHERE rollout_id = 'v1-late' AND target = '$late'")" "2/stamped" \
  "the rollout counts two runs for it"
is "$(q -d "$late" -c "SELECT (SELECT string_agg(version_num, ',') FROM alembic_version) || '/' || (SELECT count(*) FROM squash.stamp_history)")" \
  "$revision/1" "stamped once, never half-done"
is "$(cq -c "SELECT count(*) FROM squashd_control.runs a JOIN squashd_control.runs b
             ON a.target = b.target AND a.id < b.id
             AND a.claimed_at < b.released_at AND b.claimed_at < a.released_at")" 0 \
  "still no two runs of a target overlapped"

# --- 5. a target's own maintenance window: a rollout's stamp waits for it
win=${p}win01
dropdb --if-exists "$win" >/dev/null 2>&1
createdb -T "${p}_tpl" "$win" && test_databases+=("$win")
window_template() {  # window_template CRON LENGTH: each live daemon gets a "windowed" template
  local i before
  for i in 1 2 3; do
    [ -n "${pids[$i]}" ] || continue
    write_config "$i"
    cat >>"$work/d$i/squashd.toml" <<TOML

[[template]]
name = "windowed"
conninfo = "host=$PGHOST port=$PGPORT dbname=postgres user=$PGUSER"
pattern = "${p}win%"
backup_dir = "$work/d$i/backups-win"
window_cron = "$1"
window = "$2"
TOML
    before=$(grep -c "configuration reloaded" "$work/d$i/stderr")
    kill -HUP "${pids[$i]}"
    for _ in $(seq 100); do
      [ "$(grep -c "configuration reloaded" "$work/d$i/stderr")" -gt "$before" ] && break
      sleep 0.2
    done
  done
}
window_template "0 0 1 1 *" "1m"  # opens on 1 January only: closed now
cat >"$work/win.json" <<JSON
{"name": "v1-win", "revision": "$revision", "snapshot_file": "$work/squashed.json",
 "stages": [{"name": "windowed", "match": [{"template": "windowed", "pattern": "%"}]}]}
JSON
live=0
for i in 1 2 3; do [ -n "${pids[$i]}" ] && { live=$i; break; }; done  # one was killed above
dctl "$live" rollout create "$work/win.json" >/dev/null
ok $? "a rollout of a target whose maintenance window is closed (at daemon $live)"
wait_for "SELECT EXISTS (SELECT FROM squashd_control.runs WHERE target = '$win')" || diag "no run was queued for $win"
sleep 6  # several polls of every live daemon
is "$(cq -c "SELECT string_agg(state, ',') FROM squashd_control.runs WHERE target = '$win'")" queued \
  "its stamp stays queued while the window is closed: no daemon claims it"
is "$(q -d "$win" -c "SELECT version_num FROM alembic_version")/$(q -d "$win" -c "SELECT count(*) FROM squash.stamp_history")/$(q -d "$win" -c "SELECT count(*) FROM squash.snapshots")" \
  "$head_rev/0/0" "and the database is untouched (the chain's head, no stamp, no snapshot)"
window_template "* * * * *" "1h"  # open now, for the next hour
wait_for "SELECT state = 'succeeded' FROM squashd_control.rollouts WHERE id = 'v1-win'" || diag "v1-win never succeeded"
is "$(cq -c "SELECT string_agg(state, ',') FROM squashd_control.runs WHERE target = '$win'")" succeeded \
  "once its window opens, the stamp is claimed and succeeds"
is "$(q -d "$win" -c "SELECT version_num FROM alembic_version")/$(q -d "$win" -c "SELECT count(*) FROM squash.stamp_history")" \
  "$revision/1" "stamped once"
ends=$(cq -c "SELECT record->>'window_end' FROM squashd_control.runs WHERE target = '$win'")
like "$ends" "^20[0-9][0-9]-" "and runs until the window's end ($ends), as a scheduled run does"

done_testing
