#!/usr/bin/env bash
# A data fingerprint scanned by PostgreSQL's parallel workers equals the serial one: the
# same table (built-in types, enums, composites and ranges that go through output
# functions in the workers, TOASTed values, a dropped column) hashed with workers, without
# any (max_parallel_workers = 0, max_parallel_workers_per_gather = 0), with the leader
# only waiting (parallel_leader_participation = off), in a fresh session and a warm one.
# DEBUG1 shows how many workers took part, so the test knows workers really ran.
source "$(dirname "$0")/lib/tap.bash"
trap 'drop_test_databases' EXIT
db=e2e_datafp_parallel

new_database $db
ok $? "database created"
q -d $db >/dev/null <<'SQL'
CREATE EXTENSION pg_squash;
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE app.pair AS (name text, mood app.mood, at timestamptz);
CREATE TABLE app.mixed (
  id bigint NOT NULL, gone text, name text, qty integer, price numeric(12, 2), attrs jsonb,
  created timestamptz, m app.mood, p app.pair, r int4range, tags text[], big text
);
ALTER TABLE app.mixed DROP COLUMN gone;
INSERT INTO app.mixed
SELECT g, 'item ' || substr(md5(g::text), 1, 16), (g % 1000)::int, (g % 1000003) / 100.0,
       jsonb_build_object('g', g, 'tag', 't' || (g % 17), 'ok', g % 3 = 0),
       timestamptz '2020-01-01 00:00:00+00' + g * interval '1 second',
       (ARRAY['sad', 'ok', 'happy']::app.mood[])[g % 3 + 1],
       ROW('n' || g, 'ok', timestamptz '2024-05-06 07:08:09+00' + g * interval '1 second')::app.pair,
       int4range(g, g + 10), ARRAY['a' || g, NULL],
       CASE WHEN g % 5000 = 0 THEN (SELECT string_agg(md5((g + k)::text), '') FROM generate_series(1, 300) k) END
  FROM generate_series(1, 60000) g;
ANALYZE app.mixed;
SQL
ok $? "a table of 60,000 mixed rows"

# fp SETTINGS...: "hash workers" from a new session (workers: the DEBUG1 count launched).
fp() {
  local out hash launched
  out=$(q -d $db "$@" -c "SET min_parallel_table_scan_size = '64kB'" -c "SET client_min_messages = debug1" \
          -c "SELECT hash FROM squash_data_fingerprint('{app.mixed}')" 2>&1)
  hash=$(grep -E '^[0-9a-f]{32}$' <<<"$out")
  launched=$(sed -nE 's/.*data fingerprint of mixed: [0-9]+ parallel workers planned, ([0-9]+) launched.*/\1/p' <<<"$out")
  echo "$hash ${launched:-?}"
}
serial=$(fp -c "SET max_parallel_workers_per_gather = 0")
no_workers=$(fp -c "SET max_parallel_workers = 0")
parallel=$(fp -c "SET max_parallel_workers_per_gather = 2")
waiting=$(fp -c "SET max_parallel_workers_per_gather = 2" -c "SET parallel_leader_participation = off")
diag "serial: $serial" "no workers: $no_workers" "parallel: $parallel" "leader waiting: $waiting"
like "$serial" '^[0-9a-f]{32} 0$' "serial scan: no worker"
like "$no_workers" '^[0-9a-f]{32} 0$' "max_parallel_workers = 0: the leader scans alone"
like "$parallel" '^[0-9a-f]{32} [1-9]$' "parallel scan: workers launched"
like "$waiting" '^[0-9a-f]{32} [1-9]$' "leader not participating: workers launched"
is "${parallel% *}" "${serial% *}" "parallel workers give the serial fingerprint"
is "${no_workers% *}" "${serial% *}" "a parallel scan without workers gives the serial fingerprint"
is "${waiting% *}" "${serial% *}" "workers alone give the serial fingerprint"

# Settings the output functions would feel are pinned in the workers too.
odd=$(fp -c "SET max_parallel_workers_per_gather = 2" -c "SET TimeZone = 'Asia/Kathmandu'" \
        -c "SET DateStyle = 'SQL, DMY'" -c "SET extra_float_digits = -3")
is "${odd% *}" "${serial% *}" "other TimeZone, DateStyle, extra_float_digits: the same fingerprint"

# A warm session (the second call) gives what a fresh one gave.
warm=$(q -d $db -c "SET min_parallel_table_scan_size = '64kB'" \
         -c "SELECT hash FROM squash_data_fingerprint('{app.mixed}')" \
         -c "SELECT hash FROM squash_data_fingerprint('{app.mixed}')" | tail -1)
is "$warm" "${serial% *}" "a warm session gives the same fingerprint"

# Rows written in the calling transaction are seen by the workers as by the leader.
in_tx=$(q -d $db -c "SET min_parallel_table_scan_size = '64kB'" -c "BEGIN" \
          -c "DELETE FROM app.mixed WHERE id % 7 = 0" \
          -c "SELECT hash FROM squash_data_fingerprint('{app.mixed}')" \
          -c "SET LOCAL max_parallel_workers_per_gather = 0" \
          -c "SELECT hash FROM squash_data_fingerprint('{app.mixed}')" -c "ROLLBACK" | grep -E '^[0-9a-f]{32}$')
is "$(sort -u <<<"$in_tx" | wc -l)" "1" "uncommitted changes: parallel and serial agree"
isnt_serial=$(head -1 <<<"$in_tx")
[ "$isnt_serial" != "${serial% *}" ]
ok $? "uncommitted changes are part of the fingerprint"

# A worker's error reaches the caller, and the session goes on.
err=$(q -d $db -c "SET min_parallel_table_scan_size = '64kB'" -c "SET statement_timeout = '1ms'" \
        -c "SELECT hash FROM squash_data_fingerprint('{app.mixed}')" 2>&1)
like "$err" 'canceling statement due to statement timeout' "a cancelled parallel scan is an error"
is "$(fp -c "SET max_parallel_workers_per_gather = 2" | cut -d' ' -f1)" "${serial% *}" "and the next call works"

done_testing
