-- squash_generate_migration() and operator families and classes, text search objects and
-- conversions: written in dependency order, dropped by the downgrade, and the script
-- rebuilds the same fingerprint here, in this transaction. Languages, transforms and access
-- methods (whole database only) and real Alembic are in tests/e2e/generate_roundtrip.sh.
\set ON_ERROR_STOP 1
\set QUIET 1
SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
SELECT plan(17);

CREATE SCHEMA gb;
CREATE DOMAIN gb.dint AS integer;
CREATE FUNCTION gb.lt(gb.dint, gb.dint) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT $1::int < $2::int';
CREATE FUNCTION gb.cmp(gb.dint, gb.dint) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT btint4cmp($1, $2)';
CREATE OPERATOR gb.< (FUNCTION = gb.lt, LEFTARG = gb.dint, RIGHTARG = gb.dint);
CREATE OPERATOR CLASS gb.dint_ops DEFAULT FOR TYPE gb.dint USING btree AS
  OPERATOR 1 gb.<, FUNCTION 1 gb.cmp(gb.dint, gb.dint);
CREATE OPERATOR FAMILY gb.hfam USING hash;
CREATE OPERATOR CLASS gb.int_hash FOR TYPE integer USING hash FAMILY gb.hfam AS
  OPERATOR 1 =, FUNCTION 1 hashint4(integer);
ALTER OPERATOR FAMILY gb.hfam USING hash ADD OPERATOR 1 = (integer, bigint),
  FUNCTION 1 (bigint, bigint) hashint8(bigint);
COMMENT ON OPERATOR FAMILY gb.hfam USING hash IS 'hash''s';
-- Every member written here is cross-type: btree makes them all the family's.
CREATE OPERATOR CLASS gb.all_cross FOR TYPE integer USING btree AS OPERATOR 1 <(integer, bigint);
CREATE TABLE gb.t (id integer, d gb.dint);
CREATE INDEX t_d ON gb.t (d);
CREATE INDEX t_id ON gb.t USING hash (id gb.int_hash);
CREATE TEXT SEARCH PARSER gb.prs (START = prsd_start, GETTOKEN = prsd_nexttoken, END = prsd_end,
  LEXTYPES = prsd_lextype);
CREATE TEXT SEARCH TEMPLATE gb.tmpl (INIT = dsimple_init, LEXIZE = dsimple_lexize);
CREATE TEXT SEARCH DICTIONARY gb.stop (TEMPLATE = gb.tmpl, STOPWORDS = english);
CREATE TEXT SEARCH CONFIGURATION gb.cfg (PARSER = gb.prs);
ALTER TEXT SEARCH CONFIGURATION gb.cfg ADD MAPPING FOR asciiword WITH gb.stop, english_stem;
ALTER TEXT SEARCH CONFIGURATION gb.cfg ADD MAPPING FOR int WITH simple;
COMMENT ON TEXT SEARCH CONFIGURATION gb.cfg IS 'mine';
CREATE TABLE gb.docs (body text, tsv tsvector GENERATED ALWAYS AS (to_tsvector('gb.cfg', body)) STORED);
CREATE CONVERSION gb.l1_u8 FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;

SELECT lives_ok($$SELECT squash_generate_migration(schemas => '{gb}')$$,
  'a schema with operator classes, text search objects and a conversion generates without allow_partial');
CREATE TEMP TABLE gen AS SELECT squash_generate_migration(format => 'sql', schemas => '{gb}') AS sql,
  squash_generate_migration(schemas => '{gb}') AS py, squash_fingerprint('{gb}') AS fp,
  to_tsvector('gb.cfg', 'The quick foxes jumped 42 times')::text AS tsv;
CREATE FUNCTION pg_temp.before(a text, b text) RETURNS boolean LANGUAGE sql AS
  $$SELECT strpos(sql, a) > 0 AND strpos(sql, b) > 0 AND strpos(sql, a) < strpos(sql, b) FROM gen$$;

SELECT ok(pg_temp.before('CREATE OPERATOR gb.<', 'CREATE OPERATOR CLASS gb.dint_ops DEFAULT FOR TYPE gb.dint USING btree FAMILY gb.dint_ops AS'),
  'the class after its operator');
SELECT ok(pg_temp.before('CREATE OPERATOR FAMILY gb.dint_ops USING btree', 'CREATE OPERATOR CLASS gb.dint_ops'),
  'the family before its class');
SELECT ok(pg_temp.before('CREATE OPERATOR CLASS gb.dint_ops', 'CREATE INDEX t_d'),
  'the index after the default class it uses');
SELECT ok(pg_temp.before('CREATE OPERATOR CLASS gb.int_hash', 'CREATE INDEX t_id'),
  'the index after the class it names');
SELECT matches((SELECT sql FROM gen),
  'ALTER OPERATOR FAMILY gb.hfam USING hash ADD\s+FUNCTION 1 \(bigint, bigint\) hashint8\(bigint\),\s+OPERATOR 1 =\(integer,bigint\)',
  'the family''s own members are added to it');
SELECT matches((SELECT sql FROM gen),
  'CREATE OPERATOR CLASS gb.all_cross FOR TYPE integer USING btree FAMILY gb.all_cross AS\s+STORAGE integer',
  'a class whose members are all its family''s still has an item');
SELECT ok(pg_temp.before('CREATE TEXT SEARCH TEMPLATE gb.tmpl', 'CREATE TEXT SEARCH DICTIONARY gb.stop'),
  'the dictionary after its template');
SELECT ok(pg_temp.before('CREATE TEXT SEARCH DICTIONARY gb.stop', 'CREATE TEXT SEARCH CONFIGURATION gb.cfg'),
  'the configuration after its dictionary');
SELECT ok(pg_temp.before('CREATE TEXT SEARCH CONFIGURATION gb.cfg', 'CREATE TABLE gb.docs'),
  'the table whose generated column names the configuration after it');
SELECT matches((SELECT sql FROM gen),
  'ALTER TEXT SEARCH CONFIGURATION gb.cfg ADD MAPPING FOR asciiword WITH gb.stop, pg_catalog.english_stem',
  'a mapping with its dictionaries in order');
SELECT matches((SELECT sql FROM gen), 'CREATE CONVERSION gb.l1_u8 FOR ''LATIN1'' TO ''UTF8'' FROM iso8859_1_to_utf8',
  'the conversion');
SELECT matches((SELECT py FROM gen),
  'def downgrade\(\):.*DROP TEXT SEARCH CONFIGURATION gb\.cfg.*DROP TEXT SEARCH DICTIONARY gb\.stop.*DROP TEXT SEARCH TEMPLATE gb\.tmpl',
  'the downgrade drops text search objects, dependents first');
SELECT matches((SELECT py FROM gen),
  'def downgrade\(\):.*DROP TABLE gb\.t''.*DROP OPERATOR CLASS gb\.int_hash USING hash.*DROP OPERATOR FAMILY gb\.hfam USING hash',
  'and the indexed table, the class, then its family');

-- Rebuild here: drop the schema, run the script, compare.
DROP SCHEMA gb CASCADE;
DO $$BEGIN EXECUTE (SELECT sql FROM gen); END$$;
RESET search_path;
RESET check_function_bodies;
SELECT is(squash_fingerprint('{gb}'), (SELECT fp FROM gen), 'the script rebuilds the same fingerprint');
SELECT is(to_tsvector('gb.cfg', 'The quick foxes jumped 42 times')::text, (SELECT tsv FROM gen),
  'and the configuration parses as before');
SELECT is((SELECT count(*)::int FROM pg_amop a JOIN pg_opfamily f ON f.oid = a.amopfamily
  WHERE f.opfnamespace = 'gb'::regnamespace AND f.opfname = 'hfam'), 2, 'the hash family has its two operators');

SELECT * FROM finish();
ROLLBACK;
