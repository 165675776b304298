-- Stored snapshots: kept in the compact binary form, read back exactly (a diff of two
-- stored snapshots is the diff against the live schema), and a stored document that was
-- altered or damaged is refused with a clear error, never read as something else.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
SELECT plan(12);

CREATE SCHEMA store_app;
CREATE TYPE store_app.mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE store_app.person (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL DEFAULT '',
  mood store_app.mood DEFAULT 'ok',
  note text CHECK (note <> '')
);
CREATE INDEX person_name_idx ON store_app.person (lower(name)) WHERE mood <> 'sad';
CREATE VIEW store_app.cheerful AS SELECT id, name FROM store_app.person WHERE mood = 'happy';
COMMENT ON TABLE store_app.person IS E'people\nand their moods';

SELECT squash_snapshot('store_before', ARRAY['store_app']) AS before_fp \gset
SELECT is(pg_typeof(document)::text, 'bytea', 'the document is stored in the binary form')
  FROM squash.snapshot_store WHERE label = 'store_before';
SELECT cmp_ok((SELECT octet_length(document) FROM squash.snapshot_store WHERE label = 'store_before'),
  '<', octet_length(squash_snapshot_export('store_before')::text),
  'and is smaller than its JSON export');
SELECT is(squash_snapshot_import(squash_snapshot_export('store_before'), 'store_copy'), :'before_fp',
  'export and import give back the same fingerprint');

-- Changes of several kinds, then: stored vs stored is the same as stored vs live.
ALTER TABLE store_app.person ALTER COLUMN name DROP DEFAULT;
ALTER TABLE store_app.person RENAME COLUMN note TO remark;
ALTER TYPE store_app.mood ADD VALUE 'meh' AFTER 'sad';
CREATE TABLE store_app.extra (a int);
SELECT lives_ok($$SELECT squash_snapshot('store_after', ARRAY['store_app'])$$, 'a second snapshot');
SELECT set_eq($$SELECT * FROM squash_diff('store_before', 'store_after')$$,
              $$SELECT * FROM squash_diff('store_before')$$,
  'a diff of two stored snapshots has the rows of the diff against the live schema');
SELECT cmp_ok((SELECT count(*) FROM squash_diff('store_before', 'store_after')), '>=', 5::bigint,
  'and finds every change');
SELECT is_empty($$SELECT * FROM squash_diff('store_before', 'store_copy')$$,
  'no rows between a snapshot and its imported copy');

-- Damage: garbage, truncation, another snapshot's document under this fingerprint.
UPDATE squash.snapshot_store SET document = '\x7b226f626a65637473223a5b5d7d' WHERE label = 'store_copy';
SELECT throws_ok($$SELECT * FROM squash_diff('store_copy')$$, 'XX001',
  'pg_squash: stored snapshot ''store_copy'' is corrupt: stored snapshot: not in pg_squash''s stored form (wrong header)',
  'a document that is not in the stored form is refused');
UPDATE squash.snapshot_store SET document = (SELECT substring(document FROM 1 FOR octet_length(document) - 7)
  FROM squash.snapshot_store WHERE label = 'store_before') WHERE label = 'store_copy';
SELECT throws_like($$SELECT squash_snapshot_export('store_copy')$$,
  'pg_squash: stored snapshot ''store_copy'' is corrupt: stored snapshot: truncated%',
  'a truncated document is refused');
UPDATE squash.snapshot_store SET document = (SELECT document FROM squash.snapshot_store WHERE label = 'store_after')
  WHERE label = 'store_copy';
SELECT throws_ok($$SELECT * FROM squash_diff('store_before', 'store_copy')$$, 'XX001',
  'pg_squash: stored snapshot ''store_copy'' does not match its recorded fingerprint',
  'another snapshot''s document under this fingerprint is refused');
SELECT throws_ok($$SELECT squash_stamp('0123456789ab', 'store_copy')$$, 'XX001', NULL,
  'and so is stamping against it');
SELECT ok(squash_fingerprint(ARRAY['store_app']) IS NOT NULL, 'the session is still fine');

SELECT * FROM finish();
ROLLBACK;
