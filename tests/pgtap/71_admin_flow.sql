-- The whole documented flow as a member of squash_admin who is not superuser (the role an
-- application's migrations run as, say): snapshots, data snapshot, expectations, views,
-- generator, export and import, the guarded stamp, refresh, validate, unstamp, and every
-- way to remove state again.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
SELECT plan(26);

CREATE ROLE flow_admin NOLOGIN IN ROLE squash_admin;
CREATE SCHEMA flow AUTHORIZATION flow_admin;
GRANT CREATE ON SCHEMA public TO flow_admin;
SET ROLE flow_admin;
SELECT ok(NOT rolsuper, 'the flow runs as a role that is not superuser') FROM pg_roles
  WHERE rolname = current_user;

CREATE TYPE flow.status AS ENUM ('draft', 'final');
CREATE TABLE flow.genes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                         symbol text NOT NULL UNIQUE, status flow.status DEFAULT 'draft');
CREATE TABLE flow.evidence (id serial PRIMARY KEY,
                            gene_id bigint REFERENCES flow.genes ON DELETE CASCADE, score int);
CREATE FUNCTION flow.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.score := COALESCE(NEW.score, 0); RETURN NEW; END $$;
CREATE TRIGGER touch BEFORE INSERT ON flow.evidence FOR EACH ROW EXECUTE FUNCTION flow.touch();
INSERT INTO flow.genes (symbol) SELECT 'G' || g FROM generate_series(1, 20) g;
INSERT INTO flow.evidence (gene_id, score) SELECT 1 + g % 20, g FROM generate_series(1, 50) g;
CREATE VIEW flow.scores AS SELECT gene_id, sum(score) AS total FROM flow.evidence GROUP BY gene_id;
CREATE MATERIALIZED VIEW flow.top AS SELECT * FROM flow.scores WHERE total > 10;
CREATE UNIQUE INDEX top_gene ON flow.top (gene_id);
CREATE TABLE public.alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY);
INSERT INTO public.alembic_version VALUES ('abc123');

-- Record what the chain built.
SELECT matches(squash_snapshot('flow_chain', ARRAY['flow']), '^[0-9a-f]{64}$', 'snapshot');
SELECT is(squash_data_snapshot('flow_data'), 2, 'data snapshot');
SELECT lives_ok($$SELECT squash_expect('flow.genes', 20)$$, 'expectation');
SELECT is(squash_view_capture(ARRAY['flow']), 2, 'view capture');
SELECT matches(squash_generate_migration('000_squashed_complete', 'sql', schemas => ARRAY['flow']),
  'CREATE TABLE flow\.genes', 'generator (sql)');
SELECT matches(squash_generate_migration('000_squashed_complete', 'alembic', schemas => ARRAY['flow']),
  'def upgrade\(\)', 'generator (alembic)');
-- Move the proof: export and import under another label.
SELECT is(squash_snapshot_import(squash_snapshot_export('flow_chain'), 'flow_squashed'),
  (SELECT fingerprint FROM squash.snapshots WHERE label = 'flow_chain'), 'export and import');
SELECT is_empty($$SELECT * FROM squash_diff('flow_squashed')$$, 'diff against the live schema');

-- The guarded stamp, refresh, validate.
SELECT is(squash_stamp('000_squashed_complete', expect => 'flow_squashed'), 'abc123', 'stamp');
SELECT is(stamped_by, session_user::text, 'the history names the session user')
  FROM squash.stamp_history ORDER BY id DESC LIMIT 1;
SELECT is(run_as, 'flow_admin', 'and the role it ran as') FROM squash.stamp_history
  ORDER BY id DESC LIMIT 1;
SELECT set_eq($$SELECT action FROM squash_refresh_views()$$,
  ARRAY['checked', 'refreshed concurrently'], 'refresh');
SELECT lives_ok(
  $$SELECT squash_view_register('flow.scores', 'SELECT gene_id, sum(score) AS total, count(*) AS n FROM flow.evidence GROUP BY gene_id')$$,
  'register a new definition for an own view');
SELECT ok((SELECT bool_or(action = 'replaced') FROM squash_refresh_views()), 'refresh applies it');
SELECT set_eq($$SELECT status FROM squash_validate('flow_squashed')
                 WHERE check_name NOT IN ('schema_fingerprint')$$,
  ARRAY['pass'], 'validate: every check passes');
SELECT is((SELECT status FROM squash_validate('flow_squashed') WHERE check_name = 'schema_fingerprint'),
  'fail', 'and the schema check names the registered change');
SELECT is(squash_unstamp(), 'abc123', 'unstamp');
SELECT results_eq('SELECT version_num::text FROM public.alembic_version', ARRAY['abc123'],
  'the version table holds what it held');

-- Every way to remove state again.
SELECT ok(squash_view_unregister('flow.scores'), 'unregister a view');
SELECT ok(NOT squash_view_unregister('flow.scores'), 'a second time: not managed');
SELECT ok(squash_expect_drop('flow.genes'), 'drop an expectation');
SELECT ok(squash_data_snapshot_drop('flow_data'), 'drop a data snapshot');
SELECT lives_ok($$SELECT squash_snapshot_drop('flow_squashed')$$, 'drop a snapshot');
SELECT is((SELECT count(*)::int FROM squash.snapshots WHERE label LIKE 'flow%'), 1,
  'one snapshot left');
RESET ROLE;
SELECT ok(NOT rolsuper, 'and the member is still not superuser') FROM pg_roles
  WHERE rolname = 'flow_admin';

SELECT * FROM finish();
ROLLBACK;
