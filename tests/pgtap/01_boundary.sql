-- The C++/PostgreSQL boundary: errors cross it both ways as ordinary ERRORs, C++ objects
-- unwind, memory does not grow, and neither this session nor any other is disturbed.
\set ON_ERROR_STOP 1
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS dblink;
CREATE EXTENSION IF NOT EXISTS pg_squash;
SELECT plan(23);

-- A second session, opened before anything is thrown, must still be the same afterwards.
CREATE TEMP TABLE before AS
SELECT pg_postmaster_start_time() AS started, pg_backend_pid() AS pid,
       dblink_connect('other', format('host=%s port=%s dbname=%s user=%s',
                                      split_part(current_setting('unix_socket_directories'), ',', 1),
                                      current_setting('port'), current_database(), current_user)) AS conn,
       (SELECT p FROM dblink('other', 'SELECT pg_backend_pid()') AS t(p int)) AS other_pid;

SELECT throws_ok($$SELECT squash.boundary_selftest('cpp')$$, 'XX000',
  'pg_squash: internal error: selftest: C++ exception thrown on purpose',
  'a C++ exception becomes an ordinary ERROR with a clear message');
SELECT throws_ok($$SELECT squash.boundary_selftest('pg')$$, '22P02',
  'invalid input syntax for type integer: "not a number"',
  'a PostgreSQL error inside a wrapped call surfaces as the original ERROR, SQLSTATE kept');
SELECT throws_ok($$SELECT squash.boundary_selftest('squash')$$, '22000',
  'selftest: pg_squash error', 'pg_squash''s own error keeps its SQLSTATE');
SELECT is(squash.boundary_selftest('live'), 0::bigint,
          'the C++ objects alive at each error were destroyed');

-- DETAIL and HINT survive the crossing.
CREATE FUNCTION pg_temp.error_fields(OUT detail text, OUT hint text) LANGUAGE plpgsql AS $$
BEGIN
  PERFORM squash.boundary_selftest('squash');
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END $$;
SELECT is((pg_temp.error_fields()).detail, 'the detail', 'DETAIL is kept');
SELECT is((pg_temp.error_fields()).hint, 'the hint', 'HINT is kept');

-- Memory: warm up (plan caches, plpgsql compile), then 10,000 of each kind.
CREATE FUNCTION pg_temp.hammer(n int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE caught int := 0;
BEGIN
  FOR i IN 1..n LOOP
    BEGIN PERFORM squash.boundary_selftest('cpp'); EXCEPTION WHEN internal_error THEN caught := caught + 1; END;
    BEGIN PERFORM squash.boundary_selftest('pg'); EXCEPTION WHEN invalid_text_representation THEN caught := caught + 1; END;
  END LOOP;
  RETURN caught;
END $$;
CREATE FUNCTION pg_temp.context_bytes() RETURNS bigint LANGUAGE sql AS
  $$SELECT sum(total_bytes)::bigint FROM pg_backend_memory_contexts$$;
CREATE FUNCTION pg_temp.rss_kb() RETURNS bigint LANGUAGE sql AS $$
  SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmRSS:\s+(\d+)'))[1]::bigint
$$;
SELECT is(pg_temp.hammer(1000), 2000, 'warm-up: 1,000 of each error caught');
CREATE TEMP TABLE mem AS SELECT pg_temp.context_bytes() AS ctx, pg_temp.rss_kb() AS rss;
SELECT is(pg_temp.hammer(10000), 20000, '10,000 C++ exceptions and 10,000 PostgreSQL errors caught');
SELECT cmp_ok(pg_temp.context_bytes() - ctx, '<', 65536::bigint,
              'PostgreSQL memory contexts did not grow (bytes: ' || (pg_temp.context_bytes() - ctx) || ')')
  FROM mem;
-- Each error leaves 16 KiB of C++ heap alive while it is raised: 320 MB if it leaked.
SELECT cmp_ok(pg_temp.rss_kb() - rss, '<', 16384::bigint,
              'the backend''s resident memory did not grow (kB: ' || (pg_temp.rss_kb() - rss) || ')')
  FROM mem;
SELECT is(squash.boundary_selftest('live'), 0::bigint, 'no C++ object outlived its error');

-- Nothing restarted: same postmaster, same backend, the other session still answers.
SELECT is(pg_postmaster_start_time(), started, 'the postmaster did not restart') FROM before;
SELECT is(pg_backend_pid(), pid, 'this session is the same backend') FROM before;
SELECT is((SELECT p FROM dblink('other', 'SELECT pg_backend_pid()') AS t(p int)), other_pid,
          'the other session survived and is the same backend') FROM before;
SELECT is((SELECT n FROM dblink('other', 'SELECT count(*) FROM pg_class') AS t(n bigint)) > 0, true,
          'the other session still runs queries');

-- Bad input to the self-test is an error too, not a crash.
SELECT throws_ok($$SELECT squash.boundary_selftest('nonsense')$$, '22023', NULL,
                 'an unknown mode is a clear error');
SELECT is(squash.boundary_selftest(NULL), NULL, 'NULL input returns NULL (STRICT)');

-- A result made while the function still had SPI open must outlive it: PL/pgSQL keeps
-- the argument it is given (squash_fingerprint() once handed it freed memory, and the
-- backend crashed). Without parallel workers, as that crash needed.
SET LOCAL max_parallel_workers = 0;
CREATE FUNCTION pg_temp.keep_text(t text) RETURNS text LANGUAGE plpgsql AS $$BEGIN RETURN t; END$$;
CREATE FUNCTION pg_temp.keep_jsonb(j jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$BEGIN RETURN j; END$$;
CREATE SCHEMA boundary_app;
CREATE TABLE boundary_app.t (id int PRIMARY KEY, v text DEFAULT 'x');
SELECT is(pg_temp.keep_text(squash_fingerprint('{boundary_app}')), squash_fingerprint('{boundary_app}'),
  'squash_fingerprint() kept by a PL/pgSQL function');
SELECT is(pg_temp.keep_text(squash_snapshot('boundary_a', '{boundary_app}')), squash_fingerprint('{boundary_app}'),
  'squash_snapshot() likewise');
SELECT is(pg_temp.keep_jsonb(squash_snapshot_export('boundary_a'))->>'fingerprint', squash_fingerprint('{boundary_app}'),
  'squash_snapshot_export() likewise');
SELECT is(pg_temp.keep_text(squash_snapshot_import(squash_snapshot_export('boundary_a'), 'boundary_b')),
  squash_fingerprint('{boundary_app}'), 'squash_snapshot_import() likewise');
SELECT is(jsonb_typeof(pg_temp.keep_jsonb(squash_diff_json('boundary_a'))), 'object',
  'squash_diff_json() likewise');
SELECT ok(strpos(pg_temp.keep_text(squash_generate_migration(format => 'sql', schemas => '{boundary_app}')),
  'CREATE TABLE boundary_app.t') > 0, 'squash_generate_migration() likewise');

SELECT dblink_disconnect('other');
SELECT * FROM finish();
ROLLBACK;
