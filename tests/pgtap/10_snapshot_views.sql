-- Snapshots of views and materialized views.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
\ir 10_snapshot_helpers.inc
SELECT plan(14);

CREATE SCHEMA app;
CREATE TABLE app.t (id int PRIMARY KEY, name text, amount numeric);
CREATE VIEW app.v AS SELECT id, name FROM app.t WHERE amount > 0;
CREATE MATERIALIZED VIEW app.mv AS SELECT name, count(*) AS n FROM app.t GROUP BY name WITH NO DATA;

SELECT pg_temp.change_is('CREATE OR REPLACE VIEW app.v AS SELECT id, name FROM app.t WHERE amount > 10',
  'view', 'app.v', 'changed', 'definition: ', 'view definition');
SELECT pg_temp.changes_are('CREATE OR REPLACE VIEW app.v AS SELECT id, name, amount FROM app.t WHERE amount > 10',
  ARRAY['view | app.v | changed', 'column | app.v.amount | added'],
  'a new view column: the view and the column');
SELECT pg_temp.change_is('ALTER VIEW app.v SET (security_barrier = true)',
  'view', 'app.v', 'changed', 'security_barrier: (none) → true', 'security_barrier');
SELECT pg_temp.change_is('ALTER VIEW app.v SET (check_option = cascaded)',
  'view', 'app.v', 'changed', 'check_option: (none) → cascaded', 'check_option');
SELECT pg_temp.change_is('ALTER VIEW app.v SET (security_invoker = on)',
  'view', 'app.v', 'changed', 'security_invoker: (none) → true', 'security_invoker');
SELECT pg_temp.change_is($$COMMENT ON VIEW app.v IS 'the view'$$,
  'view', 'app.v', 'changed', 'comment: (none) → the view', 'view comment');
SELECT pg_temp.change_is($$COMMENT ON COLUMN app.v.name IS 'a name'$$,
  'column', 'app.v.name', 'changed', 'comment: (none) → a name', 'view column comment');
SELECT pg_temp.no_change('SET search_path = app, public', 'definitions do not depend on search_path');
RESET search_path;

SELECT pg_temp.no_change('REFRESH MATERIALIZED VIEW app.mv', 'whether a materialized view is populated is data');
SELECT pg_temp.change_is('CREATE UNIQUE INDEX mv_name ON app.mv (name)',
  'index', 'app.mv_name', 'added', 'table app.mv', 'an index on a materialized view');
SELECT pg_temp.change_is($$DROP MATERIALIZED VIEW app.mv;
    CREATE MATERIALIZED VIEW app.mv AS SELECT name, count(*) AS n FROM app.t WHERE id > 0 GROUP BY name;
    CREATE UNIQUE INDEX mv_name ON app.mv (name)$$,
  'materialized view', 'app.mv', 'changed', 'definition: ', 'materialized view definition');
SELECT pg_temp.change_is('ALTER MATERIALIZED VIEW app.mv SET (fillfactor = 80)',
  'materialized view', 'app.mv', 'changed', 'options: (none) → fillfactor=80',
  'materialized view storage parameters');

SELECT lives_ok($$SELECT squash_snapshot('tap_v')$$, 'a snapshot');
SELECT is((SELECT a.v FROM jsonb_array_elements(squash_snapshot_export('tap_v')->'objects') o,
                 jsonb_each_text(o->'attrs') a(k, v)
            WHERE o->>'identity' = 'app.v' AND a.k = 'definition'),
          trim(trailing ';' from btrim(pg_get_viewdef('app.v'::regclass), E' \n')),
          'the definition: the server''s deparse, trimmed');

SELECT * FROM finish();
ROLLBACK;
