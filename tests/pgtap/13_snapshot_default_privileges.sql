-- Snapshots of default privileges (compared as what ALTER DEFAULT PRIVILEGES grants and
-- revokes against the built-in defaults) and of security labels (an attribute per
-- provider, like comments). No label provider ships with PostgreSQL: labels are written into
-- pg_seclabel directly, and the generator part checks the statement it writes and that
-- applying it needs a provider.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
\ir 10_snapshot_helpers.inc
SELECT plan(22);

CREATE ROLE tap_dp_owner;
CREATE ROLE tap_dp_reader;
CREATE SCHEMA dp;

SELECT pg_temp.change_is('ALTER DEFAULT PRIVILEGES FOR ROLE tap_dp_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC',
  'default privileges', 'FOR ROLE tap_dp_owner ON FUNCTIONS', 'added', 'revokes PUBLIC=X',
  'a revoke of a built-in default');
SELECT pg_temp.change_is('ALTER DEFAULT PRIVILEGES FOR ROLE tap_dp_owner GRANT EXECUTE ON FUNCTIONS TO tap_dp_reader',
  'default privileges', 'FOR ROLE tap_dp_owner ON FUNCTIONS', 'changed', 'grants: (none) → tap_dp_reader=X',
  'a grant beside it');
SELECT pg_temp.change_is('ALTER DEFAULT PRIVILEGES FOR ROLE tap_dp_owner GRANT EXECUTE ON FUNCTIONS TO PUBLIC',
  'default privileges', 'FOR ROLE tap_dp_owner ON FUNCTIONS', 'changed', 'revokes: PUBLIC=X → (none)',
  'the built-in default granted back');
SELECT pg_temp.change_is('ALTER DEFAULT PRIVILEGES FOR ROLE tap_dp_owner GRANT SELECT ON TABLES TO tap_dp_reader',
  'default privileges', 'FOR ROLE tap_dp_owner ON TABLES', 'added', 'grants tap_dp_reader=r', 'a global grant on tables');
SELECT pg_temp.change_is('ALTER DEFAULT PRIVILEGES FOR ROLE tap_dp_owner GRANT SELECT ON TABLES TO tap_dp_reader WITH GRANT OPTION',
  'default privileges', 'FOR ROLE tap_dp_owner ON TABLES', 'changed', 'grants: tap_dp_reader=r → tap_dp_reader=r*',
  'WITH GRANT OPTION');
SELECT pg_temp.change_is('ALTER DEFAULT PRIVILEGES FOR ROLE tap_dp_owner REVOKE ALL ON TABLES FROM tap_dp_owner',
  'default privileges', 'FOR ROLE tap_dp_owner ON TABLES', 'changed', 'revokes: (none) → tap_dp_owner=arwdDxt',
  'the owner''s own rights revoked');
SELECT pg_temp.change_is('ALTER DEFAULT PRIVILEGES FOR ROLE tap_dp_owner IN SCHEMA dp GRANT INSERT ON TABLES TO tap_dp_reader',
  'default privileges', 'FOR ROLE tap_dp_owner IN SCHEMA dp ON TABLES', 'added', 'grants tap_dp_reader=a',
  'a grant in one schema');
SELECT pg_temp.change_is('ALTER DEFAULT PRIVILEGES FOR ROLE tap_dp_owner IN SCHEMA dp GRANT USAGE ON SEQUENCES TO tap_dp_reader',
  'default privileges', 'FOR ROLE tap_dp_owner IN SCHEMA dp ON SEQUENCES', 'added', 'grants tap_dp_reader=U',
  'on sequences');
SELECT pg_temp.change_is('ALTER DEFAULT PRIVILEGES FOR ROLE tap_dp_owner REVOKE USAGE ON TYPES FROM PUBLIC',
  'default privileges', 'FOR ROLE tap_dp_owner ON TYPES', 'added', 'revokes PUBLIC=U', 'on types');
SELECT pg_temp.change_is('ALTER DEFAULT PRIVILEGES FOR ROLE tap_dp_owner GRANT CREATE ON SCHEMAS TO tap_dp_reader',
  'default privileges', 'FOR ROLE tap_dp_owner ON SCHEMAS', 'added', 'grants tap_dp_reader=C', 'on schemas');
SELECT pg_temp.stamp_refuses('ALTER DEFAULT PRIVILEGES FOR ROLE tap_dp_owner IN SCHEMA dp REVOKE INSERT ON TABLES FROM tap_dp_reader',
  'default privileges FOR ROLE tap_dp_owner IN SCHEMA dp ON TABLES removed', 'the stamp refuses changed default privileges');
SELECT squash_snapshot('tap_dp_scoped', '{dp}') AS fp_scoped \gset
SELECT is((SELECT count(*)::int FROM jsonb_array_elements(squash_snapshot_export('tap_dp_scoped')->'objects') o
            WHERE o->>'kind' = 'default privileges'), 1,
  'a snapshot of some schemas holds only their per-schema default privileges');

-- The generator: after every object, and undone by the downgrade.
ALTER DEFAULT PRIVILEGES FOR ROLE tap_dp_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
CREATE TABLE dp.t (a int);
SELECT ok(strpos(g, 'ALTER DEFAULT PRIVILEGES FOR ROLE tap_dp_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC') >
          strpos(g, 'CREATE TABLE dp.t'), 'the revoke of a built-in default is generated, after the tables')
  FROM squash_generate_migration(format => 'sql') g;
SELECT matches(g, 'def downgrade\(\):.*ALTER DEFAULT PRIVILEGES FOR ROLE tap_dp_owner GRANT EXECUTE ON FUNCTIONS TO PUBLIC',
  'the downgrade grants the built-in default back')
  FROM squash_generate_migration() g;

-- Security labels.
CREATE TABLE dp.labelled (a int, b text);
CREATE FUNCTION dp.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
SELECT pg_temp.change_is($$INSERT INTO pg_seclabel VALUES ('dp.labelled'::regclass, 'pg_class'::regclass, 0, 'tap_provider', 'secret')$$,
  'table', 'dp.labelled', 'changed', 'security label tap_provider: (none) → secret', 'a label on a table');
SELECT pg_temp.change_is($$UPDATE pg_seclabel SET label = 'top secret' WHERE objoid = 'dp.labelled'::regclass$$,
  'table', 'dp.labelled', 'changed', 'security label tap_provider: secret → top secret', 'the label changed');
SELECT pg_temp.change_is($$INSERT INTO pg_seclabel VALUES ('dp.labelled'::regclass, 'pg_class'::regclass, 2, 'tap_provider', 'pii')$$,
  'column', 'dp.labelled.b', 'changed', 'security label tap_provider: (none) → pii', 'a label on a column');
SELECT pg_temp.change_is($$INSERT INTO pg_seclabel VALUES ('dp.f()'::regprocedure, 'pg_proc'::regclass, 0, 'other', 'x')$$,
  'function', 'dp.f()', 'changed', 'security label other: (none) → x', 'a label on a function, another provider');
SELECT pg_temp.change_is($$INSERT INTO pg_seclabel VALUES ('dp'::regnamespace, 'pg_namespace'::regclass, 0, 'tap_provider', 's')$$,
  'schema', 'dp', 'changed', 'security label tap_provider: (none) → s', 'a label on a schema');
SELECT matches(g, $re$SECURITY LABEL FOR tap_provider ON TABLE dp\.labelled IS 'top secret'.*SECURITY LABEL FOR tap_provider ON COLUMN dp\.labelled\.b IS 'pii'$re$,
  'the generator writes the labels') FROM squash_generate_migration(format => 'sql', schemas => '{dp}') g;
-- Applying them needs the provider loaded: none ships with PostgreSQL, so the round trip of
-- labels cannot run here; the statement is refused for exactly that reason.
SELECT throws_ok($$SECURITY LABEL FOR tap_provider ON TABLE dp.labelled IS 'top secret'$$, '22023',
  NULL, 'applying a label needs its provider (none is loaded here)');
SELECT pg_temp.nothing_unmodelled('default privileges and labels: nothing is unmodelled');

SELECT * FROM finish();
ROLLBACK;
