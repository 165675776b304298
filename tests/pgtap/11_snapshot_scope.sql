-- A snapshot taken of some schemas keeps its scope through export and import, so a diff
-- against the imported copy compares the same schemas; a bad "schemas" field is refused.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
SELECT plan(13);

CREATE SCHEMA scope_app;
CREATE SCHEMA "Scope Other";
CREATE TABLE scope_app.t (id int PRIMARY KEY, name text DEFAULT 'x');
CREATE TABLE "Scope Other".u (id int);

SELECT lives_ok($$SELECT squash_snapshot('scope_part', ARRAY['scope_app'])$$,
  'a snapshot of one schema');
SELECT lives_ok($$SELECT squash_snapshot('scope_all')$$, 'and one of every schema');
SELECT is(squash_snapshot_export('scope_part')->'schemas', '["scope_app"]'::jsonb,
  'the export of a scoped snapshot names its schemas');
SELECT ok(NOT squash_snapshot_export('scope_all') ? 'schemas',
  'an unscoped export has no schemas field (the format is unchanged)');

SELECT is(squash_snapshot_import(squash_snapshot_export('scope_part'), 'scope_part_copy'),
          (SELECT fingerprint FROM squash.snapshots WHERE label = 'scope_part'),
  'import keeps the fingerprint');
SELECT is((SELECT schemas FROM squash.snapshot_store WHERE label = 'scope_part_copy'),
          ARRAY['scope_app'], 'and the scope');
-- Another schema changes: the scoped copy does not see it, the original scope neither.
ALTER TABLE "Scope Other".u ADD COLUMN extra int;
SELECT is_empty($$SELECT * FROM squash_diff('scope_part_copy')$$,
  'a diff against the imported scoped snapshot compares only its schemas');
ALTER TABLE scope_app.t ALTER COLUMN name DROP DEFAULT;
SELECT results_eq($$SELECT kind, identity, change FROM squash_diff('scope_part_copy')$$,
  $$VALUES ('column'::text, 'scope_app.t.name'::text, 'changed'::text)$$,
  'and sees a change inside them');
SELECT is(squash_snapshot_import(squash_snapshot_export('scope_part') || '{"schemas": null}', 'scope_null'),
          (SELECT fingerprint FROM squash.snapshots WHERE label = 'scope_part'),
  '"schemas": null means every schema');
SELECT is((SELECT schemas FROM squash.snapshot_store WHERE label = 'scope_null'), NULL,
  'and is stored so');

SELECT throws_ok(format('SELECT squash_snapshot_import(%L::jsonb, %L)',
    squash_snapshot_export('scope_part') || '{"schemas": []}', 'bad1'), '22023',
  'pg_squash: invalid snapshot document: schemas: an empty list (write null for every schema)',
  'an empty schemas list is refused');
SELECT throws_ok(format('SELECT squash_snapshot_import(%L::jsonb, %L)',
    squash_snapshot_export('scope_part') || '{"schemas": ["a", "a"]}', 'bad2'), '22023',
  'pg_squash: invalid snapshot document: schemas[1]: duplicate schema "a"',
  'a duplicate schema is refused');
SELECT throws_ok(format('SELECT squash_snapshot_import(%L::jsonb, %L)',
    squash_snapshot_export('scope_part') || '{"schemas": ["ok", 7]}', 'bad3'), '22023',
  'pg_squash: invalid snapshot document: schemas[1]: expected a string, got number',
  'a schema that is not a string is refused');

SELECT * FROM finish();
ROLLBACK;
