#!/usr/bin/env bash
# Fleet benchmark (optional: BENCH_ONLY=fleet scripts/bench.sh): targets per hour of a
# rollout — per target backup, snapshot import, guarded stamp, validate — with 1, 2 and 3
# squashd sharing one control database, on this machine, N small databases of one
# cluster found through a [[template]]. One stage, parallel = 2 per daemon (max_runs 2
# each), poll_interval 1s. Timed from `squashctl rollout create` to the rollout's
# succeeded state (the control database's clock). The per-step averages (stderr) show
# what bounds it.
# Prints RESULT lines for scripts/bench.sh:  RESULT|what|3-daemon_s|1-daemon_s|note
#
#   scripts/bench/fleet.sh [N]     (default 24 databases)
#
# Uses the cluster in PGHOST/PGPORT/PGUSER (pg_squash installed there) and squashd,
# squashctl from BUILD_DIR.
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$src/build}
n=${1:-${BENCH_FLEET_TARGETS:-24}}
: "${PGHOST:?PGHOST/PGPORT/PGUSER of a cluster are needed (scripts/bench.sh sets them)}"
squashd=$build/daemon/squashd
squashctl=$build/daemon/squashctl
[ -x "$squashd" ] && [ -x "$squashctl" ] || { echo "squashd not built in $build" >&2; exit 1; }
work=$(mktemp -d "${BENCH_WORK:-/tmp}/pg_squash_bench_fleet.XXXXXX")
chmod 755 "$work"
p=bench_fleet
pids=()
dbs=()
stop_daemons() {
  local x
  for x in "${pids[@]}"; do kill -TERM "$x" 2>/dev/null; wait "$x" 2>/dev/null || true; done
  pids=()
}
cleanup() {
  stop_daemons
  for db in "${dbs[@]}"; do dropdb --if-exists --force "$db" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
q() { psql -X -At -v ON_ERROR_STOP=1 "$@"; }

echo "# setup: a template database, $n copies per round" >&2
dropdb --if-exists "${p}_tpl" >/dev/null 2>&1
createdb "${p}_tpl"; dbs+=("${p}_tpl")
q -q -d "${p}_tpl" >/dev/null <<'SQL'
CREATE EXTENSION pg_squash;
CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY);
INSERT INTO alembic_version VALUES ('a1b2c3d4e5f6');
CREATE TABLE customer (id bigint PRIMARY KEY, name text NOT NULL, email text UNIQUE);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customer, total numeric(12, 2),
                     at timestamptz DEFAULT now());
CREATE INDEX orders_customer ON orders (customer_id);
CREATE VIEW customer_total AS SELECT c.id, sum(o.total) AS total FROM customer c JOIN orders o ON o.customer_id = c.id GROUP BY 1;
INSERT INTO customer SELECT g, 'c' || g, 'c' || g || '@example.org' FROM generate_series(1, 2000) g;
INSERT INTO orders SELECT g, 1 + g % 2000, g % 997, now() FROM generate_series(1, 10000) g;
SELECT squash_snapshot('bench');
SQL
q -d "${p}_tpl" -c "SELECT squash_snapshot_export('bench')" >"$work/snapshot.json"

port=$((PGPORT + 2100))
declare -A secs
for daemons in 1 2 3; do
  ctl=${p}_ctl
  dropdb --if-exists --force "$ctl" >/dev/null 2>&1; createdb "$ctl"; dbs+=("$ctl")
  for i in $(seq -w 1 "$n"); do
    dropdb --if-exists --force "${p}_t_$i" >/dev/null 2>&1
    createdb -T "${p}_tpl" "${p}_t_$i"; dbs+=("${p}_t_$i")
  done
  echo "tok-bench" >"$work/token"; chmod 600 "$work/token"
  for d in $(seq 1 "$daemons"); do
    rm -rf "$work/d$d"; mkdir -p "$work/d$d"
    cat >"$work/d$d/squashd.toml" <<TOML
[daemon]
listen = "127.0.0.1:$((port + d))"
token_file = "$work/token"
state_dir = "$work/d$d/state"
[control]
conninfo = "host=$PGHOST port=$PGPORT dbname=$ctl user=$PGUSER"
lease_ttl = "30s"
poll_interval = "1s"
max_runs = 2
[[template]]
name = "bench"
conninfo = "host=$PGHOST port=$PGPORT dbname=postgres user=$PGUSER"
pattern = "${p}\\\\_t\\\\_%"
backup_dir = "$work/d$d/backups"
keep_last = 1
min_keep = 1
TOML
    "$squashd" --config "$work/d$d/squashd.toml" 2>>"$work/d$d/stderr" &
    pids+=($!)
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$((port + d))/v1/health" >/dev/null && break; sleep 0.1; done
  done
  cat >"$work/rollout.json" <<JSON
{"name": "bench", "revision": "000_squashed", "snapshot_file": "$work/snapshot.json",
 "stages": [{"name": "all", "match": [{"template": "bench"}], "parallel": $((2 * daemons))}]}
JSON
  "$squashctl" --url "http://127.0.0.1:$((port + 1))" --token-file "$work/token" rollout create "$work/rollout.json" >/dev/null
  until [ "$(q -d "$ctl" -c "SELECT state <> 'running' FROM squashd_control.rollouts")" = t ]; do sleep 0.2; done
  state=$(q -d "$ctl" -c "SELECT state FROM squashd_control.rollouts")
  [ "$state" = succeeded ] || { echo "rollout with $daemons daemon(s) ended $state" >&2; exit 1; }
  secs[$daemons]=$(q -d "$ctl" -c "SELECT round(extract(epoch FROM updated_at - created_at)::numeric, 1) FROM squashd_control.rollouts")
  per_hour=$(awk -v n="$n" -v s="${secs[$daemons]}" 'BEGIN { printf "%d", n * 3600 / s }')
  echo "# $daemons daemon(s): $n targets in ${secs[$daemons]} s = $per_hour targets/hour" >&2
  q -d "$ctl" -c "SELECT '#   step ' || (s->>'name') || ': ' || round(avg((s->>'seconds')::numeric), 2) || ' s avg'
                  FROM squashd_control.runs r, jsonb_array_elements(r.record->'steps') s
                  GROUP BY s->>'name' ORDER BY avg((s->>'seconds')::numeric) DESC" >&2
  q -d "$ctl" -c "SELECT '#   run (claimed to released): ' || round(avg(extract(epoch FROM released_at - claimed_at))::numeric, 2)
                  || ' s avg, queued to claimed: ' || round(avg(extract(epoch FROM claimed_at - queued_at))::numeric, 2) || ' s avg'
                  FROM squashd_control.runs" >&2
  stop_daemons
done
rate() { awk -v n="$n" -v s="$1" 'BEGIN { printf "%d", n * 3600 / s }'; }
echo "RESULT|fleet rollout: $n small targets (backup+stamp+validate), 3 daemons vs 1|${secs[3]}|${secs[1]}|targets/hour: $(rate "${secs[1]}") with 1 daemon, $(rate "${secs[2]}") with 2, $(rate "${secs[3]}") with 3"
