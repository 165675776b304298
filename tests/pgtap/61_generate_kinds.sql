-- squash_generate_migration() and aggregates, operators (shell ones too) and collations:
-- written in dependency order, dropped by the downgrade, and the script rebuilds the same
-- fingerprint here, in this transaction. Casts (whole database only) and real Alembic are
-- in tests/e2e/generate_roundtrip.sh.
\set ON_ERROR_STOP 1
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
SELECT plan(12);

CREATE SCHEMA gk;
-- pagila's aggregate, used by a view.
CREATE FUNCTION gk._group_concat(text, text) RETURNS text LANGUAGE sql IMMUTABLE
  AS $_$ SELECT CASE WHEN $2 IS NULL THEN $1 WHEN $1 IS NULL THEN $2 ELSE $1 || ', ' || $2 END $_$;
CREATE AGGREGATE gk.group_concat(text) (SFUNC = gk._group_concat, STYPE = text);
CREATE TABLE gk.actor (id int PRIMARY KEY, first_name text, last_name text);
CREATE VIEW gk.names AS SELECT last_name, gk.group_concat(first_name) AS first_names
  FROM gk.actor GROUP BY last_name;
CREATE FUNCTION gk.eq(integer, integer) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1 = $2';
CREATE OPERATOR gk.=== (FUNCTION = gk.eq, LEFTARG = integer, RIGHTARG = integer,
  COMMUTATOR = OPERATOR(gk.===), NEGATOR = OPERATOR(gk.!==));
CREATE OPERATOR gk.@@@ (FUNCTION = gk.eq, LEFTARG = integer, RIGHTARG = integer,
  NEGATOR = OPERATOR(gk.@!@));
DROP OPERATOR gk.@@@ (integer, integer);
CREATE COLLATION gk.posix (provider = libc, locale = 'POSIX');
CREATE TABLE gk.words (w text COLLATE gk.posix CHECK (length(w) OPERATOR(gk.===) length(w)));

SELECT lives_ok($$SELECT squash_generate_migration(schemas => '{gk}')$$,
  'a schema with aggregates, operators and collations generates without allow_partial');
CREATE TEMP TABLE gen AS SELECT squash_generate_migration(format => 'sql', schemas => '{gk}') AS sql,
  squash_generate_migration(schemas => '{gk}') AS py, squash_fingerprint('{gk}') AS fp;
CREATE FUNCTION pg_temp.before(a text, b text) RETURNS boolean LANGUAGE sql AS
  $$SELECT strpos(sql, a) > 0 AND strpos(sql, b) > 0 AND strpos(sql, a) < strpos(sql, b) FROM gen$$;

SELECT ok(pg_temp.before('CREATE FUNCTION gk._group_concat(', 'CREATE AGGREGATE gk.group_concat(text) ('),
  'the aggregate after its state function');
SELECT ok(pg_temp.before('CREATE AGGREGATE gk.group_concat(text) (', 'CREATE VIEW gk.names'),
  'the view after the aggregate it uses');
SELECT ok(pg_temp.before('CREATE FUNCTION gk.eq(', 'CREATE OPERATOR gk.=== ('),
  'the operator after its function');
SELECT ok(pg_temp.before('CREATE OPERATOR gk.=== (', 'ALTER TABLE gk.words ADD CONSTRAINT'),
  'the CHECK after the operator it uses');
SELECT ok(pg_temp.before('CREATE COLLATION gk.posix (provider = libc, lc_collate = ''POSIX'', lc_ctype = ''POSIX'')',
  'CREATE TABLE gk.words'), 'the collation before the table whose column uses it');
SELECT matches((SELECT sql FROM gen), 'NEGATOR = OPERATOR\(gk\.@!@\)\)',
  'a shell operator nothing names is made through a throwaway negator');
SELECT unalike((SELECT sql FROM gen), '%CREATE OPERATOR gk.!==%',
  'a shell operator another one names comes with it');
SELECT matches((SELECT py FROM gen),
  'def downgrade\(\):.*DROP OPERATOR IF EXISTS gk\.!==\(integer, integer\).*DROP OPERATOR gk\.===\(integer, integer\).*DROP AGGREGATE gk\.group_concat\(text\).*DROP COLLATION gk\.posix',
  'the downgrade drops them, dependents first');

-- Rebuild here: drop the schema, run the script, compare.
DROP SCHEMA gk CASCADE;
DO $$BEGIN EXECUTE (SELECT sql FROM gen); END$$;
RESET search_path;
RESET check_function_bodies;
SELECT is(squash_fingerprint('{gk}'), (SELECT fp FROM gen), 'the script rebuilds the same fingerprint');
SELECT is(gk.group_concat(x), 'a, b', 'and the aggregate works') FROM unnest('{a,b}'::text[]) x;
SELECT is((SELECT string_agg(oprname, ' ' ORDER BY oprname) FROM pg_operator
            WHERE oprnamespace = 'gk'::regnamespace AND oprcode = 0),
  '!== @!@', 'both shell operators exist again');

SELECT * FROM finish();
ROLLBACK;
