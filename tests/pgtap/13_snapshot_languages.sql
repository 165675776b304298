-- Snapshots of procedural languages, transforms and access methods (whole-database
-- snapshots only: they belong to no schema) and conversions: every option of their CREATE
-- statement is an attribute, named by squash_diff old -> new, and a change makes the
-- stamp refuse.
\set ON_ERROR_STOP 1
\set QUIET 1
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS pg_squash;
\ir 10_snapshot_helpers.inc
SELECT plan(30);

CREATE SCHEMA cl;
CREATE ROLE tap_cl_owner;
CREATE FUNCTION cl.h() RETURNS language_handler AS '$libdir/plpgsql', 'plpgsql_call_handler' LANGUAGE C;
CREATE FUNCTION cl.h2() RETURNS language_handler AS '$libdir/plpgsql', 'plpgsql_call_handler' LANGUAGE C;
CREATE FUNCTION cl.inl(internal) RETURNS void AS '$libdir/plpgsql', 'plpgsql_inline_handler' LANGUAGE C STRICT;
CREATE FUNCTION cl.val(oid) RETURNS void AS '$libdir/plpgsql', 'plpgsql_validator' LANGUAGE C STRICT;
CREATE TRUSTED LANGUAGE tap_pl HANDLER cl.h INLINE cl.inl VALIDATOR cl.val;
CREATE LANGUAGE tap_pl2 HANDLER cl.h;
CREATE FUNCTION cl.in_pl() RETURNS integer LANGUAGE tap_pl AS 'BEGIN RETURN 1; END';
-- Transform functions: internal wrappers of built-ins with the signatures CREATE TRANSFORM wants.
CREATE FUNCTION cl.from_sql(internal) RETURNS internal LANGUAGE internal IMMUTABLE STRICT AS 'int4recv';
CREATE FUNCTION cl.from_sql2(internal) RETURNS internal LANGUAGE internal IMMUTABLE STRICT AS 'int4recv';
CREATE FUNCTION cl.to_int(internal) RETURNS integer LANGUAGE internal IMMUTABLE STRICT AS 'int4recv';
CREATE TRANSFORM FOR integer LANGUAGE tap_pl (FROM SQL WITH FUNCTION cl.from_sql(internal),
  TO SQL WITH FUNCTION cl.to_int(internal));
CREATE TRANSFORM FOR text LANGUAGE tap_pl2 (FROM SQL WITH FUNCTION cl.from_sql(internal));
CREATE ACCESS METHOD tap_idx TYPE INDEX HANDLER bthandler;
CREATE ACCESS METHOD tap_tab TYPE TABLE HANDLER heap_tableam_handler;
CREATE ACCESS METHOD tap_spare TYPE TABLE HANDLER heap_tableam_handler;
CREATE OPERATOR CLASS cl.i4 DEFAULT FOR TYPE integer USING tap_idx AS
  OPERATOR 1 <, OPERATOR 3 =, OPERATOR 5 >, FUNCTION 1 btint4cmp(integer, integer);
CREATE TABLE cl.heapish (a integer) USING tap_tab;
CREATE FUNCTION cl.l1_u8(integer, integer, cstring, internal, integer, boolean) RETURNS integer
  AS '$libdir/utf8_and_iso8859_1', 'iso8859_1_to_utf8' LANGUAGE C STRICT;
CREATE CONVERSION cl.l1_u8 FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;
CREATE DEFAULT CONVERSION cl.u8_l1 FOR 'UTF8' TO 'LATIN1' FROM utf8_to_iso8859_1;
SELECT pg_temp.nothing_unmodelled('languages, transforms, access methods and conversions: none is unmodelled');

CREATE FUNCTION pg_temp.attrs(e_kind text, e_identity text) RETURNS jsonb LANGUAGE sql AS $f$
  SELECT j->'attrs' FROM jsonb_array_elements(squash_snapshot_export('cl_snap')->'objects') j
  WHERE j->>'kind' = e_kind AND j->>'identity' = e_identity
$f$;
DO $$BEGIN PERFORM squash_snapshot('cl_snap'); END$$;
SELECT is(pg_temp.attrs('language', 'tap_pl') - 'acl',
  jsonb_build_object('trusted', 'true', 'handler', 'cl.h()', 'inline', 'cl.inl(internal)',
    'validator', 'cl.val(oid)', 'owner', current_user), 'a trusted language with its three functions');
SELECT is(pg_temp.attrs('language', 'tap_pl2') - 'acl' - 'owner',
  '{"trusted": "false", "handler": "cl.h()"}'::jsonb, 'an untrusted language with a handler only');
SELECT is(pg_temp.attrs('transform', 'FOR integer LANGUAGE tap_pl'),
  '{"from_sql": "cl.from_sql(internal)", "to_sql": "cl.to_int(internal)"}'::jsonb,
  'a transform: its two functions');
SELECT is(pg_temp.attrs('access method', 'tap_tab'), '{"type": "table", "handler": "heap_tableam_handler(internal)"}'::jsonb,
  'a table access method');
SELECT is(pg_temp.attrs('operator class', 'cl.i4 USING tap_idx')->>'default', 'true',
  'an operator class of a new access method');
SELECT is(pg_temp.attrs('conversion', 'cl.u8_l1') - 'owner',
  '{"source": "UTF8", "target": "LATIN1", "default": "true",
    "function": "utf8_to_iso8859_1(integer,integer,cstring,internal,integer,boolean)"}'::jsonb,
  'a default conversion');
SELECT is((SELECT string_agg(j->>'kind' || ' ' || (j->>'identity'), ', ' ORDER BY j->>'identity')
  FROM jsonb_array_elements(squash_snapshot_export('cl_snap')->'objects') j
  WHERE j->>'kind' IN ('language', 'access method')),
  'access method tap_idx, language tap_pl, language tap_pl2, access method tap_spare, access method tap_tab',
  'no built-in language or access method, and not plpgsql (an extension''s)');

-- Languages.
SELECT pg_temp.change_is('CREATE OR REPLACE LANGUAGE tap_pl2 HANDLER cl.h2',
  'language', 'tap_pl2', 'changed', 'handler: cl.h() → cl.h2()', 'a language''s handler');
SELECT pg_temp.change_is('CREATE OR REPLACE LANGUAGE tap_pl2 HANDLER cl.h2 INLINE cl.inl',
  'language', 'tap_pl2', 'changed', 'inline: (none) → cl.inl(internal)', 'its inline handler');
SELECT pg_temp.change_is('CREATE OR REPLACE LANGUAGE tap_pl2 HANDLER cl.h2 INLINE cl.inl VALIDATOR cl.val',
  'language', 'tap_pl2', 'changed', 'validator: (none) → cl.val(oid)', 'its validator');
SELECT pg_temp.change_is('CREATE OR REPLACE TRUSTED LANGUAGE tap_pl2 HANDLER cl.h2 INLINE cl.inl VALIDATOR cl.val',
  'language', 'tap_pl2', 'changed', 'trusted: false → true', 'trusted');
SELECT pg_temp.change_is('ALTER LANGUAGE tap_pl OWNER TO tap_cl_owner',
  'language', 'tap_pl', 'changed', 'owner: ', 'a language''s owner');
SELECT pg_temp.change_is('REVOKE USAGE ON LANGUAGE tap_pl FROM PUBLIC',
  'language', 'tap_pl', 'changed', 'acl: ', 'a language''s grants');
SELECT pg_temp.change_is($$COMMENT ON LANGUAGE tap_pl IS 'mine'$$,
  'language', 'tap_pl', 'changed', 'comment: (none) → mine', 'a language''s comment');

-- Transforms.
SELECT pg_temp.change_is($$DROP TRANSFORM FOR integer LANGUAGE tap_pl;
    CREATE TRANSFORM FOR integer LANGUAGE tap_pl (FROM SQL WITH FUNCTION cl.from_sql2(internal),
      TO SQL WITH FUNCTION cl.to_int(internal))$$,
  'transform', 'FOR integer LANGUAGE tap_pl', 'changed',
  'from_sql: cl.from_sql(internal) → cl.from_sql2(internal)', 'a transform''s from-SQL function');
SELECT pg_temp.change_is($$CREATE OR REPLACE TRANSFORM FOR integer LANGUAGE tap_pl (FROM SQL WITH FUNCTION cl.from_sql2(internal))$$,
  'transform', 'FOR integer LANGUAGE tap_pl', 'changed', 'to_sql: cl.to_int(internal) → (none)',
  'a transform''s to-SQL function');
SELECT pg_temp.change_is($$COMMENT ON TRANSFORM FOR text LANGUAGE tap_pl2 IS 'tx'$$,
  'transform', 'FOR text LANGUAGE tap_pl2', 'changed', 'comment: (none) → tx', 'a transform''s comment');

-- Access methods.
SELECT pg_temp.change_is($$DROP ACCESS METHOD tap_spare;
    CREATE ACCESS METHOD tap_spare TYPE INDEX HANDLER hashhandler$$,
  'access method', 'tap_spare', 'changed', 'handler: heap_tableam_handler(internal) → hashhandler(internal); type: table → index',
  'an access method''s type and handler');
SELECT pg_temp.change_is($$DROP ACCESS METHOD tap_spare;
    CREATE ACCESS METHOD tap_spare TYPE INDEX HANDLER gisthandler$$,
  'access method', 'tap_spare', 'changed', 'handler: hashhandler(internal) → gisthandler(internal)',
  'an access method''s handler');
SELECT pg_temp.change_is($$COMMENT ON ACCESS METHOD tap_idx IS 'btree again'$$,
  'access method', 'tap_idx', 'changed', 'comment: (none) → btree again', 'an access method''s comment');

-- Conversions.
SELECT pg_temp.change_is($$DROP CONVERSION cl.l1_u8;
    CREATE CONVERSION cl.l1_u8 FOR 'LATIN1' TO 'UTF8' FROM cl.l1_u8$$,
  'conversion', 'cl.l1_u8', 'changed',
  'function: iso8859_1_to_utf8(integer,integer,cstring,internal,integer,boolean) → cl.l1_u8(integer,integer,cstring,internal,integer,boolean)',
  'a conversion''s function');
SELECT pg_temp.change_is($$DROP CONVERSION cl.l1_u8;
    CREATE DEFAULT CONVERSION cl.l1_u8 FOR 'LATIN1' TO 'UTF8' FROM cl.l1_u8$$,
  'conversion', 'cl.l1_u8', 'changed', 'default: false → true', 'a conversion''s default flag');
SELECT pg_temp.change_is($$DROP CONVERSION cl.u8_l1;
    CREATE CONVERSION cl.u8_l1 FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8$$,
  'conversion', 'cl.u8_l1', 'changed', 'source: UTF8 → LATIN1; target: LATIN1 → UTF8',
  'a conversion''s encodings');
SELECT pg_temp.change_is('ALTER CONVERSION cl.u8_l1 OWNER TO tap_cl_owner',
  'conversion', 'cl.u8_l1', 'changed', 'owner: ', 'a conversion''s owner');
SELECT pg_temp.change_is($$COMMENT ON CONVERSION cl.u8_l1 IS 'back'$$,
  'conversion', 'cl.u8_l1', 'changed', 'comment: (none) → back', 'a conversion''s comment');

SELECT pg_temp.stamp_refuses('CREATE OR REPLACE LANGUAGE tap_pl2 HANDLER cl.h',
  'language tap_pl2 changed: handler: cl.h2() → cl.h()', 'the stamp refuses a changed language');
SELECT pg_temp.stamp_refuses($$DROP CONVERSION cl.l1_u8;
    CREATE CONVERSION cl.l1_u8 FOR 'LATIN1' TO 'UTF8' FROM cl.l1_u8$$,
  'conversion cl.l1_u8 changed: default: true → false', 'the stamp refuses a changed conversion');

-- Scope: a snapshot of some schemas holds no language, transform or access method.
CREATE TEMP TABLE cl_fp AS SELECT squash_fingerprint('{cl}') AS fp;
CREATE ACCESS METHOD tap_idx2 TYPE INDEX HANDLER bthandler;
CREATE LANGUAGE tap_pl3 HANDLER cl.h;
CREATE TRANSFORM FOR bigint LANGUAGE tap_pl3 (FROM SQL WITH FUNCTION cl.from_sql(internal));
SELECT is(squash_fingerprint('{cl}'), (SELECT fp FROM cl_fp),
  'a snapshot of some schemas holds no language, transform or access method');
SELECT pg_temp.no_change('SET search_path = cl, public',
  'search_path does not change how they and their functions are named');
RESET search_path;

SELECT * FROM finish();
ROLLBACK;
