-- Data fingerprints: squash_data_fingerprint, squash_data_snapshot, squash_expect.
-- The same rows give the same hash whatever their order, storage or session settings;
-- any single change of any value gives another.
\set ON_ERROR_STOP 1
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
SELECT plan(87);

-- ---------------------------------------------------------------------------------------
-- Fixture: every type class, a dropped column in the middle, a TOASTed value.
-- ---------------------------------------------------------------------------------------
CREATE SCHEMA dfp;
CREATE TYPE dfp.mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN dfp.posint AS integer CHECK (VALUE > 0);
CREATE TYPE dfp.pair AS (name text, mood dfp.mood, at timestamptz, price numeric);
CREATE TABLE dfp.t (
  id bigint PRIMARY KEY, junk text, i int, n numeric(12, 2), tx text, vc varchar(20),
  jb jsonb, js json, ia int[], ta text[], ts timestamp, tz timestamptz, b bytea, u uuid,
  m dfp.mood, d dfp.posint, flag boolean, p dfp.pair, ma dfp.mood[], pa dfp.pair[],
  f8 float8, iv interval, tr tstzrange, rc regclass, big text
);
ALTER TABLE dfp.t DROP COLUMN junk;
INSERT INTO dfp.t VALUES
  (1, 10, 1.50, 'alpha', 'a', '{"k": 1, "l": [1, 2]}', '{"k":1}', '{1,2,3}', '{x,NULL,z}',
   '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05.123456+01', '\x00ff10',
   'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'happy', 7, true,
   ROW('p1', 'ok', '2024-05-06 07:08:09+00', 12.5), '{sad,happy}',
   ARRAY[ROW('q', 'sad', '2020-01-01 00:00:00+00', 1)::dfp.pair], 0.1, '1 day 02:03:04',
   '[2024-01-01,2024-02-01)', 'dfp.t', (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 2000) g)),
  (2, 20, 2.25, 'beta', 'b', '{"k": 2}', '[1, 2]', '[0:1]={4,5}', '{}', '1999-12-31 23:59:59',
   '1999-12-31 23:59:59-08', '\x', 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', 'sad', 1, false,
   ROW(NULL, NULL, NULL, NULL), '{}', '{}', '-0', '-1 mon', 'empty', 'pg_class', 'short'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

-- The same rows in another table: no dropped column, other insertion order, the big
-- value stored uncompressed.
CREATE TABLE dfp.t_copy (LIKE dfp.t);
ALTER TABLE dfp.t_copy ALTER COLUMN big SET STORAGE EXTERNAL;
INSERT INTO dfp.t_copy SELECT * FROM dfp.t ORDER BY id DESC;

CREATE TABLE dfp.two (a text, b text);
INSERT INTO dfp.two VALUES ('x', 'y'), ('x', 'y'), ('p', 'q');

CREATE FUNCTION pg_temp.fp(rel regclass) RETURNS text LANGUAGE sql AS
  $$SELECT hash FROM squash_data_fingerprint(ARRAY[rel])$$;
-- The hash of rel after stmt, with stmt undone again.
CREATE FUNCTION pg_temp.fp_after(rel regclass, stmt text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE h text;
BEGIN
  BEGIN
    EXECUTE stmt;
    h := pg_temp.fp(rel);
    RAISE EXCEPTION 'undo';
  EXCEPTION WHEN raise_exception THEN
    NULL;
  END;
  RETURN h;
END $$;
CREATE TEMP TABLE base AS SELECT pg_temp.fp('dfp.t') AS t, pg_temp.fp('dfp.two') AS two;

-- ---------------------------------------------------------------------------------------
-- Shape
-- ---------------------------------------------------------------------------------------
SELECT function_returns('public', 'squash_data_fingerprint', ARRAY['regclass[]'], 'setof record',
                        'squash_data_fingerprint(regclass[]) returns a set');
SELECT results_eq(
  $$SELECT relation, row_count FROM squash_data_fingerprint(ARRAY['dfp.t'::regclass])$$,
  $$VALUES ('dfp.t'::text, 3::bigint)$$, 'one row per table: qualified name and row count');
SELECT matches((SELECT base.t FROM base), '^[0-9a-f]{32}$', 'the hash is 32 hex digits');
SELECT is(pg_temp.fp('dfp.t'), (SELECT base.t FROM base), 'the same table hashes the same twice');

-- ---------------------------------------------------------------------------------------
-- Equal when the rows are equal
-- ---------------------------------------------------------------------------------------
SELECT is(pg_temp.fp('dfp.t_copy'), (SELECT base.t FROM base),
          'a copy hashes the same: row order, dropped columns and TOAST compression do not count');
SELECT is(pg_temp.fp_after('dfp.t', 'UPDATE dfp.t SET i = i'), (SELECT base.t FROM base),
          'rewriting rows with the same values changes nothing');
SET LOCAL TimeZone = 'Asia/Kathmandu';
SET LOCAL DateStyle = 'SQL, DMY';
SET LOCAL IntervalStyle = 'sql_standard';
SET LOCAL extra_float_digits = 0;
SET LOCAL bytea_output = 'escape';
SELECT is(pg_temp.fp('dfp.t'), (SELECT base.t FROM base),
          'session settings (TimeZone, DateStyle, IntervalStyle, float digits, bytea_output) do not count');
SELECT is(current_setting('TimeZone') || ' ' || current_setting('DateStyle'),
          'Asia/Kathmandu SQL, DMY', 'and the caller''s settings are left as they were');
RESET TimeZone; RESET DateStyle; RESET IntervalStyle; RESET extra_float_digits; RESET bytea_output;
-- Any table gets parallel workers with min_parallel_table_scan_size = 0: the output
-- functions of enums, composites and ranges then run in the workers.
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL TimeZone = 'Asia/Kathmandu';
SELECT is(pg_temp.fp('dfp.t'), (SELECT base.t FROM base), 'a parallel scan gives the serial hash');
SET LOCAL max_parallel_workers = 0;
SELECT is(pg_temp.fp('dfp.t'), (SELECT base.t FROM base),
          'a parallel scan that gets no worker gives the serial hash');
RESET max_parallel_workers; RESET max_parallel_workers_per_gather; RESET min_parallel_table_scan_size;
RESET TimeZone;
SELECT is(pg_temp.fp_after('dfp.t', $$ALTER TABLE dfp.t ALTER COLUMN vc TYPE varchar(30)$$),
          (SELECT base.t FROM base), 'a type change that keeps every value keeps the hash');

-- ---------------------------------------------------------------------------------------
-- Different after any single change
-- ---------------------------------------------------------------------------------------
CREATE FUNCTION pg_temp.changes(stmt text, what text) RETURNS text LANGUAGE sql AS $$
  SELECT isnt(pg_temp.fp_after('dfp.t', stmt), (SELECT base.t FROM base), what)
$$;
SELECT pg_temp.changes('UPDATE dfp.t SET i = 11 WHERE id = 1', 'one integer updated');
SELECT pg_temp.changes('DELETE FROM dfp.t WHERE id = 2', 'one row deleted');
SELECT pg_temp.changes('INSERT INTO dfp.t (id) VALUES (4)', 'one row inserted');
SELECT pg_temp.changes('DELETE FROM dfp.t WHERE id = 3', 'the all-NULL row deleted');
SELECT pg_temp.changes($$UPDATE dfp.t SET tx = CASE id WHEN 1 THEN 'beta' ELSE 'alpha' END WHERE id IN (1, 2)$$,
                       'two values swapped between rows');
SELECT pg_temp.changes('UPDATE dfp.t SET i = d, d = i WHERE id = 1',
                       'two values swapped between columns of one row');
SELECT pg_temp.changes($$UPDATE dfp.t SET tx = '' WHERE id = 3$$, 'NULL became an empty string');
SELECT pg_temp.changes($$UPDATE dfp.t SET vc = 'a ' WHERE id = 1$$, 'a trailing space');
SELECT pg_temp.changes($$UPDATE dfp.t SET big = overlay(big placing 'X' from 30000 for 1) WHERE id = 1$$,
                       'a TOASTed value changed by one byte');
SELECT pg_temp.changes($$UPDATE dfp.t SET big = big || ' ' WHERE id = 1$$,
                       'a TOASTed value one byte longer');
SELECT pg_temp.changes('UPDATE dfp.t SET n = 1.51 WHERE id = 1', 'numeric changed by 0.01');
SELECT pg_temp.changes($$UPDATE dfp.t SET jb = '{"k": 1, "l": [2, 1]}' WHERE id = 1$$, 'jsonb array order');
SELECT pg_temp.changes($$UPDATE dfp.t SET js = '{"k": 1}' WHERE id = 1$$, 'json whitespace');
SELECT pg_temp.changes($$UPDATE dfp.t SET ia = '{1,2,4}' WHERE id = 1$$, 'an integer array element');
SELECT pg_temp.changes($$UPDATE dfp.t SET ia = '[1:2]={4,5}' WHERE id = 2$$, 'an array lower bound');
SELECT pg_temp.changes($$UPDATE dfp.t SET ta = '{x,"NULL",z}' WHERE id = 1$$, 'array NULL element vs the string NULL');
SELECT pg_temp.changes($$UPDATE dfp.t SET ta = '{{x,y}}' WHERE id = 2$$, 'array dimensions');
SELECT pg_temp.changes($$UPDATE dfp.t SET ts = ts + interval '1 microsecond' WHERE id = 1$$,
                       'timestamp by one microsecond');
SELECT pg_temp.changes($$UPDATE dfp.t SET tz = tz + interval '1 microsecond' WHERE id = 1$$,
                       'timestamptz by one microsecond');
SELECT pg_temp.changes($$UPDATE dfp.t SET b = '\x00ff11' WHERE id = 1$$, 'one bytea byte');
SELECT pg_temp.changes($$UPDATE dfp.t SET u = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12' WHERE id = 1$$, 'uuid');
SELECT pg_temp.changes($$UPDATE dfp.t SET m = 'ok' WHERE id = 1$$, 'an enum value');
SELECT pg_temp.changes($$UPDATE dfp.t SET d = 8 WHERE id = 1$$, 'a domain value');
SELECT pg_temp.changes('UPDATE dfp.t SET flag = NOT flag WHERE id = 1', 'a boolean');
SELECT pg_temp.changes($$UPDATE dfp.t SET p.mood = 'happy' WHERE id = 1$$, 'an enum inside a composite');
SELECT pg_temp.changes($$UPDATE dfp.t SET p.price = 12.50 WHERE id = 1$$, 'numeric scale inside a composite');
SELECT pg_temp.changes($$UPDATE dfp.t SET ma = '{happy,sad}' WHERE id = 1$$, 'an enum array order');
SELECT pg_temp.changes($$UPDATE dfp.t SET pa[1].name = 'r' WHERE id = 1$$, 'a field in a composite array');
SELECT pg_temp.changes('UPDATE dfp.t SET f8 = 0.0 WHERE id = 2', 'float8 -0 vs 0');
SELECT pg_temp.changes($$UPDATE dfp.t SET iv = '1 day 02:03:05' WHERE id = 1$$, 'interval');
SELECT pg_temp.changes($$UPDATE dfp.t SET tr = '[2024-01-01,2024-02-01]' WHERE id = 1$$, 'range bound');
SELECT pg_temp.changes($$UPDATE dfp.t SET rc = 'dfp.two' WHERE id = 1$$, 'regclass');
SELECT pg_temp.changes($$ALTER TYPE dfp.mood RENAME VALUE 'happy' TO 'glad'$$,
                       'renaming an enum label (enums hash by label, not by OID)');
SELECT isnt(pg_temp.fp_after('dfp.two', $$UPDATE dfp.two SET a = b, b = a WHERE a = 'p'$$),
            (SELECT two FROM base), 'two text values swapped within a row');
SELECT isnt(pg_temp.fp_after('dfp.two', $$DELETE FROM dfp.two WHERE ctid = (SELECT min(ctid) FROM dfp.two WHERE a = 'x')$$),
            (SELECT two FROM base), 'one of two identical rows deleted');
SELECT isnt(pg_temp.fp_after('dfp.two', $$INSERT INTO dfp.two VALUES ('p', 'q')$$),
            (SELECT two FROM base), 'an identical row inserted');
SELECT isnt(pg_temp.fp_after('dfp.two', $$UPDATE dfp.two SET a = 'xy', b = '' WHERE a = 'p'$$),
            (SELECT two FROM base), 'bytes moved across a column boundary');

-- Empty tables: count 0, a fixed hash; any content differs from it.
CREATE TABLE dfp.empty1 (a int);
CREATE TABLE dfp.empty2 (b text, c jsonb);
SELECT is(pg_temp.fp('dfp.empty1'), pg_temp.fp('dfp.empty2'), 'empty tables hash alike');
SELECT isnt(pg_temp.fp_after('dfp.empty1', 'INSERT INTO dfp.empty1 VALUES (NULL)'),
            pg_temp.fp('dfp.empty1'), 'a row of NULLs is not an empty table');

-- ---------------------------------------------------------------------------------------
-- Scope: which tables, named how, in what order
-- ---------------------------------------------------------------------------------------
CREATE TABLE dfp.parted (k int, v text) PARTITION BY RANGE (k);
CREATE TABLE dfp.parted_a PARTITION OF dfp.parted FOR VALUES FROM (0) TO (10);
CREATE TABLE dfp.parted_b PARTITION OF dfp.parted FOR VALUES FROM (10) TO (20)
  PARTITION BY RANGE (k);
CREATE TABLE dfp.parted_b1 PARTITION OF dfp.parted_b FOR VALUES FROM (10) TO (20);
INSERT INTO dfp.parted VALUES (1, 'one'), (2, 'two'), (15, 'fifteen');
SELECT results_eq(
  $$SELECT relation, row_count FROM squash_data_fingerprint(ARRAY['dfp.parted'::regclass])$$,
  $$VALUES ('dfp.parted_a'::text, 2::bigint), ('dfp.parted_b1', 1)$$,
  'a partitioned table stands for its leaf partitions');
CREATE SCHEMA "Mixed.Case";
CREATE TABLE "Mixed.Case"."Odd Name" (x int);
CREATE TABLE dfp.alembic_version (version_num varchar(32) PRIMARY KEY);
CREATE TEMP TABLE scratch (x int);
CREATE VIEW dfp.v AS SELECT 1 AS one;
CREATE MATERIALIZED VIEW dfp.mv AS SELECT id FROM dfp.t;
CREATE MATERIALIZED VIEW dfp.mv_empty AS SELECT 1 AS one WITH NO DATA;
CREATE TEMP TABLE everything AS SELECT * FROM squash_data_fingerprint();
SELECT set_has($$SELECT relation FROM everything$$,
  $$VALUES ('dfp.t'), ('dfp.t_copy'), ('dfp.two'), ('dfp.parted_a'), ('dfp.parted_b1'),
           ('"Mixed.Case"."Odd Name"')$$,
  'the default scope has every user table and leaf partition, names quoted');
SELECT is((SELECT count(*)::int FROM everything
            WHERE relation IN ('dfp.parted', 'dfp.parted_b', 'dfp.alembic_version', 'dfp.v',
                               'dfp.mv', 'dfp.mv_empty')
               OR relation LIKE 'squash.%' OR relation LIKE 'pg\_%'), 0,
          'and no partitioned parent, version table, view, materialized view, squash or temp table');
SELECT is((SELECT array_agg(relation) FROM everything),
          (SELECT array_agg(relation ORDER BY relation COLLATE "C") FROM everything),
          'rows come sorted by relation');
SELECT is((SELECT hash FROM everything WHERE relation = 'dfp.t'), (SELECT base.t FROM base),
          'the default scope hashes like a named table');
SELECT is((SELECT count(*)::int FROM squash_data_fingerprint(ARRAY['dfp.t', 'dfp.t', 'dfp.two']::regclass[])),
          2, 'a table named twice is reported once');
SELECT is((SELECT count(*)::int FROM squash_data_fingerprint(ARRAY[]::regclass[])), 0,
          'an empty list gives no rows');
SELECT is((SELECT row_count FROM squash_data_fingerprint(ARRAY['dfp.mv'::regclass])), 3::bigint,
          'a materialized view can be named');
SELECT throws_ok($$SELECT * FROM squash_data_fingerprint(ARRAY['dfp.mv_empty'::regclass])$$,
                 '55000', NULL, 'an unpopulated materialized view is refused');
SELECT throws_ok($$SELECT * FROM squash_data_fingerprint(ARRAY['dfp.v'::regclass])$$,
                 '42809', 'pg_squash: dfp.v is not a table', 'a view is refused');
SELECT throws_ok($$SELECT * FROM squash_data_fingerprint(ARRAY['dfp.t_pkey'::regclass])$$,
                 '42809', NULL, 'an index is refused');
SELECT throws_ok($$SELECT * FROM squash_data_fingerprint(ARRAY['dfp.t', NULL]::regclass[])$$,
                 '22004', NULL, 'a NULL in the list is refused');
SELECT is((SELECT count(*)::int FROM pg_locks
            WHERE locktype = 'relation' AND pid = pg_backend_pid() AND mode = 'AccessShareLock'
              AND relation = 'dfp.t_copy'::regclass), 1,
          'each table stays locked with AccessShareLock, as after a SELECT');

-- ---------------------------------------------------------------------------------------
-- Privileges
-- ---------------------------------------------------------------------------------------
CREATE ROLE dfp_nobody;
CREATE ROLE dfp_admin IN ROLE squash_admin;
GRANT USAGE ON SCHEMA dfp TO dfp_admin;
GRANT SELECT ON dfp.two TO dfp_admin;
CREATE TABLE dfp.secret (x int);
ALTER TABLE dfp.secret ENABLE ROW LEVEL SECURITY;
CREATE POLICY none_for_you ON dfp.secret USING (false);
GRANT SELECT ON dfp.secret TO dfp_admin;
SELECT ok(NOT has_function_privilege('public', 'squash_data_fingerprint(regclass[])', 'EXECUTE')
          AND NOT has_function_privilege('public', 'squash_data_snapshot(text)', 'EXECUTE')
          AND NOT has_function_privilege('public', 'squash_expect(regclass, bigint)', 'EXECUTE'),
          'PUBLIC may not run the data functions');
SET LOCAL ROLE dfp_nobody;
SELECT throws_ok($$SELECT * FROM squash_data_fingerprint(ARRAY['dfp.two'::regclass])$$, '42501',
                 NULL, 'a role outside squash_admin may not fingerprint');
RESET ROLE;
SET LOCAL ROLE dfp_admin;
SELECT is((SELECT row_count FROM squash_data_fingerprint(ARRAY['dfp.two'::regclass])), 3::bigint,
          'squash_admin with SELECT may');
SELECT throws_ok($$SELECT * FROM squash_data_fingerprint(ARRAY['dfp.t'::regclass])$$, '42501',
                 'permission denied for table t', 'a table without SELECT is refused');
SELECT throws_ok($$SELECT * FROM squash_data_fingerprint(ARRAY['dfp.secret'::regclass])$$,
                 '42501', 'pg_squash: row-level security applies to dfp.secret for the current role',
                 'a table whose row-level security applies is refused');
RESET ROLE;

-- ---------------------------------------------------------------------------------------
-- Cancel
-- ---------------------------------------------------------------------------------------
CREATE TABLE dfp.large AS SELECT g AS id, g::text AS t FROM generate_series(1, 1000000) g;
CREATE FUNCTION pg_temp.scan(rel regclass, OUT outcome text, OUT ms float8) LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
  PERFORM squash_data_fingerprint(ARRAY[rel]);
  outcome := 'finished';
  ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
EXCEPTION WHEN query_canceled THEN
  outcome := 'cancelled';
  ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
END $$;
CREATE TEMP TABLE full_scan AS SELECT * FROM pg_temp.scan('dfp.large');
SET LOCAL max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial_hash AS SELECT hash FROM squash_data_fingerprint('{dfp.large}');
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL parallel_leader_participation = off;
CREATE TEMP TABLE workers_hash AS SELECT hash FROM squash_data_fingerprint('{dfp.large}');
RESET parallel_leader_participation;
SELECT is((SELECT hash FROM squash_data_fingerprint('{dfp.large}')), (SELECT hash FROM serial_hash),
          '1,000,000 rows: parallel workers with the leader give the serial hash');
SELECT is((SELECT hash FROM workers_hash), (SELECT hash FROM serial_hash),
          'parallel workers alone give the serial hash');
SET LOCAL TimeZone = 'Asia/Kathmandu';
SET LOCAL statement_timeout = '20ms';
CREATE TEMP TABLE cancelled_scan AS SELECT * FROM pg_temp.scan('dfp.large');
SET LOCAL statement_timeout = 0;
SELECT is((SELECT outcome FROM full_scan), 'finished', 'a scan of 1,000,000 rows');
SELECT is((SELECT outcome FROM cancelled_scan), 'cancelled', 'can be cancelled (statement_timeout)');
SELECT cmp_ok((SELECT ms FROM cancelled_scan), '<', (SELECT ms / 2 FROM full_scan),
              'in the middle of the scan, not after it');
SELECT is(current_setting('TimeZone'), 'Asia/Kathmandu',
          'after a cancel the caller''s settings are back');
RESET TimeZone;

-- ---------------------------------------------------------------------------------------
-- squash_data_snapshot
-- ---------------------------------------------------------------------------------------
SELECT is(squash_data_snapshot('before'), (SELECT count(*)::int FROM squash_data_fingerprint()),
          'squash_data_snapshot returns the number of tables');
SELECT set_eq($$SELECT relation, row_count, hash FROM squash.data_snapshots WHERE label = 'before'$$,
              $$SELECT relation, row_count, hash FROM squash_data_fingerprint()$$,
              'it stores the fingerprint of every table');
SELECT is((SELECT count(DISTINCT taken_at)::int FROM squash.data_snapshots WHERE label = 'before'), 1,
          'with one taken_at');
SELECT throws_ok($$SELECT squash_data_snapshot('before')$$, '42710',
                 'pg_squash: a data snapshot labelled ''before'' already exists',
                 'an existing label is refused');
SELECT throws_ok($$SELECT squash_data_snapshot(' padded')$$, '22023', NULL, 'a bad label is refused');
SELECT throws_ok($$SELECT squash_data_snapshot(NULL)$$, '22004', NULL, 'a NULL label is refused');

-- ---------------------------------------------------------------------------------------
-- squash_expect
-- ---------------------------------------------------------------------------------------
SELECT lives_ok($$SELECT squash_expect('"Mixed.Case"."Odd Name"', 5)$$, 'squash_expect records');
SELECT lives_ok($$SELECT squash_expect('"Mixed.Case"."Odd Name"', 7)$$, 'and updates');
SELECT results_eq($$SELECT relation, min_rows FROM squash.expectations$$,
                  $$VALUES ('"Mixed.Case"."Odd Name"'::text, 7::bigint)$$,
                  'one expectation per relation, stored by qualified name');
SELECT throws_ok($$SELECT squash_expect('dfp.t', -1)$$, '22023', NULL, 'min_rows below 0 is refused');
SELECT throws_ok($$SELECT squash_expect('dfp.t', NULL)$$, '22004', NULL, 'NULL min_rows is refused');
SELECT throws_ok($$SELECT squash_expect('dfp.v', 1)$$, '42809', NULL, 'a view is refused');
SELECT lives_ok($$SELECT squash_expect('dfp.parted', 3)$$, 'a partitioned table can be expected');

SELECT * FROM finish();
ROLLBACK;
