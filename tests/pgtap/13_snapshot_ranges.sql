-- Range types: subtype, its operator class and collation, subtype_diff and the multirange
-- type's name are attributes, named by squash_diff old -> new; a change makes the stamp
-- refuse; none is unmodelled; the generator rebuilds them (multirange columns and range
-- constructors in defaults included) and its downgrade drops them.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
\ir 10_snapshot_helpers.inc
SELECT plan(14);

CREATE SCHEMA app;
CREATE FUNCTION app.time_diff(time, time) RETURNS float8 LANGUAGE sql IMMUTABLE
  AS 'SELECT EXTRACT(EPOCH FROM ($1 - $2))';
CREATE FUNCTION app.time_diff2(time, time) RETURNS float8 LANGUAGE sql IMMUTABLE
  AS 'SELECT EXTRACT(EPOCH FROM ($2 - $1))';

SELECT pg_temp.change_is('CREATE TYPE app.timerange AS RANGE (SUBTYPE = time, SUBTYPE_DIFF = app.time_diff)',
  'range type', 'app.timerange', 'added',
  'multirange type name app.timemultirange, owner ' || current_user || ', subtype time without time zone, subtype diff app.time_diff, subtype opclass pg_catalog.time_ops',
  'a range type with its subtype_diff');
SELECT pg_temp.change_is('DROP TYPE app.timerange; CREATE TYPE app.timerange AS RANGE (SUBTYPE = time, SUBTYPE_DIFF = app.time_diff2)',
  'range type', 'app.timerange', 'changed', 'subtype_diff: app.time_diff → app.time_diff2',
  'the subtype_diff function');
SELECT pg_temp.change_is('DROP TYPE app.timerange; CREATE TYPE app.timerange AS RANGE (SUBTYPE = time, SUBTYPE_DIFF = app.time_diff2, MULTIRANGE_TYPE_NAME = app.shifts)',
  'range type', 'app.timerange', 'changed', 'multirange_type_name: app.timemultirange → app.shifts',
  'the multirange type''s name');
SELECT pg_temp.change_is('DROP TYPE app.timerange; CREATE TYPE app.timerange AS RANGE (SUBTYPE = timetz, MULTIRANGE_TYPE_NAME = app.shifts)',
  'range type', 'app.timerange', 'changed', 'subtype: time without time zone → time with time zone',
  'the subtype');
SELECT pg_temp.change_is('CREATE TYPE app.textrange AS RANGE (SUBTYPE = text, COLLATION = "C")',
  'range type', 'app.textrange', 'added', 'collation pg_catalog."C"', 'a collated subtype');
SELECT pg_temp.change_is('DROP TYPE app.textrange; CREATE TYPE app.textrange AS RANGE (SUBTYPE = text, COLLATION = "POSIX")',
  'range type', 'app.textrange', 'changed', 'collation: pg_catalog."C" → pg_catalog."POSIX"',
  'the collation');
SELECT pg_temp.change_is('DROP TYPE app.textrange; CREATE TYPE app.textrange AS RANGE (SUBTYPE = text, COLLATION = "POSIX", SUBTYPE_OPCLASS = text_pattern_ops)',
  'range type', 'app.textrange', 'changed', 'subtype_opclass: pg_catalog.text_ops → pg_catalog.text_pattern_ops',
  'the subtype''s operator class');
SELECT pg_temp.change_is($$COMMENT ON TYPE app.textrange IS 'words'$$,
  'range type', 'app.textrange', 'changed', 'comment: (none) → words', 'comment');
SELECT pg_temp.stamp_refuses('DROP TYPE app.textrange; CREATE TYPE app.textrange AS RANGE (SUBTYPE = text)',
  'range type', 'the stamp refuses a changed range type');
SELECT squash_snapshot('range_check', '{app}') IS NOT NULL AS taken \gset
SELECT is((SELECT count(*) FROM jsonb_array_elements(squash_snapshot_export('range_check')->'objects') o
            WHERE o->>'kind' = 'unmodelled'), 0::bigint, 'no range type is unmodelled');

-- Generator round trip in this transaction: tables use the range, its multirange and its
-- constructor.
CREATE TYPE app.floatrange AS RANGE (SUBTYPE = float8, SUBTYPE_DIFF = float8mi);
CREATE TABLE app.shift_plan (id int PRIMARY KEY, during app.timerange, many app.shifts,
  f app.floatrange DEFAULT app.floatrange(0, 1), tr app.textrange);
CREATE TEMP TABLE gen AS SELECT squash_generate_migration(format => 'sql', schemas => '{app}') AS sql,
  squash_generate_migration(schemas => '{app}') AS py, squash_fingerprint('{app}') AS fp;
SELECT unalike((SELECT sql FROM gen), '%cannot be expressed%', 'range types generate without allow_partial');
SELECT ok(strpos((SELECT sql FROM gen), 'CREATE TYPE app.floatrange AS RANGE') <
          strpos((SELECT sql FROM gen), 'CREATE TABLE app.shift_plan'), 'the range types come before the table');
SELECT matches((SELECT py FROM gen), 'def downgrade\(\):.*DROP TABLE app\.shift_plan.*DROP TYPE app\.floatrange',
  'the downgrade drops them after the table');
DROP SCHEMA app CASCADE;
DO $$BEGIN EXECUTE (SELECT sql FROM gen); END$$;
RESET search_path;
RESET check_function_bodies;
SELECT is(squash_fingerprint('{app}'), (SELECT fp FROM gen), 'the script rebuilds the same fingerprint');

SELECT * FROM finish();
ROLLBACK;
