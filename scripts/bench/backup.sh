#!/usr/bin/env bash
# Backup benchmark: a squashd backup run against a bare `pg_dump -Fc` of the same database,
# in the same run, warm cache, best of BENCH_ROUNDS (default 3; the runs interleaved). Both
# are timed as a user meets them, wall clock around one new process per call: `pg_dump -Fc
# -f FILE` and `squashctl run TARGET backup --wait`.
#   1. the dump-full step's own duration from the run record (the same pg_dump -Fc, run by
#      squashd: clean environment, private passfile, streamed to disk with progress and
#      SHA-256, pg_squash's schema and data fingerprints taken alongside in the snapshot);
#   2. the whole verified backup: squashctl run --wait from submit to the end of the run —
#      inspect (exported snapshot, revision), dump-full, verify (pg_restore --list of the
#      archive, the schema/data TOC lists derived from it, the archive read back and
#      hashed again), manifest, rename, retention. The goal is 1.15x the bare pg_dump.
# Each round's per-step seconds go to stderr (where the time goes).
# Prints RESULT lines for scripts/bench.sh:  RESULT|what|ours_s|pg_dump_s|note
#
#   scripts/bench/backup.sh [ROWS]     (default 2,400,000 rows in three tables, ~400 MB)
#
# Uses the cluster in PGHOST/PGPORT/PGUSER (pg_squash installed there) and squashd from
# BUILD_DIR; starts its own squashd on 127.0.0.1:(PGPORT + 2000). KEEP=1 keeps the database.
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$src/build}
rows=${1:-${BENCH_BACKUP_ROWS:-2400000}}
db=bench_backup
: "${PGHOST:?PGHOST/PGPORT/PGUSER of a cluster are needed (scripts/bench.sh sets them)}"
squashd=$build/daemon/squashd
[ -x "$squashd" ] || { echo "squashd not built in $build" >&2; exit 1; }
work=$(mktemp -d "${BENCH_WORK:-/tmp}/pg_squash_bench_backup.XXXXXX")
chmod 755 "$work"
pid=
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; fi
  [ -z "${KEEP:-}" ] && { dropdb --if-exists "$db" >/dev/null 2>&1 || true; }
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
sql() { psql -X -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }

n1=$((rows * 5 / 8)); n2=$((rows * 2 / 8)); n3=$((rows - n1 - n2))
echo "# setup: $rows rows in three tables ($n1 / $n2 / $n3)" >&2
dropdb --if-exists "$db" >/dev/null 2>&1
createdb "$db"
sql -q <<SQL
CREATE EXTENSION pg_squash;
CREATE TABLE item (id bigint PRIMARY KEY, name text NOT NULL, qty integer, price numeric(12, 2),
                   attrs jsonb, created timestamptz DEFAULT now());
CREATE TABLE movement (id bigint PRIMARY KEY, item_id bigint REFERENCES item, note text,
                       at timestamptz);
CREATE TABLE blob (id bigint PRIMARY KEY, payload text);
INSERT INTO item SELECT g, 'item ' || substr(md5(g::text), 1, 16), (g % 1000)::int,
       (g % 1000003) / 100.0, jsonb_build_object('g', g, 'tag', 't' || (g % 17), 'ok', g % 3 = 0),
       timestamptz '2020-01-01 00:00:00+00' + g * interval '1 second'
  FROM generate_series(1, $n1) g;
INSERT INTO movement SELECT g, 1 + g % $n1, md5(g::text), timestamptz '2021-01-01 00:00:00+00' + g * interval '1 minute'
  FROM generate_series(1, $n2) g;
INSERT INTO blob SELECT g, md5(g::text) || md5((g * 31)::text) || md5((g * 97)::text)
  FROM generate_series(1, $n3) g;
CREATE VIEW item_total AS SELECT i.id, count(m.id) AS movements FROM item i LEFT JOIN movement m ON m.item_id = i.id GROUP BY 1;
CREATE TABLE alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY);
INSERT INTO alembic_version VALUES ('000_squashed_complete');
VACUUM (FREEZE, ANALYZE);
SQL
size=$(sql -c "SELECT pg_size_pretty(pg_database_size(current_database()))")
echo "# database size: $size" >&2

# squashd with a temporary config on loopback PGPORT + 2000.
port=$((PGPORT + 2000))
token="bench-$RANDOM$RANDOM"
echo "$token" >"$work/token"
chmod 600 "$work/token"
cat >"$work/squashd.toml" <<TOML
[daemon]
listen = "127.0.0.1:$port"
token_file = "$work/token"
state_dir = "$work/state"
log_level = "warn"
log_file = "$work/squashd.log"

[[target]]
name = "bench"
conninfo = "host=$PGHOST port=$PGPORT dbname=$db user=${PGUSER:-postgres}"
backup_dir = "$work/backups"
keep_last = 1
keep_days = 0
min_keep = 1
TOML
"$squashd" --config "$work/squashd.toml" 2>>"$work/squashd.stderr" &
pid=$!
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/squashd.stderr" >&2; exit 1; }
  sleep 0.1
done
ctl() { "$build/daemon/squashctl" --url "http://127.0.0.1:$port" --token-file "$work/token" "$@"; }

pg_dump=$(pg_config --bindir)/pg_dump
bare() {  # seconds of one bare pg_dump -Fc to a file
  local start end
  start=$(date +%s.%N)
  "$pg_dump" -Fc -d "$db" -f "$work/bare.dump"
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}
ours() {  # "<dump-full seconds> <squashctl run --wait seconds> <step:seconds ...>" of one backup
  local id start end
  start=$(date +%s.%N)
  id=$(ctl run bench backup --wait 2>/dev/null | sed -n 1p) || true
  end=$(date +%s.%N)
  curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/runs/$id" |
    jq -r --arg wall "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')" \
      'if .state != "succeeded" then error("backup run " + .id + " " + .state + ": " + (.error // "")) else
       "\([.steps[] | select(.name == "dump-full") | .seconds] | add) \($wall) " +
       ([.steps[] | "\(.name):\(.seconds * 1000 | round / 1000)"] | join(" ")) end'
}
min() { awk 'NR == 1 || $1 < m { m = $1 } END { printf "%.3f", m }'; }

echo "# warm-up: one bare pg_dump, one squashd backup" >&2
bare >/dev/null
ours >/dev/null
: >"$work/bare.times"; : >"$work/full.times"; : >"$work/all.times"
for i in $(seq "${BENCH_ROUNDS:-3}"); do
  b=$(bare); read -r f a steps <<<"$(ours)"
  echo "$b" >>"$work/bare.times"; echo "$f" >>"$work/full.times"; echo "$a" >>"$work/all.times"
  echo "# round $i: bare pg_dump -Fc ${b}s, squashd dump-full ${f}s, whole backup ${a}s ($steps)" >&2
done
bare_s=$(min <"$work/bare.times"); full_s=$(min <"$work/full.times"); all_s=$(min <"$work/all.times")
dump_size=$(du -h "$work/bare.dump" | cut -f1)
pct=$(awk -v o="$full_s" -v b="$bare_s" 'BEGIN { printf "%+.1f%%", (o / b - 1) * 100 }')
times=$(awk -v o="$all_s" -v b="$bare_s" 'BEGIN { printf "%.2f", o / b }')
echo "RESULT|squashd dump-full step (pg_dump -Fc + fingerprints alongside) vs bare pg_dump -Fc|$full_s|$bare_s|$rows rows, $size database, $dump_size dump; $pct"
echo "RESULT|whole verified backup, squashctl run --wait, vs bare pg_dump -Fc|$all_s|$bare_s|${times}x (goal: 1.15x); 1 dump, schema/data TOC lists, fingerprints, SHA-256, pg_restore --list, re-read, manifest, retention; load $(cut -d' ' -f1-3 /proc/loadavg)"
