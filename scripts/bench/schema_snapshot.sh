#!/usr/bin/env bash
# Schema snapshot vs pg_dump --schema-only on the generated 10,000-table schema, in the
# same run, best of 3; every call on both sides is a new session (a new psql, a new
# pg_dump), so ours is always the first call in its backend. Prints RESULT lines for
# scripts/bench.sh.
#   BENCH_SCHEMAS (10) x BENCH_TABLES (1000) tables; run once with repeated and once with
#   varied defaults, CHECKs and partial predicates; then BENCH_SCHEMAS x BENCH_TABLES / 5
#   tables (2,000), and an empty database.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
schemas=${BENCH_SCHEMAS:-10}
tables=${BENCH_TABLES:-1000}

best_of_3() {  # best_of_3 CMD...: fastest wall time in seconds
  local best= t0 t1 s
  for _ in 1 2 3; do
    t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N)
    s=$(( t1 - t0 ))
    if [ -z "$best" ] || [ "$s" -lt "$best" ]; then best=$s; fi
  done
  awk -v ns="$best" 'BEGIN { printf "%.3f", ns / 1e9 }'
}

for run in "$tables false" "$tables true" "$((tables / 5)) false"; do
  read -r tables_now varied <<<"$run"
  db=bench_schema_$varied
  dropdb --if-exists "$db" >/dev/null 2>&1; createdb "$db"
  echo "# generating $schemas x $tables_now tables (varied=$varied) ..." >&2
  psql -X -q -d "$db" -v schemas="$schemas" -v tables="$tables_now" -v varied="$varied" \
    -f "$here/generate_schema.sql" >/dev/null
  psql -X -q -d "$db" -c "CREATE EXTENSION pg_squash" -c "VACUUM ANALYZE" >/dev/null
  objects=$(psql -X -At -d "$db" -c "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname LIKE 'bench\_%'")
  echo "# $objects relations" >&2

  # Warm both once.
  pg_dump --schema-only -d "$db" >/dev/null
  psql -X -At -d "$db" -c "SELECT squash_fingerprint()" >/dev/null

  t_dump=$(best_of_3 pg_dump --schema-only -d "$db" -f /dev/null)
  t_snap=$(best_of_3 psql -X -At -d "$db" -c "SELECT squash_fingerprint()")
  # The same read plus storing the snapshot (squash_snapshot, a new label each time),
  # against the same pg_dump time.
  t_store=$(best_of_3 psql -X -At -d "$db" \
    -c "SELECT squash_snapshot('timed ' || pg_catalog.clock_timestamp()::text)")
  # One stored snapshot in a fresh backend, and that backend's peak memory.
  peak=$(psql -X -At -d "$db" -c "SELECT squash_snapshot('bench') IS NOT NULL" \
          -c "SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmHWM:\s+(\d+)'))[1]")
  peak_kb=$(echo "$peak" | tail -1)
  stored=$(psql -X -At -d "$db" -c "SELECT pg_column_size(document) FROM squash.snapshot_store WHERE label = 'bench'")
  # A second snapshot after a few changes, so that the diff reads, compares and reports.
  psql -X -q -d "$db" -c "ALTER TABLE bench_1.t1 ALTER COLUMN label DROP DEFAULT" \
    -c "ALTER TABLE bench_1.t2 RENAME COLUMN label TO label_renamed" \
    -c "CREATE TABLE bench_1.bench_extra (a integer)" >/dev/null
  psql -X -q -d "$db" -c "SELECT squash_snapshot('bench2')" >/dev/null
  rows=$(psql -X -At -d "$db" -c "SELECT count(*) FROM squash_diff('bench', 'bench2')")
  t_diff=$(best_of_3 psql -X -At -d "$db" -c "SELECT count(*) FROM squash_diff('bench', 'bench2')")
  echo "RESULT|schema snapshot ($((schemas * tables_now)) tables, varied=$varied) vs pg_dump --schema-only|$t_snap|$t_dump|backend peak $((peak_kb / 1024)) MB, stored $((stored / 1024)) KB, diff of two stored snapshots ${t_diff}s ($rows rows)"
  echo "RESULT|stored schema snapshot, squash_snapshot ($((schemas * tables_now)) tables, varied=$varied) vs pg_dump --schema-only|$t_store|$t_dump|reads the schema and stores the snapshot"
  dropdb "$db"
done

# An empty database: only what every new session pays.
db=bench_schema_empty
dropdb --if-exists "$db" >/dev/null 2>&1; createdb "$db"
psql -X -q -d "$db" -c "CREATE EXTENSION pg_squash" >/dev/null
pg_dump --schema-only -d "$db" >/dev/null
psql -X -At -d "$db" -c "SELECT squash_fingerprint()" >/dev/null
t_dump=$(best_of_3 pg_dump --schema-only -d "$db" -f /dev/null)
t_snap=$(best_of_3 psql -X -At -d "$db" -c "SELECT squash_fingerprint()")
t_psql=$(best_of_3 psql -X -At -d "$db" -c "SELECT 1")
echo "RESULT|schema snapshot of an empty database vs pg_dump --schema-only|$t_snap|$t_dump|a bare psql -c 'SELECT 1' takes ${t_psql}s"
dropdb "$db"
