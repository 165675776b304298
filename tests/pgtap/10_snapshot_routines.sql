-- Snapshots of functions, procedures, triggers and event triggers.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
\ir 10_snapshot_helpers.inc
SELECT plan(30);

CREATE SCHEMA app;
CREATE ROLE tap_fn_user;
CREATE FUNCTION app.add(a integer, b integer DEFAULT 1) RETURNS integer
  LANGUAGE sql AS 'SELECT a + b';

SELECT pg_temp.change_is($$CREATE OR REPLACE FUNCTION app.add(a integer, b integer DEFAULT 1)
    RETURNS integer LANGUAGE sql AS 'SELECT a + b + 0'$$,
  'function', 'app.add(integer, integer)', 'changed', 'body: SELECT a + b → SELECT a + b + 0',
  'function body');
SELECT pg_temp.change_is($$CREATE OR REPLACE FUNCTION app.add(a integer, b integer DEFAULT 2)
    RETURNS integer LANGUAGE sql AS 'SELECT a + b + 0'$$,
  'function', 'app.add(integer, integer)', 'changed',
  'arguments: a integer, b integer DEFAULT 1 → a integer, b integer DEFAULT 2', 'argument default');
SELECT pg_temp.change_is('ALTER FUNCTION app.add(integer, integer) IMMUTABLE',
  'function', 'app.add(integer, integer)', 'changed', 'volatility: volatile → immutable',
  'volatility');
SELECT pg_temp.change_is('ALTER FUNCTION app.add(integer, integer) STRICT',
  'function', 'app.add(integer, integer)', 'changed', 'strict: false → true', 'STRICT');
SELECT pg_temp.change_is('ALTER FUNCTION app.add(integer, integer) SECURITY DEFINER',
  'function', 'app.add(integer, integer)', 'changed', 'security_definer: false → true',
  'SECURITY DEFINER');
SELECT pg_temp.change_is('ALTER FUNCTION app.add(integer, integer) LEAKPROOF',
  'function', 'app.add(integer, integer)', 'changed', 'leakproof: false → true', 'LEAKPROOF');
SELECT pg_temp.change_is('ALTER FUNCTION app.add(integer, integer) PARALLEL SAFE',
  'function', 'app.add(integer, integer)', 'changed', 'parallel: unsafe → safe', 'PARALLEL');
SELECT pg_temp.change_is('ALTER FUNCTION app.add(integer, integer) COST 5',
  'function', 'app.add(integer, integer)', 'changed', 'cost: (none) → 5', 'COST');
SELECT pg_temp.change_is($$ALTER FUNCTION app.add(integer, integer) SET search_path = app, pg_temp$$,
  'function', 'app.add(integer, integer)', 'changed', 'config: (none) → search_path=app, pg_temp',
  'SET configuration');
SELECT pg_temp.change_is('REVOKE EXECUTE ON FUNCTION app.add(integer, integer) FROM PUBLIC',
  'function', 'app.add(integer, integer)', 'changed', 'acl: PUBLIC=X', 'EXECUTE privilege');
SELECT pg_temp.change_is('ALTER FUNCTION app.add(integer, integer) OWNER TO tap_fn_user',
  'function', 'app.add(integer, integer)', 'changed', 'owner: ', 'owner');
SELECT pg_temp.change_is($$COMMENT ON FUNCTION app.add(integer, integer) IS 'adds'$$,
  'function', 'app.add(integer, integer)', 'changed', 'comment: (none) → adds', 'comment');
SELECT pg_temp.change_is($$CREATE FUNCTION app.add(a bigint, b bigint) RETURNS bigint
    LANGUAGE sql RETURN a + b$$,
  'function', 'app.add(bigint, bigint)', 'added', 'body RETURN (a + b)',
  'an overload is an object of its own, its SQL-standard body deparsed');
SELECT pg_temp.change_is($$CREATE OR REPLACE FUNCTION app.add(a bigint, b bigint) RETURNS bigint
    LANGUAGE sql RETURN a - b$$,
  'function', 'app.add(bigint, bigint)', 'changed', 'body: RETURN (a + b) → RETURN (a - b)',
  'SQL-standard body');
SELECT pg_temp.change_is($$CREATE FUNCTION app.rows(n int) RETURNS SETOF int LANGUAGE sql
    ROWS 10 AS 'SELECT generate_series(1, n)'$$,
  'function', 'app.rows(integer)', 'added', 'rows 10', 'ROWS of a set-returning function');
SELECT pg_temp.change_is($$CREATE FUNCTION app.tab(n int) RETURNS TABLE (x int, y text)
    LANGUAGE sql AS 'SELECT n, ''a'''$$,
  'function', 'app.tab(integer)', 'added', 'TABLE(x integer, y text)', 'RETURNS TABLE');

CREATE PROCEDURE app.p(IN a int, INOUT b int) LANGUAGE plpgsql AS $$ BEGIN b := a; END $$;
SELECT pg_temp.change_is($q$CREATE OR REPLACE PROCEDURE app.p(IN a int, INOUT b int)
    LANGUAGE plpgsql AS $b$ BEGIN b := a + 1; END $b$$q$,
  'procedure', 'app.p(integer, integer)', 'changed', 'body: ', 'procedure body');
SELECT pg_temp.no_change($$CREATE AGGREGATE app.total(int) (sfunc = int4pl, stype = int);
    DROP AGGREGATE app.total(int)$$, 'nothing left behind');
SELECT pg_temp.change_is('CREATE AGGREGATE app.total(int) (sfunc = int4pl, stype = int)',
  'aggregate', 'app.total(integer)', 'added', 'sfunc int4pl(integer,integer)',
  'an aggregate is modelled (13_snapshot_aggregates.sql has the details)');

-- Triggers.
CREATE TABLE app.t (a int, b text);
CREATE FUNCTION app.tf() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
SELECT pg_temp.change_is('CREATE TRIGGER t_touch BEFORE UPDATE ON app.t FOR EACH ROW EXECUTE FUNCTION app.tf()',
  'trigger', 'app.t.t_touch', 'added', 'definition CREATE TRIGGER t_touch BEFORE UPDATE ON app.t',
  'a trigger');
SELECT pg_temp.change_is('ALTER TABLE app.t DISABLE TRIGGER t_touch',
  'trigger', 'app.t.t_touch', 'changed', 'enabled: origin → disabled', 'a disabled trigger');
SELECT pg_temp.change_is('ALTER TABLE app.t ENABLE REPLICA TRIGGER t_touch',
  'trigger', 'app.t.t_touch', 'changed', 'enabled: disabled → replica', 'a replica trigger');
SELECT pg_temp.change_is($$DROP TRIGGER t_touch ON app.t;
    CREATE TRIGGER t_touch BEFORE UPDATE OF b ON app.t FOR EACH ROW WHEN (NEW.a > 0)
    EXECUTE FUNCTION app.tf('x')$$,
  'trigger', 'app.t.t_touch', 'changed',
  'CREATE TRIGGER t_touch BEFORE UPDATE OF b ON app.t FOR EACH ROW WHEN ((new.a > 0)) EXECUTE FUNCTION app.tf(''x'')',
  'trigger events, columns, condition and arguments');
SELECT pg_temp.change_is($$COMMENT ON TRIGGER t_touch ON app.t IS 'touch'$$,
  'trigger', 'app.t.t_touch', 'changed', 'comment: (none) → touch', 'trigger comment');
SELECT pg_temp.changes_are('ALTER TRIGGER t_touch ON app.t RENAME TO t_touched',
  ARRAY['trigger | app.t.t_touch | removed', 'trigger | app.t.t_touched | added'],
  'a renamed trigger (its definition names it)');
SELECT lives_ok($$SELECT squash_snapshot('tap_trg')$$, 'a snapshot');
SELECT is((SELECT a.v FROM jsonb_array_elements(squash_snapshot_export('tap_trg')->'objects') o,
                 jsonb_each_text(o->'attrs') a(k, v)
            WHERE o->>'identity' = 'app.t.t_touched' AND a.k = 'definition'),
          (SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = 't_touched'),
          'a trigger reads as pg_get_triggerdef prints it');

-- Event triggers.
CREATE FUNCTION app.ddl_log() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
SELECT pg_temp.change_is($$CREATE EVENT TRIGGER tap_ddl ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE') EXECUTE FUNCTION app.ddl_log()$$,
  'event trigger', 'tap_ddl', 'added', 'ALTER TABLE, CREATE TABLE', 'an event trigger');
SELECT pg_temp.change_is('ALTER EVENT TRIGGER tap_ddl DISABLE',
  'event trigger', 'tap_ddl', 'changed', 'enabled: origin → disabled', 'a disabled event trigger');
SELECT pg_temp.change_is($$DROP EVENT TRIGGER tap_ddl; CREATE EVENT TRIGGER tap_ddl ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION app.ddl_log()$$,
  'event trigger', 'tap_ddl', 'changed', 'tags: ALTER TABLE, CREATE TABLE → CREATE TABLE',
  'event trigger tags');
DROP EVENT TRIGGER tap_ddl;

SELECT * FROM finish();
ROLLBACK;
