-- Snapshots of casts (whole-database snapshots only: a cast belongs to no schema) and
-- collations: every option of CREATE CAST / CREATE COLLATION is an attribute, named by
-- squash_diff old -> new, and a change makes the stamp refuse. collversion is not schema.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
\ir 10_snapshot_helpers.inc
SELECT plan(21);

CREATE SCHEMA cc;
CREATE ROLE tap_cc_owner;
CREATE TYPE cc.pt AS (x integer, y integer);
CREATE FUNCTION cc.pt_text(cc.pt) RETURNS text LANGUAGE sql IMMUTABLE AS $$SELECT ($1).x || ',' || ($1).y$$;
CREATE FUNCTION cc.pt_text2(cc.pt) RETURNS text LANGUAGE sql IMMUTABLE AS $$SELECT ($1).y || ',' || ($1).x$$;
CREATE FUNCTION pg_temp.has_icu() RETURNS boolean LANGUAGE sql AS
  $$SELECT EXISTS (SELECT FROM pg_collation WHERE collprovider = 'i')$$;

SELECT pg_temp.change_is('CREATE CAST (cc.pt AS text) WITH FUNCTION cc.pt_text(cc.pt)',
  'cast', '(cc.pt AS text)', 'added', 'context explicit, function cc.pt_text(cc.pt), method function',
  'a cast with a function');
SELECT pg_temp.change_is('DROP CAST (cc.pt AS text); CREATE CAST (cc.pt AS text) WITH FUNCTION cc.pt_text2(cc.pt)',
  'cast', '(cc.pt AS text)', 'changed', 'function: cc.pt_text(cc.pt) → cc.pt_text2(cc.pt)',
  'the cast''s function');
SELECT pg_temp.change_is('DROP CAST (cc.pt AS text); CREATE CAST (cc.pt AS text) WITH FUNCTION cc.pt_text2(cc.pt) AS ASSIGNMENT',
  'cast', '(cc.pt AS text)', 'changed', 'context: explicit → assignment', 'AS ASSIGNMENT');
SELECT pg_temp.change_is('DROP CAST (cc.pt AS text); CREATE CAST (cc.pt AS text) WITH FUNCTION cc.pt_text2(cc.pt) AS IMPLICIT',
  'cast', '(cc.pt AS text)', 'changed', 'context: assignment → implicit', 'AS IMPLICIT');
SELECT pg_temp.change_is('DROP CAST (cc.pt AS text); CREATE CAST (cc.pt AS text) WITH INOUT AS IMPLICIT',
  'cast', '(cc.pt AS text)', 'changed', 'method: function → inout', 'WITH INOUT');
SELECT pg_temp.change_is('CREATE CAST (bigint AS timestamp) WITHOUT FUNCTION',
  'cast', '(bigint AS timestamp without time zone)', 'added', 'method binary',
  'a binary-coercible cast between built-in types');
SELECT pg_temp.change_is($$COMMENT ON CAST (cc.pt AS text) IS 'as text'$$,
  'cast', '(cc.pt AS text)', 'changed', 'comment: (none) → as text', 'comment');
SELECT pg_temp.stamp_refuses('DROP CAST (cc.pt AS text); CREATE CAST (cc.pt AS text) WITH INOUT',
  'context: implicit → explicit', 'the stamp refuses a changed cast');
CREATE TEMP TABLE cc_fp AS SELECT squash_fingerprint('{cc}') AS fp;
CREATE CAST (cc.pt AS varchar) WITH INOUT;
SELECT is(squash_fingerprint('{cc}'), (SELECT fp FROM cc_fp),
  'a snapshot of some schemas holds no cast');
DROP CAST (cc.pt AS varchar);

SELECT pg_temp.change_is($$CREATE COLLATION cc.c1 (provider = libc, locale = 'C')$$,
  'collation', 'cc.c1', 'added', 'deterministic, lc collate C, lc ctype C, owner ',
  'a libc collation');
SELECT pg_temp.change_is($$DROP COLLATION cc.c1; CREATE COLLATION cc.c1 (provider = libc, lc_collate = 'POSIX', lc_ctype = 'C')$$,
  'collation', 'cc.c1', 'changed', 'lc_collate: C → POSIX', 'lc_collate');
SELECT pg_temp.change_is($$DROP COLLATION cc.c1; CREATE COLLATION cc.c1 (provider = libc, lc_collate = 'POSIX', lc_ctype = 'POSIX')$$,
  'collation', 'cc.c1', 'changed', 'lc_ctype: C → POSIX', 'lc_ctype');
SELECT pg_temp.change_is('ALTER COLLATION cc.c1 OWNER TO tap_cc_owner',
  'collation', 'cc.c1', 'changed', 'owner: ', 'owner');
SELECT pg_temp.change_is($$COMMENT ON COLLATION cc.c1 IS 'posix'$$,
  'collation', 'cc.c1', 'changed', 'comment: (none) → posix', 'comment');
SELECT pg_temp.no_change('ALTER COLLATION cc.c1 REFRESH VERSION; UPDATE pg_collation SET collversion = ''0.1'' WHERE oid = ''cc.c1''::regcollation',
  'the collation''s version is not part of the snapshot');

DO $$BEGIN
  IF pg_temp.has_icu() THEN
    CREATE COLLATION cc.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
  END IF;
END$$;
SELECT CASE WHEN pg_temp.has_icu() THEN pg_temp.change_is(
    $$DROP COLLATION cc.ci; CREATE COLLATION cc.ci (provider = icu, locale = 'und-u-ks-level2')$$,
    'collation', 'cc.ci', 'changed', 'deterministic: false → true', 'deterministic')
  ELSE skip('no ICU in this server', 1) END;
SELECT CASE WHEN pg_temp.has_icu() THEN pg_temp.change_is(
    $$DROP COLLATION cc.ci; CREATE COLLATION cc.ci (provider = icu, locale = 'und-u-ks-level1')$$,
    'collation', 'cc.ci', 'changed', 'locale: und-u-ks-level2 → und-u-ks-level1', 'ICU locale')
  ELSE skip('no ICU in this server', 1) END;
SELECT CASE WHEN pg_temp.has_icu() THEN pg_temp.change_is(
    $$DROP COLLATION cc.ci; CREATE COLLATION cc.ci (provider = libc, locale = 'C')$$,
    'collation', 'cc.ci', 'changed', 'provider: icu → libc', 'provider')
  ELSE skip('no ICU in this server', 1) END;
SELECT pg_temp.stamp_refuses($$DROP COLLATION cc.c1; CREATE COLLATION cc.c1 (provider = libc, locale = 'C')$$,
  'collation cc.c1 changed: ', 'the stamp refuses a changed collation');
SELECT pg_temp.nothing_unmodelled('casts and collations: none is unmodelled');
SELECT pg_temp.no_change('SET search_path = cc, public',
  'search_path does not change how casts and collations are named');
RESET search_path;

SELECT * FROM finish();
ROLLBACK;
