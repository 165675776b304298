#!/usr/bin/env bash
# squash_diff_sql() on the generated benchmark schema against a copy with 100 scattered
# changes (25 dropped defaults, 25 dropped NOT NULLs, 25 renamed indexes, 15 dropped CHECKs,
# 10 changed views), vs pg_dump --schema-only of the same database; both warm, best of 3.
# The script is then applied and the fingerprint compared (reported in the note). Prints a
# RESULT line for scripts/bench.sh.
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

db=bench_diff_sql
out=$(mktemp /tmp/bench_diff_sql.XXXXXX.sql)
trap 'rm -f "$out"; dropdb --if-exists "$db" >/dev/null 2>&1' EXIT
dropdb --if-exists "$db" >/dev/null 2>&1; createdb "$db"
echo "# generating $schemas x $tables tables (varied=false) ..." >&2
psql -X -q -d "$db" -v schemas="$schemas" -v tables="$tables" -v varied=false \
  -f "$here/generate_schema.sql" >/dev/null
psql -X -q -d "$db" -c "CREATE EXTENSION pg_squash" -c "VACUUM ANALYZE" >/dev/null
fp=$(psql -X -At -d "$db" -c "SELECT squash_snapshot('bench')")

# 100 changes, spread over every schema (table numbers are multiples of 20, which have views).
psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null <<SQL
DO \$\$
DECLARE s int; i int; n int := 0; sch text;
BEGIN
  FOR k IN 1..100 LOOP
    s := 1 + (k % $schemas);
    i := 20 * (1 + (k * 7) % ($tables / 20));
    sch := 'bench_' || s;
    IF k <= 25 THEN
      EXECUTE format('ALTER TABLE %I.%I ALTER COLUMN label DROP DEFAULT', sch, 't' || (i - 1));
    ELSIF k <= 50 THEN
      EXECUTE format('ALTER TABLE %I.%I ALTER COLUMN name DROP NOT NULL', sch, 't' || (i - 2));
    ELSIF k <= 75 THEN
      EXECUTE format('ALTER INDEX %I.%I RENAME TO %I', sch, 't' || (i - 3) || '_recent_idx', 'r' || (i - 3) || '_recent');
    ELSIF k <= 90 THEN
      EXECUTE format('ALTER TABLE %I.%I DROP CONSTRAINT %I', sch, 't' || (i - 4), 't' || (i - 4) || '_amount_check');
    ELSE
      EXECUTE format('CREATE OR REPLACE VIEW %I.%I AS SELECT a.id, a.name, b.amount, public.bench_score(b.amount + 0) AS score
                        FROM %I.%I a JOIN %I.%I b ON b.parent_id = a.id', sch, 'v' || i, sch, 't' || (i - 1), sch, 't' || i);
    END IF;
  END LOOP;
END \$\$;
SQL
rows=$(psql -X -At -d "$db" -c "SELECT count(*) FROM squash_diff('bench')")

repair() { psql -X -At -d "$db" -c "SELECT squash_diff_sql('bench')"; }
pg_dump --schema-only -d "$db" >/dev/null
repair >/dev/null
t_dump=$(best_of_3 pg_dump --schema-only -d "$db" -f /dev/null)
t_repair=$(best_of_3 repair)

repair >"$out"
statements=$(grep -c ';$' "$out" || true)
if psql -X -q -v ON_ERROR_STOP=1 -d "$db" -f "$out" >/dev/null 2>"$out.err"; then
  if [ "$(psql -X -At -d "$db" -c "SELECT squash_fingerprint()")" = "$fp" ]; then
    applied="applied: fingerprint equal to the snapshot's"
  else
    applied="APPLIED BUT FINGERPRINTS DIFFER"
  fi
else
  applied="APPLY FAILED: $(head -c 200 "$out.err" | tr '\n' ' ')"
fi
rm -f "$out.err"
echo "RESULT|repair script: squash_diff_sql(), $((schemas * tables)) tables, 100 changes ($rows diff rows) vs pg_dump --schema-only|$t_repair|$t_dump|$statements statements; $applied"
