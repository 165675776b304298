-- Nobody gains a privilege through pg_squash. A role that only owns application objects
-- plants code everywhere pg_squash could run it (views, a materialized view, an operator,
-- a cast, a row level security policy, the version table's trigger, default and index),
-- a superuser and a squash_admin member then run the whole flow: every planted call must
-- run as its owner and nothing may be gained. Stored text is never pasted into SQL, state
-- is written only through the functions, and a decode bomb is refused.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
SELECT plan(41);

CREATE ROLE sec_owner NOLOGIN;                      -- owns application objects, nothing else
CREATE ROLE sec_admin NOLOGIN IN ROLE squash_admin; -- a member of squash_admin, not superuser
CREATE TABLE public.sec_calls (who text, what text);  -- who ran the planted code
GRANT INSERT ON public.sec_calls TO PUBLIC;
GRANT SELECT ON public.sec_calls TO sec_admin;
CREATE SCHEMA sec AUTHORIZATION sec_owner;
CREATE SCHEMA sec_seed AUTHORIZATION sec_owner;
GRANT USAGE ON SCHEMA sec TO sec_admin;

SET ROLE sec_owner;
-- Records who runs it; would make its owner superuser when run by one.
CREATE FUNCTION sec.spy(what text) RETURNS int LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  INSERT INTO public.sec_calls VALUES (current_user, what);
  IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
    ALTER ROLE sec_owner SUPERUSER;
  END IF;
  RETURN 1;
END $$;
CREATE FUNCTION sec.spy_index(v text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN PERFORM sec.spy('index'); RETURN v; END $$;
CREATE FUNCTION sec.spy_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM sec.spy('trigger'); RETURN COALESCE(NEW, OLD); END $$;
CREATE FUNCTION sec.spy_eq(int, int) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
BEGIN PERFORM sec.spy('operator'); RETURN $1 = $2; END $$;
CREATE OPERATOR sec.=== (LEFTARG = int, RIGHTARG = int, FUNCTION = sec.spy_eq);
CREATE TYPE sec.pair AS (a int, b int);
CREATE FUNCTION sec.pair_to_int(sec.pair) RETURNS int LANGUAGE plpgsql VOLATILE AS $$
BEGIN PERFORM sec.spy('cast'); RETURN $1.a; END $$;
CREATE CAST (sec.pair AS int) WITH FUNCTION sec.pair_to_int(sec.pair);

CREATE TABLE sec.t (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v int);
INSERT INTO sec.t (v) SELECT g FROM generate_series(1, 3) g;
CREATE VIEW sec.v AS SELECT id, sec.spy('view') AS s FROM sec.t;
CREATE VIEW sec.v_op AS SELECT 1 AS one WHERE 1 OPERATOR(sec.===) 1;
CREATE VIEW sec.v_cast AS SELECT (ROW(1, 2)::sec.pair)::int AS a;
CREATE MATERIALIZED VIEW sec.mv AS SELECT id, sec.spy('matview') AS s FROM sec.t;
CREATE UNIQUE INDEX mv_id ON sec.mv (id);
-- Row level security that applies to the owner too.
CREATE TABLE sec.r (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v int);
INSERT INTO sec.r (v) VALUES (1), (2);
ALTER TABLE sec.r ENABLE ROW LEVEL SECURITY;
ALTER TABLE sec.r FORCE ROW LEVEL SECURITY;
CREATE POLICY r_spy ON sec.r USING (sec.spy('policy') > 0);
GRANT SELECT ON sec.r, sec.t, sec.v, sec.mv TO sec_admin;
-- The version table: a trigger, a default and an index expression of the owner's.
CREATE TABLE sec.alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY,
                                  stamped int DEFAULT sec.spy('default'));
CREATE INDEX alembic_version_spy ON sec.alembic_version (sec.spy_index(version_num));
CREATE TRIGGER spy BEFORE INSERT OR DELETE ON sec.alembic_version
  FOR EACH ROW EXECUTE FUNCTION sec.spy_trigger();
INSERT INTO sec.alembic_version (version_num) VALUES ('a1');
GRANT SELECT, INSERT, DELETE ON sec.alembic_version TO sec_admin;
-- Seed data for the generator: policed, and a sequence owned by a text column.
CREATE TABLE sec_seed.bad (id int PRIMARY KEY, code text);
INSERT INTO sec_seed.bad VALUES (1, '1); DROP TABLE sec.t; --');
CREATE SEQUENCE sec_seed.bad_seq OWNED BY sec_seed.bad.code;
CREATE TABLE sec_seed.codes (id int PRIMARY KEY, code text);
INSERT INTO sec_seed.codes VALUES (1, 'a');
ALTER TABLE sec_seed.codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE sec_seed.codes FORCE ROW LEVEL SECURITY;
CREATE POLICY codes_spy ON sec_seed.codes USING (sec.spy('seed') > 0);
RESET ROLE;
TRUNCATE public.sec_calls;

-- 1. A superuser runs the flow over the planted objects.
SET pg_squash.version_table = 'sec.alembic_version';
SELECT is(squash_view_capture(ARRAY['sec']), 4, 'the four views are captured');
SELECT lives_ok($$SELECT squash_expect('sec.r', 2)$$, 'an expectation on the policed table');
SELECT is((SELECT status FROM squash_validate() WHERE check_name = 'managed_views'), 'pass',
  'validate runs every view');
SELECT is((SELECT status FROM squash_validate() WHERE check_name = 'expectations'), 'pass',
  'validate counts the policed table (as its owner, who sees every row)');
SELECT lives_ok($$SELECT * FROM squash_refresh_views()$$, 'refresh runs every view');
SELECT lives_ok(
  $$SELECT squash_view_register('sec.mv', 'SELECT id, sec.spy(''matview'') AS s, 1 AS extra FROM sec.t', true)$$,
  'a superuser may register a definition for a view of any owner');
SELECT ok((SELECT bool_or(action = 'recreated') FROM squash_refresh_views()),
  'the materialized view is dropped and re-created');
SELECT is((SELECT pg_get_userbyid(relowner)::text FROM pg_class WHERE oid = 'sec.mv'::regclass),
  'sec_owner', 'and keeps its owner');
SELECT ok((SELECT relispopulated FROM pg_class WHERE oid = 'sec.mv'::regclass), 'and is populated');
SELECT is(squash_stamp('b2', force => true), 'a1', 'a stamp through the trigger, default and index');
SELECT is(squash_unstamp(), 'a1', 'and its undo');

SELECT matches(squash_generate_migration('r1', 'sql', schemas => ARRAY['sec_seed'],
    include_data => ARRAY['sec_seed.codes']), 'INSERT INTO sec_seed\.codes', 'seed data of a policed table');
SELECT throws_like($$SELECT squash_generate_migration('r1', 'sql', schemas => ARRAY['sec_seed'],
    include_data => ARRAY['sec_seed.bad'])$$, '%bad_seq is owned by a column that holds%not an integer%',
  'seed data: a non-integer sequence position never reaches the script');
SELECT ok(NOT rolsuper, 'the view owner did not become superuser') FROM pg_roles
  WHERE rolname = 'sec_owner';
SELECT is((SELECT count(*)::int FROM public.sec_calls WHERE who <> 'sec_owner'), 0,
  'every planted call ran as the owner, none as the superuser');
SELECT set_eq($$SELECT DISTINCT what FROM public.sec_calls$$,
  ARRAY['view', 'operator', 'cast', 'matview', 'policy', 'trigger', 'default', 'index', 'seed'],
  'and each kind of planted code did run (the test is not vacuous)');
TRUNCATE public.sec_calls;

-- 2. A squash_admin member who is not superuser.
SET ROLE sec_admin;
SELECT is((SELECT status FROM squash_validate() WHERE check_name = 'expectations'), 'pass',
  'a member validates the policed table');
SELECT is((SELECT status FROM squash_validate() WHERE check_name = 'managed_views'), 'pass',
  'and the views');
SELECT throws_ok($$SELECT * FROM squash_refresh_views()$$, '42501', NULL,
  'refreshing needs the rights PostgreSQL asks for (owning the materialized view): not widened');
SELECT throws_ok($$SELECT squash_view_register('sec.v', 'SELECT 1 AS id')$$, '42501', NULL,
  'a member may not register a definition for a view owned by a role it does not act as');
-- State is written only through the functions.
SELECT throws_ok($$INSERT INTO squash.stamp_history (id, version_table, revision, previous,
    table_created, live_fingerprint, forced) OVERRIDING SYSTEM VALUE
  VALUES (1000000, 'x', 'y', '{}', false, repeat('0', 64), true)$$, '42501', NULL,
  'no direct INSERT into stamp_history, OVERRIDING SYSTEM VALUE or not');
SELECT throws_ok($$UPDATE squash.stamp_history SET undone_at = NULL$$, '42501', NULL,
  'no direct UPDATE of stamp_history');
SELECT throws_ok($$INSERT INTO squash.snapshot_store (label, fingerprint, object_count,
    server_version, document) VALUES ('x', repeat('0', 64), 0, '', '\x00')$$, '42501', NULL,
  'no direct INSERT into snapshot_store');
SELECT throws_ok($$DELETE FROM squash.managed_views$$, '42501', NULL,
  'no direct DELETE from managed_views');
SELECT throws_ok($$INSERT INTO squash.expectations (relation, min_rows) VALUES ('sec.r', 0)$$,
  '42501', NULL, 'no direct INSERT into expectations');
SELECT throws_ok($$INSERT INTO squash.data_snapshots (label, relation, row_count, hash)
  VALUES ('x', 'sec.t', 0, repeat('0', 32))$$, '42501', NULL, 'no direct INSERT into data_snapshots');
SELECT throws_ok($$SELECT squash_data_snapshot('sec_data')$$, '42501', NULL,
  'a member''s data snapshot stops at a table whose policies hide rows from it');
SELECT ok(NOT squash_data_snapshot_drop('sec_data'), 'and stored nothing');
SELECT ok(squash_expect_drop('sec.r'), 'and drops an expectation');
RESET ROLE;
SET ROLE sec_owner;
REVOKE SELECT ON sec.alembic_version FROM sec_admin;
SET ROLE sec_admin;
SELECT throws_ok($$SELECT squash_stamp('b3', force => true)$$, '42501', NULL,
  'a member who may not read the version table cannot have it read for it');
RESET ROLE;
SELECT ok(NOT rolsuper, 'the member did not become superuser') FROM pg_roles
  WHERE rolname = 'sec_admin';
SELECT is((SELECT count(*)::int FROM public.sec_calls WHERE who <> 'sec_owner'), 0,
  'every planted call the member caused ran as the owner');
SELECT ok((SELECT count(*) > 0 FROM public.sec_calls WHERE what = 'policy'),
  'the policy did run for the member''s validation');

-- 3. Stored text is resolved and quoted, never pasted (rows forged the only way left: by a
-- superuser, standing in for a row from an older version or a restored dump).
INSERT INTO squash.stamp_history (version_table, revision, previous, table_created,
    live_fingerprint, forced)
  VALUES ('sec.alembic_version; ALTER ROLE sec_admin SUPERUSER; --', 'a1', '{}', false,
          repeat('0', 64), true);
INSERT INTO squash.expectations (relation, min_rows)
  VALUES ('sec.r; ALTER ROLE sec_admin SUPERUSER', 0);
INSERT INTO squash.managed_views (identity, schema_name, view_name, kind, definition, source)
  VALUES ('sec.v; ALTER ROLE sec_admin SUPERUSER', 'sec', 'v; ALTER ROLE sec_admin SUPERUSER',
          'view', 'SELECT 1', 'register');
SET ROLE sec_admin;
SELECT throws_like($$SELECT squash_unstamp()$$, '%recorded version table is not a valid name%',
  'unstamp refuses a forged version table name');
SELECT is((SELECT status FROM squash_validate() WHERE check_name = 'version_table'), 'fail',
  'validate reports it as a failed check');
SELECT alike((SELECT detail FROM squash_validate() WHERE check_name = 'expectations'),
  '%not a valid name%', 'a forged expectation is a failed check');
SELECT alike((SELECT detail FROM squash_validate() WHERE check_name = 'managed_views'),
  '%"v; ALTER ROLE sec_admin SUPERUSER": missing%', 'a forged view name stays a name');
RESET ROLE;
SELECT ok(NOT rolsuper, 'no forged text made anyone superuser') FROM pg_roles
  WHERE rolname = 'sec_admin';
DELETE FROM squash.stamp_history WHERE version_table LIKE '%ALTER ROLE%';
DELETE FROM squash.expectations WHERE relation LIKE '%ALTER ROLE%';
DELETE FROM squash.managed_views WHERE view_name LIKE '%ALTER ROLE%';

-- 4. A decode bomb: 1 MiB referred back to by 4,000 objects of a few bytes each.
INSERT INTO squash.snapshot_store (label, fingerprint, object_count, server_version, document)
SELECT 'bomb', repeat('0', 64), 4001, '',
       decode('70677371736e6170010001017401016b' || 'a11f' || '000001610100808040', 'hex')
       || convert_to(repeat('x', 1048576), 'SQL_ASCII')
       || (SELECT string_agg(decode('000106', 'hex') || convert_to(lpad(g::text, 6, '0'), 'SQL_ASCII')
                             || decode('0101', 'hex'), ''::bytea ORDER BY g)
             FROM generate_series(0, 3999) g);
SELECT throws_like($$SELECT * FROM squash_diff('bomb')$$, '%stored snapshot ''bomb'' is corrupt%decodes to more than%',
  'a back-reference bomb is refused as corrupt');
SELECT throws_ok($$SELECT squash_snapshot_export('bomb')$$, 'XX001', NULL,
  'export refuses it the same way');
SELECT lives_ok($$SELECT squash_snapshot_drop('bomb')$$, 'and it can be dropped');

SELECT * FROM finish();
ROLLBACK;
