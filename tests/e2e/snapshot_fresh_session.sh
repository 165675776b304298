#!/usr/bin/env bash
# Speed never changes a schema fingerprint: the first call in a new session (cold catalog
# caches, a fresh parallel view worker) gives exactly what the third call in a warm session
# gives, with the parallel view worker and without it (max_parallel_workers = 0), on the
# generated benchmark schema (varied defaults, CHECKs and partial predicates) with views,
# a function and an expression index; and on a small database, which is read without the
# worker unless forced (pg_squash.view_worker_min_relations).
source "$(dirname "$0")/lib/tap.bash"
trap 'drop_test_databases' EXIT
db=e2e_fresh_session

new_database $db
ok $? "database created"
q -d $db -v schemas=3 -v tables=250 -v varied=true \
  -f "$SQUASH_SRC/scripts/bench/generate_schema.sql" >/dev/null
ok $? "the benchmark schema generated (3 x 250 tables, varied expressions)"
q -d $db >/dev/null <<'SQL'
CREATE TYPE bench_1.mood AS ENUM ('sad', 'ok');
CREATE VIEW bench_1.v AS SELECT t.id, t.label FROM bench_1.t1 t JOIN bench_1.t2 u USING (id) WHERE t.id > 3;
CREATE MATERIALIZED VIEW bench_2.mv AS SELECT count(*) AS n FROM bench_2.t1;
CREATE FUNCTION bench_1.f(m bench_1.mood) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1';
CREATE INDEX ON bench_1.t3 (bench_1.f('ok'), lower(label)) WHERE id > 0;
SQL
ok $? "with a view, a materialized view, a function and an expression index"
q -d $db -c "CREATE EXTENSION pg_squash" >/dev/null
ok $? "pg_squash installed"

# The worker whatever the size of pg_class (this schema is near the default threshold).
export PGOPTIONS='-c pg_squash.view_worker_min_relations=0'
fresh() { q -d $db "$@" -c "SELECT squash_fingerprint()" | tail -1; }
warm() {
  q -d $db "$@" -c "SELECT squash_fingerprint()" -c "SELECT squash_fingerprint()" \
    -c "SELECT squash_fingerprint()" | tail -1
}
f1=$(fresh)
diag "$(q -d $db -c "SET client_min_messages = debug1" -c "SELECT squash_fingerprint()" 2>&1 |
          grep -oE '[0-9]+ from the worker')"
like "$f1" '^[0-9a-f]{64}$' "a fingerprint from a new session"
is "$(fresh)" "$f1" "another new session: the same"
is "$(warm)" "$f1" "the third call in one session: the same"
is "$(fresh -c "SET max_parallel_workers = 0")" "$f1" "a new session without the parallel view worker"
is "$(warm -c "SET max_parallel_workers = 0")" "$f1" "a warm session without the parallel view worker"
mixed=$(q -d $db -c "SELECT squash_fingerprint()" -c "SET max_parallel_workers = 0" \
          -c "SELECT squash_fingerprint()" -c "RESET max_parallel_workers" -c "SELECT squash_fingerprint()" |
          grep -E '^[0-9a-f]{64}$' | sort -u)
is "$mixed" "$f1" "worker, no worker, worker again in one session: one fingerprint"
# Stored and read back in a new session, then compared with the live schema from yet another.
q -d $db -c "SELECT squash_snapshot('fresh')" >/dev/null
is "$(q -d $db -c "SELECT fingerprint FROM squash.snapshots WHERE label = 'fresh'")" "$f1" \
  "the stored snapshot carries the same fingerprint"
is "$(q -d $db -c "SELECT count(*) FROM squash_diff('fresh')")" "0" \
  "a new session diffs the stored snapshot against the live schema: no rows"

# A small database is read without the worker (pg_squash.view_worker_min_relations): the
# same fingerprint as with the worker forced and as with none at all, new session or warm.
unset PGOPTIONS
small=e2e_fresh_session_small
new_database $small
q -d $small -v schemas=1 -v tables=20 -v varied=true \
  -f "$SQUASH_SRC/scripts/bench/generate_schema.sql" >/dev/null
q -d $small -c "CREATE VIEW bench_1.v AS SELECT id FROM bench_1.t1 WHERE id > 2" \
  -c "CREATE EXTENSION pg_squash" >/dev/null
ok $? "a small database (20 tables, a view)"
db=$small
s1=$(fresh)
like "$s1" '^[0-9a-f]{64}$' "small: a fingerprint from a new session"
like "$(q -d $small -c "SET client_min_messages = debug1" -c "SELECT squash_fingerprint()" 2>&1)" \
  'no view worker: pg_class holds about' "small: read without the worker by default"
is "$(q -d $small -c "SET pg_squash.view_worker_min_relations = 0" \
       -c "SET client_min_messages = debug1" -c "SELECT squash_fingerprint()" 2>&1 |
       grep -c 'no view worker')" "0" "small: the worker when forced (view_worker_min_relations = 0)"
is "$(fresh -c "SET pg_squash.view_worker_min_relations = 0")" "$s1" \
  "small: a new session with the worker forced: the same"
is "$(warm -c "SET pg_squash.view_worker_min_relations = 0")" "$s1" \
  "small: a warm session with the worker forced: the same"
is "$(warm)" "$s1" "small: a warm session without the worker: the same"
is "$(fresh -c "SET max_parallel_workers = 0")" "$s1" "small: max_parallel_workers = 0: the same"

done_testing
