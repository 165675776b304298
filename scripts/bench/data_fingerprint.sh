#!/usr/bin/env bash
# Data fingerprint benchmark: squash_data_fingerprint() on one large table, against what
# a user would otherwise run: SELECT count(*) (the floor: one pass over the heap) and
# pg_dump --data-only -t TABLE | sha256sum (the usual way to hash a table's data).
# Every call is a new session (a new psql, as a new pg_dump), timed from the shell; each
# is run once to warm the buffer cache for all, then timed 5 times; the best time counts.
# Prints times and ratios, judges nothing, and RESULT lines for scripts/bench.sh.
#
#   scripts/bench/data_fingerprint.sh [ROWS]      (default 5,000,000 rows, about 630 MB)
#
# Uses the cluster in PGHOST/PGPORT/PGUSER when PGHOST is set (pg_squash installed there),
# otherwise a throwaway cluster. KEEP=1 keeps the benchmark database.
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
rows=${1:-${BENCH_ROWS:-5000000}}
db=bench_data_fingerprint
work=$(mktemp -d /tmp/pg_squash_bench_datafp.XXXXXX)
chmod 755 "$work"
own_cluster=
cleanup() {
  if [ -z "${KEEP:-}" ] && [ -z "$own_cluster" ]; then dropdb --if-exists "$db" >/dev/null 2>&1 || true; fi
  [ -n "$own_cluster" ] && "$src/scripts/pgcluster.sh" stop "$work/cluster" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${PGHOST:-}" ]; then
  eval "$("$src/scripts/pgcluster.sh" start "$work/cluster")"
  own_cluster=1
fi
sql() { psql -X -At -v ON_ERROR_STOP=1 -d "$db" "$@"; }

echo "# setup: $rows rows (bigint, text, int, numeric, jsonb, timestamptz)" >&2
dropdb --if-exists "$db" >/dev/null 2>&1
createdb "$db"
sql -q <<SQL
CREATE EXTENSION pg_squash;
CREATE SCHEMA bench;
CREATE TABLE bench.rows (
  id bigint NOT NULL, name text, qty integer, price numeric(12, 2), attrs jsonb,
  created timestamptz
);
INSERT INTO bench.rows
SELECT g, 'item ' || substr(md5(g::text), 1, 16), (g % 1000)::int, (g % 1000003) / 100.0,
       jsonb_build_object('g', g, 'tag', 't' || (g % 17), 'ok', g % 3 = 0),
       timestamptz '2020-01-01 00:00:00+00' + g * interval '1 second'
  FROM generate_series(1, $rows) g;
VACUUM (FREEZE, ANALYZE) bench.rows;
SQL
size=$(sql -c "SELECT pg_size_pretty(pg_table_size('bench.rows'))")
echo "# table size: $size" >&2

# Milliseconds of one SQL statement in a new session (connecting included, as for pg_dump).
time_sql() {
  time_cmd "psql -X -At -v ON_ERROR_STOP=1 -d $db -c \"$1\""
}
# Milliseconds of a shell pipeline.
time_cmd() {
  local start end
  start=$(date +%s%N)
  bash -c "$1" >/dev/null
  end=$(date +%s%N)
  echo "scale=3; ($end - $start) / 1000000" | bc
}
best_of_5() {  # best_of_5 KIND COMMAND: warm once, then the fastest of 5
  local kind=$1 cmd=$2 best= t i
  "time_$kind" "$cmd" >/dev/null
  for i in 1 2 3 4 5; do
    t=$("time_$kind" "$cmd")
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" -eq 1 ]; then best=$t; fi
  done
  echo "$best"
}

dump="pg_dump --data-only -t bench.rows $db | sha256sum"
fp=$(best_of_5 sql "SELECT * FROM squash_data_fingerprint('{bench.rows}')")
count=$(best_of_5 sql "SELECT count(*) FROM bench.rows")
count_serial=$(best_of_5 sql "SET max_parallel_workers_per_gather = 0; SELECT count(*) FROM bench.rows")
fp_serial=$(best_of_5 sql "SET max_parallel_workers_per_gather = 0; SELECT * FROM squash_data_fingerprint('{bench.rows}')")
dumped=$(best_of_5 cmd "$dump")

ratio() { echo "scale=2; $1 / $2" | bc; }
echo
printf '%-52s %12s\n' "best of 5, new session per call" "ms"
printf '%-52s %12.1f\n' "squash_data_fingerprint('{bench.rows}')" "$fp"
printf '%-52s %12.1f\n' "the same, max_parallel_workers_per_gather = 0" "$fp_serial"
printf '%-52s %12.1f\n' "SELECT count(*) (parallel workers as configured)" "$count"
printf '%-52s %12.1f\n' "SELECT count(*) (max_parallel_workers_per_gather = 0)" "$count_serial"
printf '%-52s %12.1f\n' "pg_dump --data-only -t bench.rows | sha256sum" "$dumped"
echo
echo "fingerprint / count(*):            $(ratio "$fp" "$count")x   (serial count(*): $(ratio "$fp" "$count_serial")x)"
echo "pg_dump | sha256sum / fingerprint: $(ratio "$dumped" "$fp")x"

secs() { echo "scale=3; $1 / 1000" | bc | sed 's/^\./0./'; }
echo "RESULT|data fingerprint of one table ($rows rows, $size) vs pg_dump --data-only -t piped to sha256sum|$(secs "$fp")|$(secs "$dumped")|"
echo "RESULT|data fingerprint of one table ($rows rows, $size) vs SELECT count(*)|$(secs "$fp")|$(secs "$count")|count(*) is the floor: one pass, nothing hashed; both serial (max_parallel_workers_per_gather = 0): $(secs "$fp_serial") s vs $(secs "$count_serial") s"
