-- squash_generate_migration() on inheritance trees whose column orders only their history
-- explains (tests/fixtures/generate/inheritance_history.sql): the script replays it, leaving
-- the late columns out of the CREATE TABLEs and adding them to the parents once the
-- children exist, and rebuilds the same fingerprint. A tree the replay cannot write is made
-- with INHERITS as before.
\set ON_ERROR_STOP 1
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
SELECT plan(16);

\ir ../fixtures/generate/inheritance_history.sql

CREATE TEMP TABLE gen AS
  SELECT squash_generate_migration(format => 'sql', schemas => '{ih}') AS sql,
    squash_generate_migration(schemas => '{ih}') AS py,
    squash_fingerprint('{ih}') AS fp;
CREATE TEMP TABLE orders AS
  SELECT c.relname, string_agg(a.attname, ',' ORDER BY a.attnum) AS cols
  FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
  WHERE c.relnamespace = 'ih'::regnamespace AND c.relkind = 'r' GROUP BY c.relname;
CREATE FUNCTION pg_temp.before(a text, b text) RETURNS boolean LANGUAGE sql AS
  $$SELECT strpos(sql, a) > 0 AND strpos(sql, b) > 0 AND strpos(sql, a) < strpos(sql, b) FROM gen$$;

SELECT is((SELECT cols FROM orders WHERE relname = 'f'), 'class,aa,c,ee,ff,f,e,a',
  'the source: f''s own columns come before the ones its ancestors got later');
SELECT matches((SELECT sql FROM gen), 'CREATE TABLE ih\.a \(\s*class character\(1\),\s*aa integer\s*\)',
  'the root is created without the column added after its children');
SELECT ok(pg_temp.before('CREATE TABLE ih.f (', 'ALTER TABLE ih.e ADD COLUMN e integer'),
  'the grandchild exists before its parent gets the later column');
SELECT ok(pg_temp.before('ALTER TABLE ih.e ADD COLUMN e integer', 'ALTER TABLE ih.a ADD COLUMN a text'),
  'the later columns come in the order every descendant has them');
SELECT ok(pg_temp.before('ALTER TABLE ih.a ADD COLUMN a text', 'CREATE INDEX d_a ON ih.d'),
  'an index on a late column comes after it');
SELECT ok(pg_temp.before('ALTER TABLE ih.a ADD COLUMN a text', 'ADD CONSTRAINT a_not_empty'),
  'and so does a constraint');
SELECT ok(pg_temp.before('ALTER TABLE ih.a ADD COLUMN a text', 'GRANT SELECT (a) ON TABLE ih.f TO PUBLIC'),
  'and a grant on it in a child');
SELECT ok(pg_temp.before('ALTER TABLE ih.diff ADD COLUMN f2 bigint DEFAULT 7 NOT NULL',
                         'COMMENT ON COLUMN ih.diff_c.f2'),
  'the added column keeps its default and NOT NULL, and the child''s comment on it follows');
SELECT ok(pg_temp.before('ALTER TABLE ih.m ADD COLUMN q integer', 'ALTER TABLE ih.m_child ADD COLUMN r integer'),
  'a child''s own column added after its parent''s comes after it');

-- Rebuild from the script.
DROP SCHEMA ih CASCADE;
DO $$BEGIN EXECUTE (SELECT sql FROM gen); END$$;
RESET search_path;
RESET check_function_bodies;
SELECT is(squash_fingerprint('{ih}'), (SELECT fp FROM gen), 'the script rebuilds the same fingerprint');
SELECT is((SELECT string_agg(c.relname || ':' || c.cols, ' ' ORDER BY c.relname) FROM (
             SELECT c.relname, string_agg(a.attname, ',' ORDER BY a.attnum) AS cols
             FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
               AND NOT a.attisdropped
             WHERE c.relnamespace = 'ih'::regnamespace AND c.relkind = 'r' GROUP BY c.relname) c),
          (SELECT string_agg(relname || ':' || cols, ' ' ORDER BY relname) FROM orders),
  'every table has its column order');
SELECT is((SELECT string_agg(c.relname || '.' || a.attname || ':' || a.attislocal || '/' || a.attinhcount,
                             ' ' ORDER BY c.relname, a.attname)
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
           WHERE c.relname IN ('m_child', 'd') AND c.relnamespace = 'ih'::regnamespace
             AND a.attname IN ('z', 'a')),
  'd.a:false/2 m_child.z:true/1',
  'a column two parents give is inherited twice; a child''s own column merged with a later parent''s stays local');
INSERT INTO ih.diff_c (f1, extra) VALUES (1, 2);
SELECT is((SELECT f2::text || ' ' || g::text FROM ih.diff_c), '7 1.50',
  'the late columns'' defaults work in the child');

-- The Alembic revision has the same steps, and no undo for the added columns (the tables'
-- drops take them).
SELECT matches((SELECT py FROM gen), 'def upgrade\(\):.*ALTER TABLE ih\.a ADD COLUMN a text',
  'the revision adds the late column');
SELECT unalike((SELECT py FROM gen), '%DROP COLUMN%', 'and its downgrade drops no column');

-- A tree the replay cannot write (a child's own column added before the parent's column of
-- the same name): created with INHERITS, as before; only its column order differs.
DROP SCHEMA ih CASCADE;
CREATE SCHEMA ih;
CREATE TABLE ih.p (a int);
CREATE TABLE ih.p_child (b int) INHERITS (ih.p);
ALTER TABLE ih.p ADD COLUMN x int;
ALTER TABLE ih.p_child ADD COLUMN y int;
ALTER TABLE ih.p ADD COLUMN y int;
CREATE TEMP TABLE snap AS SELECT squash_snapshot('ih_fallback', '{ih}');
CREATE TEMP TABLE gen2 AS SELECT squash_generate_migration(format => 'sql', schemas => '{ih}') AS sql;
DROP SCHEMA ih CASCADE;
DO $$BEGIN EXECUTE (SELECT sql FROM gen2); END$$;
RESET search_path;
RESET check_function_bodies;
SELECT is((SELECT string_agg(kind || ' ' || identity || ' ' || change, '; ') FROM squash_diff('ih_fallback')),
  'column order ih.p_child changed', 'the fallback differs in that child''s column order only');

SELECT * FROM finish();
ROLLBACK;
