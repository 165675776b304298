#!/usr/bin/env bash
# Generating the squashed revision vs pg_dump --schema-only on the generated benchmark schema,
# in the same run, both warm, best of 3; then the generated script is applied to an empty
# database and the fingerprints compared (reported in the note). Prints a RESULT line for
# scripts/bench.sh.
#   BENCH_SCHEMAS (10) x BENCH_TABLES (1000) tables, varied=false.
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

db=bench_generate
target=bench_generate_target
out=$(mktemp /tmp/bench_generate.XXXXXX.sql)
trap 'rm -f "$out" "$out.dump" "$out.err"; dropdb --if-exists "$db" >/dev/null 2>&1; dropdb --if-exists "$target" >/dev/null 2>&1' EXIT
dropdb --if-exists "$db" >/dev/null 2>&1; createdb "$db"
echo "# generating $schemas x $tables tables (varied=false) ..." >&2
psql -X -q -d "$db" -v schemas="$schemas" -v tables="$tables" -v varied=false \
  -f "$here/generate_schema.sql" >/dev/null
psql -X -q -d "$db" -c "CREATE EXTENSION pg_squash" -c "VACUUM ANALYZE" >/dev/null

generate() { psql -X -At -d "$db" -c "SELECT squash_generate_migration(format => 'sql')"; }
# Warm both once.
pg_dump --schema-only -d "$db" >/dev/null
generate >/dev/null

t_dump=$(best_of_3 pg_dump --schema-only -d "$db" -f /dev/null)
t_gen=$(best_of_3 generate)

# The round trip: the generated script builds the same schema.
generate >"$out"
statements=$(grep -c ';$' "$out" || true)
dropdb --if-exists "$target" >/dev/null 2>&1; createdb "$target"
psql -X -q -d "$target" -c "CREATE EXTENSION pg_squash" >/dev/null
t0=$(date +%s%N)
if psql -X -q -v ON_ERROR_STOP=1 -d "$target" -f "$out" >/dev/null 2>"$out.err"; then
  t1=$(date +%s%N)
  apply=$(awk -v ns="$((t1 - t0))" 'BEGIN { printf "%.1f", ns / 1e9 }')
  fp_src=$(psql -X -At -d "$db" -c "SELECT squash_fingerprint()")
  fp_dst=$(psql -X -At -d "$target" -c "SELECT squash_fingerprint()")
  if [ "$fp_src" = "$fp_dst" ]; then roundtrip="round trip ok (fingerprints equal, applied in ${apply}s)"
  else roundtrip="ROUND TRIP FAILED: fingerprints differ"; fi
else
  roundtrip="ROUND TRIP FAILED: $(head -c 200 "$out.err" | tr '\n' ' ')"
fi
rm -f "$out.err"
echo "RESULT|generate squashed revision ($((schemas * tables)) tables) vs pg_dump --schema-only|$t_gen|$t_dump|$(wc -c <"$out" | awk '{printf "%.1f MB", $1/1048576}'), ~$statements statements; $roundtrip"

# Applying it vs what a user would otherwise restore: pg_restore of a schema-only archive
# of the same database, into an empty database, both ways (a transaction per statement,
# and one transaction), once each, side by side.
archive=$out.dump
pg_dump -Fc --schema-only -d "$db" -f "$archive"
elapsed() {  # elapsed CMD...: wall time in seconds; fails with the command
  local t0 t1
  t0=$(date +%s%N); "$@" >/dev/null 2>"$out.err" || { head -c 200 "$out.err" >&2; return 1; }
  t1=$(date +%s%N)
  awk -v ns="$((t1 - t0))" 'BEGIN { printf "%.3f", ns / 1e9 }'
}
fresh() { dropdb --if-exists "$target" >/dev/null 2>&1; createdb "$target"; }
ours_db() { fresh; psql -X -q -d "$target" -c "CREATE EXTENSION pg_squash" >/dev/null; }
ours_db; t_apply=$(elapsed psql -X -q -v ON_ERROR_STOP=1 -d "$target" -f "$out")
ours_db; t_apply1=$(elapsed psql -X -q -1 -v ON_ERROR_STOP=1 -d "$target" -f "$out")
fresh; t_restore=$(elapsed pg_restore --exit-on-error -d "$target" "$archive")
fresh; t_restore1=$(elapsed pg_restore --exit-on-error --single-transaction -d "$target" "$archive")
rm -f "$archive" "$out.err"
echo "RESULT|apply the generated SQL (psql -f) vs pg_restore -d of a schema-only archive|$t_apply|$t_restore|into an empty database, once each"
echo "RESULT|the same, one transaction (psql -1 -f) vs pg_restore --single-transaction|$t_apply1|$t_restore1|into an empty database, once each"
