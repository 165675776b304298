-- squash_stamp / squash_unstamp: the guard, the rejections, the history, the version table.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
SELECT plan(43);

CREATE SCHEMA app;
CREATE TABLE app.genes (id bigint PRIMARY KEY, symbol text NOT NULL DEFAULT 'x');
CREATE TABLE public.alembic_version (version_num varchar(32) NOT NULL,
  CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
INSERT INTO public.alembic_version VALUES ('a1b2c3d4e5f6');
SELECT squash_snapshot('expected');

-- Revision ids are checked before anything changes.
SELECT throws_ok($$SELECT squash_stamp(NULL, 'expected')$$, '22023',
  'pg_squash: invalid revision id: it is NULL', 'NULL revision rejected');
SELECT throws_ok($$SELECT squash_stamp('', 'expected')$$, '22023',
  'pg_squash: invalid revision id: it is empty', 'empty revision rejected');
SELECT throws_ok($$SELECT squash_stamp('abc def', 'expected')$$, '22023',
  'pg_squash: invalid revision id: it contains whitespace or a control character',
  'revision with a space rejected');
SELECT throws_ok($$SELECT squash_stamp(E'abc\ndef', 'expected')$$, '22023', NULL,
  'revision with a newline rejected');
SELECT throws_ok($$SELECT squash_stamp(E'abc\tdef', 'expected')$$, '22023', NULL,
  'revision with a tab rejected');
SELECT throws_ok($$SELECT squash_stamp(E'abc\u00a0def', 'expected')$$, '22023', NULL,
  'revision with a no-break space rejected');
SELECT throws_ok($$SELECT squash_stamp(repeat('a', 33), 'expected')$$, '22023',
  'pg_squash: invalid revision id: it is 33 characters long; version_num holds 32',
  'revision longer than the column rejected');
SELECT throws_ok($$SELECT squash_stamp('x''); DROP TABLE app.genes; --', 'expected')$$, '22023', NULL,
  'injection attempt rejected as an id');
SELECT lives_ok($$SELECT squash_stamp(repeat('a', 32), 'expected')$$, 'a 32-character id fits');
SELECT is(squash_unstamp(), 'a1b2c3d4e5f6', 'and is undone again');
SELECT results_eq('SELECT version_num::text FROM public.alembic_version', ARRAY['a1b2c3d4e5f6'],
  'the version table is back as it was');
SELECT has_table('app', 'genes', 'nothing was dropped');

-- No guard: refused unless forced.
SELECT throws_ok($$SELECT squash_stamp('000_squashed_complete')$$, '55000',
  'pg_squash: refusing to stamp without an expectation', 'no expectation, no stamp');
SELECT results_eq('SELECT version_num::text FROM public.alembic_version', ARRAY['a1b2c3d4e5f6'],
  'a refused stamp changes nothing');

-- A matching guard, by label and by fingerprint.
SELECT is(squash_stamp('000_squashed_complete', expect => 'expected'), 'a1b2c3d4e5f6',
  'a stamp guarded by a matching snapshot returns what was there before');
SELECT results_eq('SELECT version_num::text FROM public.alembic_version',
  ARRAY['000_squashed_complete'], 'exactly one row: the new revision');
SELECT row_eq($$SELECT revision, previous, expectation, forced, table_created, undone_at IS NULL
                 FROM squash.stamp_history ORDER BY id DESC LIMIT 1$$,
  ROW('000_squashed_complete'::text, ARRAY['a1b2c3d4e5f6']::text[], 'expected'::text, false, false, true),
  'the history records revision, previous rows, expectation, not forced');
SELECT ok((SELECT stamped_by = session_user AND live_fingerprint = expected_fingerprint
             AND expected_fingerprint = (SELECT fingerprint FROM squash.snapshots WHERE label = 'expected')
             AND stamped_at IS NOT NULL
           FROM squash.stamp_history ORDER BY id DESC LIMIT 1),
  'the history records who, when and both fingerprints');
SELECT is(squash_unstamp(), 'a1b2c3d4e5f6', 'unstamp restores the previous revision');
SELECT throws_ok($$SELECT squash_unstamp()$$, '55000', NULL, 'unstamping twice is an error');
SELECT results_eq('SELECT version_num::text FROM public.alembic_version', ARRAY['a1b2c3d4e5f6'],
  'and the second unstamp changed nothing');
SELECT lives_ok(format($$SELECT squash_stamp('000_squashed_complete', %L)$$,
                       (SELECT fingerprint FROM squash.snapshots WHERE label = 'expected')),
  'a bare fingerprint works as the expectation');
SELECT squash_unstamp();

-- A mismatch refuses, names the difference, changes nothing.
ALTER TABLE app.genes ALTER COLUMN symbol DROP DEFAULT;
SELECT throws_like($$SELECT squash_stamp('000_squashed_complete', 'expected')$$,
  'pg_squash: refusing to stamp: the live schema differs from snapshot ''expected''',
  'a drifted schema is refused');
CREATE FUNCTION pg_temp.stamp_error(OUT detail text, OUT hint text) LANGUAGE plpgsql AS $$
BEGIN
  PERFORM squash_stamp('000_squashed_complete', 'expected');
EXCEPTION WHEN object_not_in_prerequisite_state THEN
  GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END $$;
SELECT matches((pg_temp.stamp_error()).detail, '1 difference.*column app\.genes\.symbol changed: .*default',
  'the DETAIL names the column whose default was lost');
SELECT matches((pg_temp.stamp_error()).hint, 'squash_diff\(''expected''\)', 'the HINT says how to see all');
SELECT throws_like(format($$SELECT squash_stamp('000_squashed_complete', %L)$$,
                          (SELECT fingerprint FROM squash.snapshots WHERE label = 'expected')),
  '%does not match the expected fingerprint%', 'a mismatched bare fingerprint is refused');
SELECT throws_like($$SELECT squash_stamp('000_squashed_complete', 'expected', force => true)$$,
  '%differs from snapshot%', 'force does not override a failed guard');
SELECT results_eq('SELECT version_num::text FROM public.alembic_version', ARRAY['a1b2c3d4e5f6'],
  'refused stamps left the version table untouched');
SELECT throws_ok($$SELECT squash_stamp('000_squashed_complete', 'no_such_label')$$, '42704', NULL,
  'an unknown expectation label is an error');

-- Forced: allowed, recorded as forced.
SELECT is(squash_stamp('000_squashed_complete', force => true), 'a1b2c3d4e5f6', 'a forced stamp works');
SELECT is((SELECT forced FROM squash.stamp_history ORDER BY id DESC LIMIT 1), true, 'and is recorded as forced');
SELECT squash_unstamp();

-- Several heads: all kept, all restored.
INSERT INTO public.alembic_version VALUES ('ffff0000aaaa');
SELECT is(squash_stamp('000_squashed_complete', force => true), 'a1b2c3d4e5f6,ffff0000aaaa',
  'two heads are returned');
SELECT results_eq('SELECT count(*)::int FROM public.alembic_version', ARRAY[1], 'one row after the stamp');
SELECT is(squash_unstamp(), 'a1b2c3d4e5f6,ffff0000aaaa', 'unstamp restores both heads');
SELECT results_eq('SELECT version_num::text FROM public.alembic_version ORDER BY 1',
  ARRAY['a1b2c3d4e5f6', 'ffff0000aaaa'], 'both rows are back');

-- Another version table, schema-qualified and hostile: a name, never SQL.
CREATE SCHEMA "we""ird; schema";
SET pg_squash.version_table = '"we""ird; schema"."alembic_version; DROP TABLE app.genes; --"';
SELECT is(squash_stamp('000_squashed_complete', force => true), NULL,
  'a missing version table is created; nothing was there before');
SELECT has_table('we"ird; schema', 'alembic_version; DROP TABLE app.genes; --', 'created under its hostile name');
SELECT has_table('app', 'genes', 'and nothing was injected');
SELECT col_type_is('we"ird; schema', 'alembic_version; DROP TABLE app.genes; --', 'version_num',
  'character varying(32)', 'created exactly as Alembic creates it');
SELECT has_pk('we"ird; schema', 'alembic_version; DROP TABLE app.genes; --', 'with its primary key');
SELECT squash_unstamp();
SELECT hasnt_table('we"ird; schema', 'alembic_version; DROP TABLE app.genes; --',
  'unstamp removes a table the stamp created');
SET pg_squash.version_table = 'a.b.c';
SELECT throws_like($$SELECT squash_stamp('x', force => true)$$, '%must be name or schema.name%',
  'a three-part name is rejected');
RESET pg_squash.version_table;

-- Only squash_admin members (or superusers) may stamp.
CREATE ROLE squash_test_outsider NOLOGIN;
SET ROLE squash_test_outsider;
SELECT throws_ok($$SELECT squash_stamp('000_squashed_complete', force => true)$$, '42501', NULL,
  'a role outside squash_admin gets permission denied');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
