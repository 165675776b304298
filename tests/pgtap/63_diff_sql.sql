-- squash_diff_json() and squash_diff_sql(): who may call them, their arguments, the JSON
-- document, the script's frame (transaction, lock_timeout, locks), destructive statements
-- refused with each listed, the Alembic form, and the stamp's HINT pointing at them.
-- Applying the scripts (each kind of difference, real Alembic) is in
-- tests/e2e/diff_sql_repair.sh and tests/e2e/diff_sql_alembic.sh.
\set ON_ERROR_STOP 1
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
SELECT plan(37);

SELECT has_function('squash_diff_json', ARRAY['text', 'text'], 'squash_diff_json(source, target) exists');
SELECT has_function('squash_diff_sql', ARRAY['text', 'text', 'boolean', 'text', 'text', 'text'],
  'squash_diff_sql(source, target, allow_destructive, format, down_revision, revision) exists');
SELECT ok(NOT has_function_privilege('public', 'squash_diff_json(text, text)', 'EXECUTE'),
  'PUBLIC may not run squash_diff_json');
SELECT ok(NOT has_function_privilege('public',
  'squash_diff_sql(text, text, boolean, text, text, text)', 'EXECUTE'), 'nor squash_diff_sql');
SELECT ok(has_function_privilege('squash_admin', 'squash_diff_json(text, text)', 'EXECUTE')
      AND has_function_privilege('squash_admin',
            'squash_diff_sql(text, text, boolean, text, text, text)', 'EXECUTE'),
  'squash_admin may run both');

CREATE SCHEMA ds_app;
CREATE TABLE ds_app.t (id integer PRIMARY KEY, name text DEFAULT 'x', n integer);
CREATE INDEX ix_t_n ON ds_app.t (n);
SELECT squash_snapshot('ds_base', '{ds_app}') AS base_fp \gset

-- Arguments.
SELECT throws_ok($$SELECT squash_diff_sql(NULL)$$, '22004', NULL, 'a NULL source is an error');
SELECT throws_ok($$SELECT squash_diff_sql('ds_no_such')$$, '42704', NULL, 'an unknown source label is an error');
SELECT throws_ok($$SELECT squash_diff_sql('ds_base', 'ds_no_such')$$, '42704', NULL,
  'an unknown target label is an error');
SELECT throws_ok($$SELECT squash_diff_sql('ds_base', format => 'xml')$$, '22023',
  'pg_squash: unknown format ''xml''', 'an unknown format is an error');
SELECT throws_ok($$SELECT squash_diff_sql('ds_base', down_revision => 'abc')$$, '22023',
  'pg_squash: revision and down_revision are for format => ''alembic''',
  'down_revision needs the alembic format');
SELECT throws_ok($$SELECT squash_diff_sql('ds_base', format => 'alembic', down_revision => 'a b')$$,
  '22023', NULL, 'an invalid down_revision is an error');
SELECT throws_ok($$SELECT squash_diff_json('ds_no_such')$$, '42704', NULL,
  'squash_diff_json: an unknown label is an error');

-- Equal schemas: an empty change list, a script that does nothing.
SELECT is(squash_diff_json('ds_base')->'changes', '[]'::jsonb, 'no change when nothing differs');
SELECT is(squash_diff_json('ds_base')->>'source_fingerprint', :'base_fp', 'the source fingerprint');
SELECT is(squash_diff_json('ds_base')->>'target_fingerprint', :'base_fp', 'the live fingerprint');
SELECT matches(squash_diff_sql('ds_base'), E'\nBEGIN;\nSET LOCAL lock_timeout = ''10s'';\n(.|\n)*-- Nothing to do(.|\n)*\nCOMMIT;\n$',
  'an empty repair is an empty transaction');

-- A drift of three attributes.
ALTER TABLE ds_app.t ALTER COLUMN name SET DEFAULT 'y';
ALTER TABLE ds_app.t ALTER COLUMN n SET NOT NULL;
ALTER INDEX ds_app.ix_t_n RENAME TO t_n_idx;
SELECT squash_snapshot('ds_drift', '{ds_app}') AS drift_fp \gset
SELECT is(jsonb_array_length(squash_diff_json('ds_base')->'changes'), 3, 'three changes');
SELECT is((SELECT count(*)::int FROM squash_diff('ds_base')), 3, 'as many as squash_diff rows');
SELECT is(squash_diff_json('ds_base') @> '{"changes": [{"kind": "column", "identity": "ds_app.t.name",
  "change": "changed", "attributes": [{"attribute": "default", "old": "''x''::text", "new": "''y''::text"}]}]}', true,
  'a changed default: attribute, old (the source''s) and new (the target''s) value');
SELECT is(squash_diff_json('ds_base') @> '{"changes": [{"kind": "index", "identity": "ds_app.t_n_idx",
  "change": "renamed", "from": "ds_app.ix_t_n"}]}', true, 'a rename names where it came from');
SELECT is(squash_diff_json('ds_base', 'ds_drift') - 'target', squash_diff_json('ds_base') - 'target',
  'between two labels as against the live schema');
SELECT is(squash_diff_json('ds_base')->>'target', NULL, 'target null for the live schema');

CREATE TEMP TABLE ds_script AS SELECT squash_diff_sql('ds_base') AS s;
SELECT matches(s, E'\nALTER TABLE ds_app.t ALTER COLUMN name SET DEFAULT ''x''::text;\n', 'the default set back')
  FROM ds_script;
SELECT matches(s, E'\nALTER TABLE ds_app.t ALTER COLUMN n DROP NOT NULL;\n', 'NOT NULL dropped') FROM ds_script;
SELECT matches(s, E'\nALTER INDEX ds_app.t_n_idx RENAME TO ix_t_n;\n', 'the index renamed back') FROM ds_script;
SELECT matches(s, E'-- Locks taken:\n--   ACCESS EXCLUSIVE on ds_app.t\n', 'the header names the lock')
  FROM ds_script;
SELECT is(squash_diff_sql('ds_base', 'ds_drift'), replace(s, 'the live schema', 'snapshot ''ds_drift'''),
  'between two labels the same script') FROM ds_script;

-- Destructive: refused with the list, allowed and marked.
ALTER TABLE ds_app.t ADD COLUMN extra text;
SELECT throws_like($$SELECT squash_diff_sql('ds_base')$$,
  '%refusing to write a script that loses data: 1 destructive statement(s): column ds_app.t.extra dropped%',
  'dropping a column is refused without allow_destructive');
SELECT matches(squash_diff_sql('ds_base', allow_destructive => true),
  E'-- DESTRUCTIVE: column ds_app.t.extra dropped: its values are lost\nALTER TABLE ds_app.t DROP COLUMN extra;',
  'and marked when allowed');

-- The Alembic form.
SELECT matches(squash_diff_sql('ds_base', allow_destructive => true, format => 'alembic',
                               down_revision => 'abc123', revision => 'repair_1'),
  E'\nrevision = ''repair_1''\ndown_revision = ''abc123''\n(.|\n)*\ndef upgrade\\(\\):\n    _begin\\(\\)\n(.|\n)*\ndef downgrade\\(\\):\n    _begin\\(\\)\n',
  'an Alembic revision with upgrade and downgrade');

-- A refused stamp points at the repair.
CREATE FUNCTION pg_temp.stamp_hint() RETURNS text LANGUAGE plpgsql AS $$
DECLARE h text;
BEGIN
  PERFORM squash_stamp('000_squashed_complete', 'ds_base');
  RETURN NULL;
EXCEPTION WHEN object_not_in_prerequisite_state THEN
  GET STACKED DIAGNOSTICS h = PG_EXCEPTION_HINT;
  RETURN h;
END $$;
SELECT matches(pg_temp.stamp_hint(), 'squash_diff_sql\(''ds_base''\)', 'a refused stamp''s HINT names squash_diff_sql');

-- Enum labels are literals: one holding ", " is one label (a missing one is added).
CREATE SCHEMA ds_enum;
CREATE TYPE ds_enum.who AS ENUM ('Smith, John', 'O''Brien, "Pat"', 'new');
SELECT squash_snapshot('ds_enum_src', '{ds_enum}') IS NOT NULL AS taken \gset
DROP TYPE ds_enum.who;
CREATE TYPE ds_enum.who AS ENUM ('Smith, John', 'O''Brien, "Pat"');
SELECT matches(squash_diff_sql('ds_enum_src'), E'ALTER TYPE ds_enum.who ADD VALUE IF NOT EXISTS ''new''',
  'a label after labels holding ", " and quotes is added as one value');
SELECT ok(strpos(squash_diff_sql('ds_enum_src'), 'ADD VALUE') < strpos(squash_diff_sql('ds_enum_src'), E'\nBEGIN;'),
  'a new label is committed before the transaction that may use it');
DO $$BEGIN EXECUTE replace(replace(squash_diff_sql('ds_enum_src'), 'BEGIN;', ''), 'COMMIT;', ''); END$$;
RESET search_path;
RESET lock_timeout;
SELECT is(squash_fingerprint('{ds_enum}'),
  (SELECT fingerprint FROM squash.snapshot_store WHERE label = 'ds_enum_src'),
  'and the repaired enum has the source''s fingerprint');

-- Extensions ship no downgrade path: an older version is dropped and created again.
CREATE SCHEMA ds_ext;
CREATE EXTENSION pg_trgm WITH SCHEMA ds_ext VERSION '1.5';
SELECT squash_snapshot('ds_ext_src', '{ds_ext}') IS NOT NULL AS taken \gset
ALTER EXTENSION pg_trgm UPDATE TO '1.6';
SELECT matches(squash_diff_sql('ds_ext_src'), E'DROP EXTENSION[^\\n]* pg_trgm;\\n(.*\\n)*CREATE EXTENSION[^\\n]* pg_trgm [^\\n]*VERSION ''1.5''',
  'an extension at an older version is dropped and created at that version');
DO $$BEGIN EXECUTE replace(replace(squash_diff_sql('ds_ext_src'), 'BEGIN;', ''), 'COMMIT;', ''); END$$;
RESET search_path;
RESET lock_timeout;
SELECT is(squash_fingerprint('{ds_ext}'),
  (SELECT fingerprint FROM squash.snapshot_store WHERE label = 'ds_ext_src'),
  'and the extension is back at the source''s version');

-- Between two labels too, a column leaves a collation before it is dropped.
CREATE SCHEMA ds_coll;
CREATE TABLE ds_coll.t (b text);
SELECT squash_snapshot('ds_coll_src', '{ds_coll}') IS NOT NULL AS taken \gset
CREATE COLLATION ds_coll.de (provider = icu, locale = 'de-DE');
ALTER TABLE ds_coll.t ALTER COLUMN b TYPE text COLLATE ds_coll.de;
SELECT squash_snapshot('ds_coll_tgt', '{ds_coll}') IS NOT NULL AS taken \gset
DO $$BEGIN EXECUTE replace(replace(squash_diff_sql('ds_coll_src', 'ds_coll_tgt'), 'BEGIN;', ''), 'COMMIT;', ''); END$$;
RESET search_path;
RESET lock_timeout;
SELECT is(squash_fingerprint('{ds_coll}'),
  (SELECT fingerprint FROM squash.snapshot_store WHERE label = 'ds_coll_src'),
  'a script between labels takes a column off a collation before dropping it');

SELECT * FROM finish();
ROLLBACK;
