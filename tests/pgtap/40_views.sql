-- Managed views: capture, register, and refresh in dependency order (create what is missing,
-- replace what drifted, drop and re-create dependents keeping grants, comments, owners, MV
-- indexes and triggers, refresh materialized views, run every view), all or nothing.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = error;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
SELECT plan(80);

CREATE ROLE squash_test_owner NOLOGIN;
CREATE ROLE squash_test_reader NOLOGIN;
CREATE ROLE squash_test_helper NOLOGIN;
CREATE ROLE squash_test_reader2 NOLOGIN;

-- A five-deep chain with two diamonds, materialized views on views, and a view on an MV:
--   genes -> counts -> percentiles -> normalized -> combined -> summary (+ panels)
--   counts -> normalized (diamond 1), percentiles -> combined (diamond 2),
--   weights -> normalized, combined + weights -> panel_stats (MV) -> report,
--   counts -> gene_counts (MV without a unique index).
CREATE SCHEMA app;
CREATE TABLE app.panels (panel text PRIMARY KEY, title text NOT NULL);
CREATE TABLE app.genes (id bigint PRIMARY KEY, symbol text NOT NULL,
                        panel text NOT NULL REFERENCES app.panels, score integer NOT NULL);
CREATE TABLE app.panel_weights (panel text PRIMARY KEY, weight numeric NOT NULL);
INSERT INTO app.panels VALUES ('kidney', 'Kidney'), ('eye', 'Eye'), ('heart', 'Heart');
INSERT INTO app.genes
  SELECT g, 'G' || g, (ARRAY['kidney', 'eye', 'heart'])[1 + g % 3], g % 7
    FROM generate_series(1, 30) g;
INSERT INTO app.panel_weights VALUES ('kidney', 2), ('eye', 1), ('heart', 0.5);

CREATE VIEW app.counts AS
  SELECT g.panel, count(*) AS n, sum(g.score) AS total FROM app.genes g GROUP BY g.panel;
CREATE VIEW app.weights WITH (security_barrier = true) AS
  SELECT w.panel, w.weight FROM app.panel_weights w;
CREATE VIEW app.percentiles AS
  SELECT c.panel, c.n, percent_rank() OVER (ORDER BY c.total, c.panel) AS pct FROM app.counts c;
CREATE VIEW app.normalized AS
  SELECT p.panel, p.pct * w.weight AS norm, c.total
    FROM app.percentiles p JOIN app.weights w USING (panel) JOIN app.counts c USING (panel);
CREATE VIEW app.combined AS
  SELECT n.panel, n.norm, p.n, n.total FROM app.normalized n JOIN app.percentiles p USING (panel);
CREATE VIEW app.summary AS
  SELECT c.panel, t.title, c.norm, c.n FROM app.combined c JOIN app.panels t USING (panel);
CREATE MATERIALIZED VIEW app.panel_stats AS
  SELECT c.panel, c.norm, w.weight FROM app.combined c JOIN app.weights w USING (panel);
CREATE UNIQUE INDEX panel_stats_panel ON app.panel_stats (panel);
CREATE INDEX panel_stats_norm ON app.panel_stats (norm);
CREATE MATERIALIZED VIEW app.gene_counts AS SELECT c.panel, c.n FROM app.counts c;
CREATE INDEX gene_counts_panel ON app.gene_counts (panel);
CREATE VIEW app.report AS SELECT s.panel, s.norm FROM app.panel_stats s WHERE s.weight > 0;

-- What must survive a drop and re-create.
GRANT USAGE ON SCHEMA app TO squash_test_owner, squash_test_helper;
GRANT SELECT ON app.combined, app.panels TO squash_test_owner;
ALTER VIEW app.summary OWNER TO squash_test_owner;
GRANT SELECT ON app.summary TO squash_test_reader;
GRANT SELECT ON app.summary TO squash_test_helper WITH GRANT OPTION;
SET ROLE squash_test_helper;
GRANT SELECT ON app.summary TO squash_test_reader2;  -- granted by helper, not the owner
RESET ROLE;
GRANT SELECT (panel) ON app.report TO squash_test_reader;
COMMENT ON VIEW app.summary IS 'Panel summary';
COMMENT ON COLUMN app.summary.norm IS 'normalized weight';
COMMENT ON MATERIALIZED VIEW app.panel_stats IS 'per-panel statistics';
CREATE FUNCTION app.summary_update() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER summary_update INSTEAD OF UPDATE ON app.summary
  FOR EACH ROW EXECUTE FUNCTION app.summary_update();

-- Everything about the views in app that a refresh must keep, as one text.
CREATE FUNCTION pg_temp.views_state(types boolean DEFAULT true, skip text DEFAULT '') RETURNS text
LANGUAGE sql AS $$
  SELECT string_agg(concat_ws(' | ', c.relname, c.relkind, pg_get_viewdef(c.oid, true),
           c.reloptions::text, c.relacl::text, pg_get_userbyid(c.relowner),
           obj_description(c.oid, 'pg_class'),
           (SELECT string_agg(pg_get_indexdef(i.indexrelid), '; ' ORDER BY i.indexrelid::regclass::text)
              FROM pg_index i WHERE i.indrelid = c.oid),
           (SELECT string_agg(concat_ws(':', a.attname,
                                        CASE WHEN types THEN format_type(a.atttypid, a.atttypmod) END,
                                        col_description(c.oid, a.attnum), a.attacl::text), ', '
                              ORDER BY a.attnum)
              FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0),
           (SELECT string_agg(pg_get_triggerdef(t.oid), '; ') FROM pg_trigger t
             WHERE t.tgrelid = c.oid),
           (SELECT string_agg(pg_get_ruledef(r.oid), '; ' ORDER BY r.rulename) FROM pg_rewrite r
             WHERE r.ev_class = c.oid AND r.rulename <> '_RETURN'),
           (SELECT string_agg(a.attname || ' = ' || pg_get_expr(d.adbin, d.adrelid), ', ')
              FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
             WHERE d.adrelid = c.oid)), E'\n' ORDER BY c.relname)
    FROM pg_class c
   WHERE c.relnamespace = 'app'::regnamespace AND c.relkind IN ('v', 'm') AND c.relname <> skip
$$;
-- One refresh, its rows numbered in the order they were processed.
CREATE FUNCTION pg_temp.refresh(concurrently boolean DEFAULT true)
  RETURNS TABLE(view text, kind text, action text, ms float8, pos bigint)
  LANGUAGE sql AS $$ SELECT * FROM squash_refresh_views($1) WITH ORDINALITY $$;
-- Pairs (view, what it depends on) among the live views of a run listed in the wrong order.
CREATE FUNCTION pg_temp.order_violations(run text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
  EXECUTE format($q$
    SELECT count(*) FROM pg_depend d
      JOIN pg_rewrite r ON r.oid = d.objid
      JOIN %1$I a ON a.view = r.ev_class::regclass::text
      JOIN %1$I b ON b.view = d.refobjid::regclass::text
     WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
       AND d.refobjid <> r.ev_class AND a.pos < b.pos $q$, run) INTO n;
  RETURN n;
END $$;

-- ---------------------------------------------------------------------------------------
-- Capture
-- ---------------------------------------------------------------------------------------
SELECT is(squash_view_capture(), 9, 'capture registers the nine views and materialized views');
SELECT set_eq($$SELECT identity, kind FROM squash.managed_views$$,
  $$VALUES ('app.counts', 'view'), ('app.weights', 'view'), ('app.percentiles', 'view'),
           ('app.normalized', 'view'), ('app.combined', 'view'), ('app.summary', 'view'),
           ('app.panel_stats', 'materialized'), ('app.gene_counts', 'materialized'),
           ('app.report', 'view')$$,
  'every view and MV is there with its kind; extension-owned and squash views are not');
SELECT is((SELECT definition FROM squash.managed_views WHERE identity = 'app.summary'),
  regexp_replace(pg_get_viewdef('app.summary'::regclass, true), '^\s+|;$', '', 'g'),
  'the definition is the normalized pg_get_viewdef');
SELECT row_eq($$SELECT owner, comment, column_comments, column_names, column_types
                 FROM squash.managed_views WHERE identity = 'app.summary'$$,
  ROW('squash_test_owner'::text, 'Panel summary'::text, '{"norm": "normalized weight"}'::jsonb,
      ARRAY['panel', 'title', 'norm', 'n'], ARRAY['text', 'text', 'double precision', 'bigint'])::record,
  'owner, comments and the typed column list are captured');
SELECT ok((SELECT grants @> '[{"grantee": "squash_test_reader", "privilege": "SELECT", "grantable": false},
                             {"grantee": "squash_test_reader2", "grantor": "squash_test_helper"}]'
           FROM squash.managed_views WHERE identity = 'app.summary'),
  'grants are captured with their grantors');
SELECT ok((SELECT extra_ddl[1] LIKE 'CREATE TRIGGER summary_update INSTEAD OF UPDATE ON app.summary%'
           FROM squash.managed_views WHERE identity = 'app.summary'),
  'the INSTEAD OF trigger is captured');
SELECT is((SELECT options FROM squash.managed_views WHERE identity = 'app.weights'),
  ARRAY['security_barrier=true'], 'view options are captured');
SELECT is((SELECT jsonb_path_query_array(indexes, '$[*].name')
             FROM squash.managed_views WHERE identity = 'app.panel_stats'),
  '["panel_stats_norm", "panel_stats_panel"]'::jsonb, 'materialized view indexes are captured');
SELECT ok((SELECT column_grants @> '[{"column": "panel", "grantee": "squash_test_reader"}]'
             FROM squash.managed_views WHERE identity = 'app.report'),
  'column grants are captured');

CREATE SCHEMA other;
CREATE VIEW other.one AS SELECT 1 AS one;
SELECT is(squash_view_capture(ARRAY['other']), 1, 'capture can be limited to some schemas');
SELECT throws_ok($$SELECT squash_view_capture(ARRAY['nope'])$$, '3F000',
  'pg_squash: schema nope does not exist', 'an unknown schema is an error');
SELECT is(squash_view_capture(), 10, 're-capturing updates the rows, no duplicates');
SELECT is((SELECT count(*) FROM squash.managed_views), 10::bigint, 'still one row per view');
DELETE FROM squash.managed_views WHERE schema_name = 'other';
DROP SCHEMA other CASCADE;

-- ---------------------------------------------------------------------------------------
-- Registration is validated by the server's parser
-- ---------------------------------------------------------------------------------------
SELECT throws_ok($$SELECT squash_view_register('x', 'SELECT 1; DROP TABLE app.genes')$$, '22023',
  'pg_squash: definition of public.x holds 2 statements; exactly one is allowed',
  'a second statement is rejected');
SELECT throws_ok($$SELECT squash_view_register('x', 'DROP TABLE app.genes')$$, '22023',
  'pg_squash: definition of public.x is not a query', 'a statement that is not a query is rejected');
SELECT throws_ok($$SELECT squash_view_register('x', 'INSERT INTO app.panels VALUES (''a'', ''b'')')$$,
  '22023', 'pg_squash: definition of public.x is not a query', 'an INSERT is rejected');
SELECT throws_ok($$SELECT squash_view_register('x', 'SELECT * INTO app.copy FROM app.panels')$$,
  '22023', 'pg_squash: definition of public.x is a SELECT INTO, which creates a table',
  'SELECT INTO is rejected');
SELECT throws_ok($$SELECT squash_view_register('x',
    'WITH d AS (DELETE FROM app.panels RETURNING *) SELECT * FROM d')$$, '0A000',
  'pg_squash: definition of public.x has a data-modifying WITH query (d)',
  'a data-modifying WITH is rejected');
SELECT throws_ok($$SELECT squash_view_register('x', 'SELECT ''unterminated; DROP TABLE t')$$,
  '42601', NULL, 'a syntax error is rejected with its SQLSTATE');
SELECT throws_ok($$SELECT squash_view_register('x', ' -- nothing')$$, '22023',
  'pg_squash: definition of public.x is empty', 'an empty definition is rejected');
SELECT throws_ok($$SELECT squash_view_register('a.b.c', 'SELECT 1')$$, '22023',
  'pg_squash: invalid view name ''a.b.c'': expected name or schema.name', 'three-part names are rejected');
SELECT throws_ok($$SELECT squash_view_register('pg_catalog.x', 'SELECT 1')$$, '42939', NULL,
  'system schemas are rejected');
SELECT throws_ok($$SELECT squash_view_register('app.genes', 'SELECT 1')$$, '42809',
  'pg_squash: app.genes exists and is not a view or materialized view', 'a table name is rejected');
SELECT throws_ok($$SELECT squash_view_register('x', NULL)$$, '22004', NULL, 'NULL is rejected');
SELECT is((SELECT count(*) FROM squash.managed_views), 9::bigint, 'nothing rejected was stored');

SELECT lives_ok($$SELECT squash_view_register('scratch', 'SELECT '';'' AS semi;  -- a comment')$$,
  'a semicolon inside a literal and a trailing one are fine');
SELECT row_eq($$SELECT schema_name, view_name, definition, source FROM squash.managed_views
                 WHERE identity = 'public.scratch'$$,
  ROW('public'::text, 'scratch'::text, 'SELECT '';'' AS semi'::text, 'register'::text)::record,
  'an unqualified name means public; the definition is stored without the trailing semicolon');
SELECT lives_ok($$SELECT squash_view_register('"Odd"."Mixed Case"', 'VALUES (1, 2)')$$,
  'quoted names and VALUES are accepted');
SELECT is((SELECT identity FROM squash.managed_views WHERE schema_name = 'Odd'),
  '"Odd"."Mixed Case"', 'quoted names keep their case');
DELETE FROM squash.managed_views WHERE schema_name <> 'app';

-- ---------------------------------------------------------------------------------------
-- A refresh with nothing to change
-- ---------------------------------------------------------------------------------------
CREATE TEMP TABLE state0 AS SELECT pg_temp.views_state() AS s;
CREATE TEMP TABLE run1 AS SELECT * FROM pg_temp.refresh();
SELECT set_eq($$SELECT view, kind, action FROM run1$$,
  $$VALUES ('app.counts', 'view', 'checked'), ('app.weights', 'view', 'checked'),
           ('app.percentiles', 'view', 'checked'), ('app.normalized', 'view', 'checked'),
           ('app.combined', 'view', 'checked'), ('app.summary', 'view', 'checked'),
           ('app.panel_stats', 'materialized', 'refreshed concurrently'),
           ('app.gene_counts', 'materialized', 'refreshed'), ('app.report', 'view', 'checked')$$,
  'unchanged views are checked; the MV with a unique index is refreshed concurrently, the other plainly');
SELECT is(pg_temp.order_violations('run1'), 0::bigint, 'every view comes after the views it depends on');
SELECT ok((SELECT bool_and(ms >= 0) AND count(*) = 9 FROM run1), 'one row per view, each with its time');
SELECT is(pg_temp.views_state(), s, 'nothing changed') FROM state0;
SELECT ok((SELECT bool_and(refreshed_at IS NOT NULL) FROM squash.managed_views),
  'the managed rows record the refresh');

UPDATE app.panel_weights SET weight = 3 WHERE panel = 'kidney';
SELECT is((SELECT action FROM pg_temp.refresh(false) WHERE view = 'app.panel_stats'), 'refreshed',
  'concurrently => false refreshes plainly');
UPDATE app.panel_weights SET weight = 4 WHERE panel = 'kidney';
SELECT is((SELECT action FROM pg_temp.refresh() WHERE view = 'app.panel_stats'),
  'refreshed concurrently', 'a concurrent refresh inside a transaction block works');
SELECT is((SELECT weight FROM app.panel_stats WHERE panel = 'kidney'), 4::numeric,
  'and the materialized view holds the new data');

-- ---------------------------------------------------------------------------------------
-- Missing views are created with what was captured
-- ---------------------------------------------------------------------------------------
CREATE TEMP TABLE state1 AS SELECT pg_temp.views_state() AS s, pg_temp.views_state(false) AS plain;
DROP VIEW app.report;
DROP VIEW app.summary;
CREATE TEMP TABLE run2 AS SELECT * FROM pg_temp.refresh();
SELECT set_eq($$SELECT view, action FROM run2 WHERE action <> 'checked' AND kind = 'view'$$,
  $$VALUES ('app.report', 'created'), ('app.summary', 'created')$$,
  'the two missing views are created, the rest checked');
SELECT is(pg_temp.views_state(), s,
  'with owner, grants (grantors too), column grants, comments and the trigger') FROM state1;

-- ---------------------------------------------------------------------------------------
-- The squash scenario: a base column changes type, the views go and come back
-- ---------------------------------------------------------------------------------------
SELECT throws_ok($$ALTER TABLE app.genes ALTER COLUMN score TYPE bigint$$, '0A000', NULL,
  'the type change is blocked by the dependent views');
DROP VIEW app.counts CASCADE;
ALTER TABLE app.genes ALTER COLUMN score TYPE bigint;
SELECT is((SELECT count(*) FROM pg_class WHERE relnamespace = 'app'::regnamespace
             AND relkind IN ('v', 'm')), 1::bigint, 'only weights survived the cascade');
CREATE TEMP TABLE run3 AS SELECT * FROM pg_temp.refresh();
SELECT set_eq($$SELECT view, action FROM run3$$,
  $$VALUES ('app.counts', 'created'), ('app.weights', 'checked'), ('app.percentiles', 'created'),
           ('app.normalized', 'created'), ('app.combined', 'created'), ('app.summary', 'created'),
           ('app.panel_stats', 'created'), ('app.gene_counts', 'created'), ('app.report', 'created')$$,
  'refresh re-creates all eight views');
SELECT is(pg_temp.order_violations('run3'), 0::bigint, 'in dependency order');
SELECT is(format_type(atttypid, atttypmod), 'numeric', 'counts.total follows the new base type')
  FROM pg_attribute WHERE attrelid = 'app.counts'::regclass AND attname = 'total';
SELECT is(pg_temp.views_state(false), plain,
  'everything else is as it was: owner, grants, comments, indexes, trigger') FROM state1;
SELECT is((SELECT column_types[3] FROM squash.managed_views WHERE identity = 'app.counts'), 'numeric',
  'the managed column list follows');
SELECT is((SELECT count(*) FROM app.panel_stats), 3::bigint, 'the materialized views are populated');

-- ---------------------------------------------------------------------------------------
-- An incompatible column list: the view and everything on it is dropped and re-created
-- ---------------------------------------------------------------------------------------
CREATE VIEW app.extra AS SELECT p.panel FROM app.percentiles p;  -- not managed
GRANT SELECT ON app.extra TO squash_test_reader;
CREATE TEMP TABLE state2 AS SELECT pg_temp.views_state(false, 'percentiles') AS s;
SELECT squash_view_register('app.percentiles',
  'SELECT c.panel, c.n::integer AS n, percent_rank() OVER (ORDER BY c.total, c.panel) AS pct
     FROM app.counts c');
CREATE TEMP TABLE run4 AS SELECT * FROM pg_temp.refresh();
SELECT set_eq($$SELECT view, action FROM run4$$,
  $$VALUES ('app.counts', 'checked'), ('app.weights', 'checked'), ('app.percentiles', 'recreated'),
           ('app.normalized', 'recreated'), ('app.combined', 'recreated'), ('app.summary', 'recreated'),
           ('app.panel_stats', 'recreated'), ('app.gene_counts', 'refreshed'),
           ('app.report', 'recreated'), ('app.extra', 'recreated')$$,
  'percentiles and every view depending on it (managed or not) are re-created');
SELECT is(pg_temp.order_violations('run4'), 0::bigint, 'in dependency order');
SELECT is(format_type(atttypid, atttypmod), 'integer', 'dependents see the new column type')
  FROM pg_attribute WHERE attrelid = 'app.combined'::regclass AND attname = 'n';
SELECT is(pg_temp.views_state(false, 'percentiles'), s,
  'grants, comments, owners, MV indexes and the trigger are kept') FROM state2;
SELECT ok(has_table_privilege('squash_test_reader', 'app.extra', 'SELECT'),
  'an unmanaged dependent keeps its grants too');
SELECT is((SELECT count(*) FROM app.summary), 3::bigint, 're-created views answer');

-- A compatible change (a column appended) is a CREATE OR REPLACE: dependents stay.
SELECT squash_view_register('app.weights',
  'SELECT w.panel, w.weight, w.weight * 2 AS double_weight FROM app.panel_weights w');
CREATE TEMP TABLE run5 AS SELECT * FROM pg_temp.refresh();
SELECT set_eq($$SELECT view, action FROM run5 WHERE kind = 'view'$$,
  $$VALUES ('app.counts', 'checked'), ('app.weights', 'replaced'), ('app.percentiles', 'checked'),
           ('app.normalized', 'checked'), ('app.combined', 'checked'), ('app.summary', 'checked'),
           ('app.report', 'checked')$$,
  'an appended column replaces the view in place');
SELECT is((SELECT reloptions FROM pg_class WHERE oid = 'app.weights'::regclass),
  ARRAY['security_barrier=true'], 'its options are kept');
SELECT is((SELECT double_weight FROM app.weights WHERE panel = 'eye'), 2::numeric,
  'the new column is there');

-- Views registered by hand, unqualified names resolved in the view's schema, created in the
-- order their definitions require (a_first reads z_last).
SELECT squash_view_register('app.a_first', 'SELECT count(*) AS n FROM z_last');
SELECT squash_view_register('app.z_last', 'SELECT g.symbol FROM genes g WHERE g.score > 5');
CREATE TEMP TABLE run6 AS SELECT * FROM pg_temp.refresh();
SELECT ok((SELECT z.pos < a.pos AND a.action = 'created' AND z.action = 'created'
             FROM run6 a, run6 z WHERE a.view = 'app.a_first' AND z.view = 'app.z_last'),
  'a definition''s references order the creation of missing views');
SELECT is((SELECT n FROM app.a_first), 4::bigint, 'and they work');

-- ---------------------------------------------------------------------------------------
-- A broken view rolls everything back and names the view
-- ---------------------------------------------------------------------------------------
SELECT squash_view_register('app.counts',
  'SELECT g.panel, count(*) AS n, sum(g.score) AS total, max(g.score) AS top
     FROM app.genes g GROUP BY g.panel');           -- would be replaced, first in order
DROP MATERIALIZED VIEW app.gene_counts;             -- would be created before the failure
DROP VIEW app.weights CASCADE;
ALTER TABLE app.panel_weights RENAME COLUMN weight TO factor;   -- weights needs w.weight
CREATE TEMP TABLE state3 AS
  SELECT pg_temp.views_state() AS s,
         (SELECT string_agg(mv::text, E'\n' ORDER BY identity) FROM squash.managed_views mv) AS managed;
SELECT throws_ok($$SELECT * FROM squash_refresh_views()$$, '42703',
  'pg_squash: view app.weights failed: column w.weight does not exist',
  'the failure names the view and the reason, with the original SQLSTATE');
SELECT is(pg_temp.views_state(), s, 'no view changed: counts not replaced, gene_counts not created')
  FROM state3;
SELECT hasnt_materialized_view('app', 'gene_counts', 'the MV created before the failure is gone');
SELECT is((SELECT string_agg(mv::text, E'\n' ORDER BY identity) FROM squash.managed_views mv), managed,
  'squash.managed_views is unchanged') FROM state3;

-- Cycles among registered definitions are reported, not looped on.
SELECT squash_view_register('app.cyc_a', 'SELECT * FROM app.cyc_b');
SELECT squash_view_register('app.cyc_b', 'SELECT * FROM app.cyc_a');
SELECT throws_ok($$SELECT * FROM squash_refresh_views()$$, '42P17',
  'pg_squash: the views depend on each other in a cycle: app.cyc_a -> app.cyc_b -> app.cyc_a',
  'a dependency cycle is an error');
DELETE FROM squash.managed_views WHERE view_name LIKE 'cyc%';

-- Repaired, the same call brings everything back.
ALTER TABLE app.panel_weights RENAME COLUMN factor TO weight;
CREATE TEMP TABLE run7 AS SELECT * FROM pg_temp.refresh();
SELECT set_eq($$SELECT view, action FROM run7 WHERE action NOT IN ('checked', 'refreshed concurrently')$$,
  $$VALUES ('app.counts', 'replaced'), ('app.weights', 'created'), ('app.normalized', 'created'),
           ('app.combined', 'created'), ('app.summary', 'created'), ('app.panel_stats', 'created'),
           ('app.gene_counts', 'created'), ('app.report', 'created')$$,
  'once repaired, the refresh goes through');
SELECT is((SELECT top FROM app.counts WHERE panel = 'kidney'), 6::bigint, 'with the new counts');
SELECT is((SELECT count(*) FROM app.summary), 3::bigint, 'the chain answers again');

-- A view registered as materialized becomes one, keeping its grants.
SELECT squash_view_register('app.report',
  (SELECT definition FROM squash.managed_views WHERE identity = 'app.report'), true);
SELECT is((SELECT kind || ' ' || action FROM pg_temp.refresh() WHERE view = 'app.report'),
  'materialized recreated', 'a change of kind drops and re-creates');
SELECT has_materialized_view('app', 'report', 'report is a materialized view now');
SELECT ok(has_column_privilege('squash_test_reader', 'app.report', 'panel', 'SELECT'),
  'with its column grant');

-- Running each view once catches what only fails at run time.
SELECT squash_view_register('app.boom', 'SELECT 1 / (count(*) - count(*)) AS boom FROM app.genes');
SELECT throws_ok($$SELECT * FROM squash_refresh_views()$$, '22012',
  'pg_squash: view app.boom failed: division by zero', 'a view that fails when run is reported');
SELECT hasnt_view('app', 'boom', 'and not left behind');
DELETE FROM squash.managed_views WHERE view_name = 'boom';

-- Nothing is dropped with CASCADE: an object pg_squash cannot re-create stops the drop.
CREATE FUNCTION app.panel_count() RETURNS bigint LANGUAGE sql
  BEGIN ATOMIC SELECT count(*) FROM app.percentiles; END;
SELECT squash_view_register('app.percentiles',
  'SELECT c.panel, c.n::bigint AS n, percent_rank() OVER (ORDER BY c.total, c.panel) AS pct
     FROM app.counts c');
SELECT throws_ok($$SELECT * FROM squash_refresh_views()$$, '2BP01',
  'pg_squash: view app.percentiles failed: cannot drop view app.percentiles because other objects depend on it',
  'a function depending on a view blocks its re-creation');
SELECT is(app.panel_count(), 3::bigint, 'the function and the views are untouched');

-- Check option, security_invoker, a column default and a rule come back with the view.
CREATE VIEW app.editable WITH (check_option = local, security_invoker = true) AS
  SELECT p.panel, p.title FROM app.panels p WHERE p.panel <> 'none';
ALTER VIEW app.editable ALTER COLUMN title SET DEFAULT 'untitled';
CREATE RULE editable_delete AS ON DELETE TO app.editable DO INSTEAD NOTHING;
SELECT is(squash_view_capture(ARRAY['app']), 13, 're-capturing a schema takes the new view in');
CREATE TEMP TABLE state4 AS SELECT pg_temp.views_state() AS s;
DROP VIEW app.editable;
SELECT is((SELECT action FROM pg_temp.refresh() WHERE view = 'app.editable'), 'created',
  'the dropped view is created');
SELECT is(pg_temp.views_state(), s, 'with its options, column default and rule') FROM state4;

-- ---------------------------------------------------------------------------------------
-- Privileges and settings
-- ---------------------------------------------------------------------------------------
SELECT ok(NOT has_function_privilege('squash_test_reader', 'squash_refresh_views(boolean)', 'EXECUTE')
          AND NOT has_function_privilege('squash_test_reader', 'squash_view_capture(text[])', 'EXECUTE')
          AND NOT has_function_privilege('squash_test_reader', 'squash_view_register(text, text, boolean)',
                                         'EXECUTE'),
  'PUBLIC cannot run the view functions');
SELECT ok(has_function_privilege('squash_admin', 'squash_refresh_views(boolean)', 'EXECUTE')
          AND has_function_privilege('squash_admin', 'squash_view_capture(text[])', 'EXECUTE')
          AND has_function_privilege('squash_admin', 'squash_view_register(text, text, boolean)',
                                     'EXECUTE'),
  'squash_admin can');
SELECT ok(NOT has_table_privilege('squash_test_reader', 'squash.managed_views', 'SELECT')
          AND has_table_privilege('squash_admin', 'squash.managed_views', 'SELECT')
          AND NOT has_table_privilege('squash_admin', 'squash.managed_views', 'UPDATE'),
  'squash.managed_views: nothing for PUBLIC, read and delete for squash_admin');
SELECT is((SELECT array_agg(DISTINCT array_to_string(proconfig, ','))
             FROM pg_proc WHERE proname IN ('squash_view_capture', 'squash_view_register',
                                            'squash_refresh_views')),
  ARRAY['search_path=pg_catalog, pg_temp'], 'every view function pins search_path');

SELECT * FROM finish();
ROLLBACK;
