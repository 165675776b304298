-- Minimal reproductions of what PostgreSQL's own regression database (the "regression"
-- database `make installcheck` leaves behind) showed: each object here made the generated
-- script fail or build something else. The script of schema rf must rebuild its fingerprint.
\set ON_ERROR_STOP 1
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
SELECT plan(12);

CREATE SCHEMA rf;
-- Two procedures whose argument lists read the same once the OUT argument counts
-- (create_procedure.sql): "rf.p(integer, integer, integer)" names either.
CREATE PROCEDURE rf.p(OUT a int, IN b int, IN c int) LANGUAGE sql AS $$ SELECT b - c $$;
CREATE PROCEDURE rf.p(IN a int, IN b int, IN c int) LANGUAGE sql AS $$ SELECT a + b - c $$;
COMMENT ON PROCEDURE rf.p(IN int, int, int) IS 'three in';
GRANT EXECUTE ON PROCEDURE rf.p(IN int, int, int) TO PUBLIC;
-- An inheritance child with a generated column of its own, attached to a parent that has
-- the same one (generated.sql): CREATE TABLE ... INHERITS refuses the child's expression.
CREATE TABLE rf.g (a int PRIMARY KEY, b int GENERATED ALWAYS AS (a * 2) STORED);
CREATE TABLE rf.g_child (a int NOT NULL, b int GENERATED ALWAYS AS (a * 2) STORED);
ALTER TABLE rf.g_child INHERIT rf.g;
-- Its own columns in another order than the parent's: INHERITS would put a first.
CREATE TABLE rf.g_child2 (b int GENERATED ALWAYS AS (a * 2) STORED, a int NOT NULL);
ALTER TABLE rf.g_child2 INHERIT rf.g;
-- A list setting whose elements are quoted, empty or longer than a name (rangefuncs.sql).
CREATE FUNCTION rf.f() RETURNS int LANGUAGE sql
  SET search_path TO "Mixed Case", rf
  SET local_preload_libraries TO "Mixed/Case", 'c:/''a"/path', '',
    '0123456789012345678901234567890123456789012345678901234567890123456789'
  AS 'SELECT 1';
-- A partitioned index made ON ONLY, one partition's index attached and one without
-- (indexing.sql): a recursing CREATE INDEX would give the other partition one too.
CREATE TABLE rf.pt (a int) PARTITION BY RANGE (a);
CREATE TABLE rf.pt1 PARTITION OF rf.pt FOR VALUES FROM (0) TO (10);
CREATE TABLE rf.pt2 PARTITION OF rf.pt FOR VALUES FROM (10) TO (20);
CREATE INDEX pt2_a ON rf.pt2 (a);
CREATE INDEX pt_a ON ONLY rf.pt (a);
ALTER INDEX rf.pt_a ATTACH PARTITION rf.pt2_a;
-- Fully indexed: recursing is right and the index valid.
CREATE TABLE rf.qt (a int) PARTITION BY LIST (a);
CREATE TABLE rf.qt1 PARTITION OF rf.qt FOR VALUES IN (1);
CREATE INDEX qt_a ON rf.qt (a);

CREATE TEMP TABLE gen AS
  SELECT squash_generate_migration(format => 'sql', schemas => '{rf}', with_owners => true) AS sql,
    squash_fingerprint('{rf}') AS fp;

SELECT matches((SELECT sql FROM gen),
  'COMMENT ON PROCEDURE rf\.p\(IN integer, integer, integer\) IS',
  'a procedure is named by its input arguments (IN)');
SELECT doesnt_match((SELECT sql FROM gen), E'STORED\n\\) INHERITS',
  'the child''s generated column takes the parent''s expression');
SELECT matches((SELECT sql FROM gen),
  E'CREATE TABLE rf\\.g_child2 \\(\n    b integer GENERATED ALWAYS AS \\(\\(a \\* 2\\)\\) STORED,\n    a integer NOT NULL\n\\);\nALTER TABLE rf\\.g_child2 INHERIT rf\\.g',
  'a child with all its columns its own in another order is made, then attached');
SELECT matches((SELECT sql FROM gen),
  E'SET local_preload_libraries TO ''Mixed/Case'', ''c:/''''a"/path'', '''', ''0123',
  'list settings are written one literal per element');
SELECT matches((SELECT sql FROM gen),
  'CREATE INDEX pt_a ON ONLY rf\.pt .*ALTER INDEX rf\.pt_a ATTACH PARTITION rf\.pt2_a',
  'an index made ON ONLY is made so again, its partitions'' indexes attached');
SELECT matches((SELECT sql FROM gen), 'CREATE INDEX qt_a ON rf\.qt USING',
  'a fully indexed partitioned table''s index recurses');

DROP SCHEMA rf CASCADE;
DO $$BEGIN EXECUTE (SELECT sql FROM gen); END$$;
RESET search_path;
RESET check_function_bodies;
SELECT is(squash_fingerprint('{rf}'), (SELECT fp FROM gen), 'the script rebuilds the same fingerprint');
SELECT is((SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute
  WHERE attrelid = 'rf.g_child2'::regclass AND attnum > 0), 'b,a', 'and keeps its column order');
SELECT is((SELECT count(*)::int FROM pg_proc WHERE pronamespace = 'rf'::regnamespace AND proname = 'p'),
  2, 'both procedures exist');
SELECT ok((SELECT 'local_preload_libraries="Mixed/Case", "c:/''a""/path", "", "0123456789012345678901234567890123456789012345678901234567890123456789"'
              = ANY (proconfig) FROM pg_proc WHERE oid = 'rf.f()'::regprocedure),
  'the list setting is back element by element, nothing truncated');
SELECT is((SELECT count(*)::int FROM pg_index WHERE indrelid = 'rf.pt1'::regclass), 0,
  'the partition without an index still has none');
SELECT is((SELECT indisvalid FROM pg_index WHERE indexrelid = 'rf.pt_a'::regclass), false,
  'and the parent index is as invalid as it was');

SELECT * FROM finish();
ROLLBACK;
