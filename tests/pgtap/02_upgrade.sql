-- ALTER EXTENSION pg_squash UPDATE: an installation of 0.1.0, updated, has exactly the
-- objects, grants and settings of a fresh install of the current version, and keeps its
-- snapshots.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
SELECT plan(7);

-- Everything the extension installs, as comparable text.
CREATE FUNCTION pg_temp.installed() RETURNS SETOF text LANGUAGE sql AS $$
SELECT 'function ' || p.oid::regprocedure::text || ' returns ' || p.prorettype::regtype::text
       || ' ' || p.provolatile::text || p.proisstrict::text || ' config ' ||
       COALESCE(array_to_string(p.proconfig, ','), '') || ' acl ' || COALESCE(p.proacl::text, '')
       || ' comment ' || COALESCE(obj_description(p.oid, 'pg_proc'), '')
  FROM pg_proc p
  JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'pg_squash'
UNION ALL
SELECT 'relation ' || c.oid::regclass::text || ' ' || c.relkind::text || ' acl ' ||
       COALESCE(c.relacl::text, '')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'squash'
UNION ALL
SELECT 'column ' || c.oid::regclass::text || '.' || a.attname || ' ' ||
       format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull::text || ' ' ||
       a.attidentity::text || ' ' || a.attcompression::text || ' ' ||
       COALESCE(pg_get_expr(ad.adbin, ad.adrelid), '')
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
 WHERE n.nspname = 'squash' AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'constraint ' || k.conrelid::regclass::text || ' ' || k.conname || ' ' ||
       pg_get_constraintdef(k.oid)
  FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace WHERE n.nspname = 'squash'
UNION ALL
SELECT 'schema squash acl ' || COALESCE(nspacl::text, '') FROM pg_namespace
 WHERE nspname = 'squash'
UNION ALL
SELECT 'dumped by pg_dump: ' || c::regclass::text || ' where ' || COALESCE(w, '')
  FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS x(c, w)
 WHERE e.extname = 'pg_squash'
$$;

DROP EXTENSION IF EXISTS pg_squash CASCADE;
CREATE EXTENSION pg_squash;
CREATE TEMP TABLE fresh AS SELECT * FROM pg_temp.installed() AS item;
SELECT is((SELECT count(*) FROM fresh WHERE item LIKE 'dumped by pg_dump: %'), 6::bigint,
  'pg_dump carries the five state tables and the stamp history sequence');
DROP EXTENSION pg_squash;

CREATE SCHEMA upgrade_app;
CREATE TABLE upgrade_app.t (id int PRIMARY KEY, name text DEFAULT 'x');
CREATE EXTENSION pg_squash VERSION '0.1.0';
SELECT squash_snapshot('before_update', ARRAY['upgrade_app']) AS before_fp \gset
SELECT lives_ok($$ALTER EXTENSION pg_squash UPDATE$$, 'ALTER EXTENSION pg_squash UPDATE works');
SELECT is((SELECT extversion FROM pg_extension WHERE extname = 'pg_squash'),
  (SELECT default_version FROM pg_available_extensions WHERE name = 'pg_squash'),
  'it reaches the current version');
SELECT set_eq($$SELECT * FROM pg_temp.installed()$$, $$SELECT item FROM fresh$$,
  'the updated installation has exactly what a fresh one has');
SELECT is((SELECT fingerprint FROM squash.snapshots WHERE label = 'before_update'), :'before_fp',
  'the snapshot taken before the update is kept');
SELECT is_empty($$SELECT * FROM squash_diff('before_update')$$,
  'and still reads back equal to the live schema');
SELECT is(squash_snapshot_import(squash_snapshot_export('before_update'), 'after_update'),
  :'before_fp', 'and exports as before');

SELECT * FROM finish();
ROLLBACK;
